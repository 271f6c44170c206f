/** One line chart per channel with the attribution as a coloured band behind the line (SVG). */
import { cssColor } from '../../heatmap/colormap';
import { normalizeAttr } from '../../heatmap/normalize';
import type { DecodedArray } from '../../lib/arrays';
import type { ViewSettings } from '../../app/view-settings';

interface Props {
  channels: string[];
  x: number[];
  values: DecodedArray;
  attribution: DecodedArray | null;
  view: ViewSettings;
}

const W = 320;
const H = 56;

export function TimeseriesPanel({ channels, x, values, attribution, view }: Props) {
  const steps = x.length;
  const norm = attribution ? normalizeAttr(attribution.data, view.sign, view.outlierPerc) : null;
  return (
    <div className="series">
      {channels.map((name, c) => {
        const row = values.data.subarray(c * steps, (c + 1) * steps);
        let lo = Infinity;
        let hi = -Infinity;
        for (const v of row) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
        const span = hi - lo || 1;
        const px = (i: number) => (i / Math.max(steps - 1, 1)) * W;
        const py = (v: number) => H - 4 - ((v - lo) / span) * (H - 8);
        const path = Array.from(row, (v, i) => `${i ? 'L' : 'M'}${px(i).toFixed(1)},${py(v).toFixed(1)}`).join('');
        const band = W / Math.max(steps, 1);
        return (
          <figure key={name} className="channel">
            <figcaption>{name}</figcaption>
            <svg viewBox={`0 0 ${W} ${H}`} preserveAspectRatio="none" role="img" aria-label={`${name} with attribution band`}>
              {norm && Array.from({ length: steps }, (_, i) => (
                <rect key={i} x={px(i) - band / 2} y={0} width={band + 0.5} height={H}
                  fill={cssColor(norm[c * steps + i], view.sign, view.cmap)} />
              ))}
              <path d={path} fill="none" stroke="#111" strokeWidth={1.2} vectorEffect="non-scaling-stroke" />
            </svg>
          </figure>
        );
      })}
    </div>
  );
}
