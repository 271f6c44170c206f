/** One example: its input, true label, each model's top-k predictions, and a panel per method. */
import type { ExampleView, MethodInfo, ModelInfo } from '../../contract';
import type { PanelEntry } from '../../app/use-run';
import { decodeArray, fmt } from '../../lib/arrays';
import { AttributionPanel } from './attribution-panel';
import type { SnippetContext } from './export';
import { TextPanel } from './text-panel';
import { TimeseriesPanel } from './timeseries-panel';
import { Bars } from '../../components/bars';
import type { ViewSettings } from '../../app/view-settings';

/** A score as a probability reads: 3 decimals, and never a rounded 1 or 0 that is not one. */
export function scoreText(v: number): string {
  if (!(v >= 0 && v <= 1)) return fmt(v);
  if (v > 0.9995 && v < 1) return '>0.999';
  if (v > 0 && v < 0.0005) return '<0.001';
  return v.toFixed(3);
}

interface Props {
  example: ExampleView;
  models: ModelInfo[];
  panels: PanelEntry[];
  pending: string[];
  methods: Record<string, MethodInfo>;
  view: ViewSettings;
  snippetFor(method: string): Omit<SnippetContext, 'method' | 'target' | 'example' | 'model'>;
  /** All class names, for re-targeting this example. */
  classes?: string[];
  /** The class this example was re-attributed to, if any. */
  target?: string;
  /** Re-attribute this example to a class (disabled while `busy`). */
  onRetarget?(className: string): void;
  busy?: boolean;
}

function InputView({ example, view }: { example: ExampleView; view: ViewSettings }) {
  return (
    <div className="input">
      {example.features.map(({ name, payload: p }) => {
        if (p.kind === 'image') {
          return <img key={name} className="input-image" src={`data:image/png;base64,${p.png}`} alt={`input ${name}`}
            width={p.width} height={p.height} />;
        }
        if (p.kind === 'text') return <TextPanel key={name} tokens={p.tokens} scores={[]} view={view} />;
        if (p.kind === 'timeseries') {
          return <TimeseriesPanel key={name} channels={p.channels} x={p.x} values={decodeArray(p.values)} attribution={null} view={view} />;
        }
        if (p.kind === 'general') return <Bars key={name} names={p.names} values={p.values} label={`input ${name}`} />;
        return null;
      })}
    </div>
  );
}

export function ExampleCard({ example, models, panels, pending, methods, view, snippetFor, classes = [], target, onRetarget, busy }: Props) {
  const title = example.source === 'upload' ? 'Your input' : `Example ${example.index ?? ''}`;
  return (
    <article className="card" data-testid="example-card" aria-label={title}>
      <div className="card-side">
        <h3>{title}</h3>
        <InputView example={example} view={view} />
        <p className="label">True label: <strong>{example.label_name ?? '—'}</strong></p>
        {example.predictions.map((pred) => (
          <div key={pred.model} className="prediction">
            <div className="muted small">{models[pred.model]?.name ?? `model ${pred.model}`}</div>
            <ol className="top-k">
              {pred.top.map((c) => {
                const correct = example.label !== null && c.index === example.label;
                const mark = c.index === pred.predicted.index
                  ? (example.label === null ? '' : correct ? ' ✓' : ' ✗') : '';
                return (
                  <li key={c.index} className={c.index === pred.predicted.index ? (example.label === null ? 'pred' : correct ? 'pred correct' : 'pred incorrect') : ''}>
                    {onRetarget ? (
                      <button type="button" className="chip" aria-pressed={target === c.name} disabled={busy}
                        title={`Attribute this example to ${c.name}`} aria-label={`Explain ${c.name} for example ${example.index ?? example.id}`}
                        onClick={() => onRetarget(c.name)}>{c.name}{mark}</button>
                    ) : <span>{c.name}{mark}</span>}
                    <span className="score">{scoreText(c.score)}</span>
                  </li>
                );
              })}
            </ol>
          </div>
        ))}
        {onRetarget && classes.length > 0 && (
          <label className="retarget small">
            <span className="muted">Explain class</span>
            <select value={target ?? ''} disabled={busy} aria-label={`Explain a class for example ${example.index ?? example.id}`}
              onChange={(e) => e.target.value && onRetarget(e.target.value)}>
              <option value="">as set on the left</option>
              {classes.map((c) => <option key={c} value={c}>{c}</option>)}
            </select>
          </label>
        )}
      </div>
      <div className="card-panels">
        {panels.map(({ result, partial, cancelled }) => (
          <AttributionPanel key={`${result.method}|${result.model}`} example={example} result={result}
            state={cancelled ? 'cancelled' : partial ? 'partial' : 'done'}
            method={methods[result.method]} modelName={models[result.model]?.name ?? `model ${result.model}`}
            view={view} snippet={snippetFor(result.method)} />
        ))}
        {pending.map((m) => (
          <div key={m} className="panel placeholder" aria-busy="true">{m}: computing…</div>
        ))}
      </div>
    </article>
  );
}
