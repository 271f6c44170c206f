/** Tokens coloured by their attribution; hovering (or focusing) a token shows its value. */
import { cssColor } from '../../heatmap/colormap';
import { normalizeAttr } from '../../heatmap/normalize';
import { fmt } from '../../lib/arrays';
import type { ViewSettings } from '../../app/view-settings';

export function TextPanel({ tokens, scores, view }: { tokens: string[]; scores: number[]; view: ViewSettings }) {
  if (scores.length === 0) {
    return <p className="tokens">{tokens.map((t, i) => <span key={i} className="token plain">{t}</span>)}</p>;
  }
  const norm = scores.length ? normalizeAttr(scores, view.sign, view.outlierPerc) : new Float64Array();
  return (
    <p className="tokens">
      {tokens.map((token, i) => {
        const value = norm[i] ?? 0;
        const strong = Math.abs(view.sign === 'all' ? value : value - 0.5) > 0.35;
        return (
          <span key={i} className="token" tabIndex={0} title={`${token}: ${fmt(scores[i], 4)}`}
            aria-label={`${token}: ${fmt(scores[i], 4)}`}
            style={{ background: cssColor(value, view.sign, view.cmap), color: strong ? '#fff' : '#111' }}>
            {token}
          </span>
        );
      })}
    </p>
  );
}
