/** The run's progress: a bar with done/total and ETA, and the Cancel button. */
import type { RunSummary } from '../../app/job-machine';

function eta(seconds: number | null): string {
  if (seconds === null) return '';
  if (seconds < 1) return ' · less than a second left';
  if (seconds < 90) return ` · about ${Math.round(seconds)} s left`;
  return ` · about ${Math.round(seconds / 60)} min left`;
}

export function ProgressBar({ summary, jobs, onCancel, cancelling }: {
  summary: RunSummary; jobs: number; onCancel(): void; cancelling: boolean;
}) {
  const percent = Math.round(summary.fraction * 100);
  const steps = summary.total > 0 ? `${Math.round(summary.done)}/${summary.total} steps` : 'starting';
  const text = `${percent}% · ${summary.finished}/${jobs} methods · ${steps}${eta(summary.etaS)}`;
  return (
    <div className="progress" aria-live="polite">
      <div className="progress-track" role="progressbar" aria-label="Attribution progress"
        aria-valuemin={0} aria-valuemax={100} aria-valuenow={percent} aria-valuetext={text}>
        <div className="progress-fill" style={{ width: `${percent}%` }} />
      </div>
      <span className="progress-text">{text}</span>
      <button type="button" className="danger" onClick={onCancel} disabled={cancelling} aria-keyshortcuts="Escape" title="Stop the run (Esc)">
        {cancelling ? 'Cancelling…' : 'Cancel'}
      </button>
    </div>
  );
}
