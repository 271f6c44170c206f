/** Drawing options, applied instantly client-side to every panel. */
import { COLORMAPS, cssColor, defaultColormap } from '../../heatmap/colormap';
import { SIGNS, type Sign } from '../../heatmap/normalize';
import { IMAGE_MODES, type ImageMode } from '../../heatmap/paint';
import type { ViewSettings } from '../../app/view-settings';

const MODE_NAMES: Record<ImageMode, string> = {
  blended_heat_map: 'overlay', heat_map: 'heat map', masked_image: 'masked', original_image: 'input only',
};

/** The colour scale in use: 11 colours from its low to its high end, and what the ends mean. */
export function legendOf(view: ViewSettings): { stops: string[]; low: string; high: string } {
  const signed = view.sign === 'all';
  const stops = Array.from({ length: 11 }, (_, i) => cssColor(signed ? (i / 10) * 2 - 1 : i / 10, view.sign, view.cmap));
  const [low, high] = signed ? ['negative', 'positive'] : view.sign === 'negative' ? ['0', 'most negative'] : ['0', 'largest'];
  return { stops, low, high };
}

/** The colour scale in use, with what its ends mean. */
function Legend({ view }: { view: ViewSettings }) {
  const { stops, low, high } = legendOf(view);
  return (
    <span className="legend" role="img" aria-label={`colour scale from ${low} to ${high}`}>
      <span className="muted small">{low}</span>
      <span className="legend-bar" style={{ background: `linear-gradient(to right, ${stops.map((c, i) => `${c} ${i * 10}%`).join(', ')})` }} />
      <span className="muted small">{high}</span>
    </span>
  );
}

/** `images`: whether any panel draws an image (Display and Alpha change nothing else). */
export function ViewToolbar({ view, onChange, images = true }: { view: ViewSettings; onChange(v: ViewSettings): void; images?: boolean }) {
  return (
    <div className="toolbar" role="group" aria-label="Drawing options">
      <span className="tool">
        <label htmlFor="view-sign">Sign</label>
        <select id="view-sign" value={view.sign} onChange={(e) => {
          const sign = e.target.value as Sign;
          const cmap = view.cmap === defaultColormap(view.sign) ? defaultColormap(sign) : view.cmap;
          onChange({ ...view, sign, cmap });
        }}>
          {SIGNS.map((s) => <option key={s} value={s}>{s.replace('_', ' ')}</option>)}
        </select>
      </span>
      {images && <span className="tool">
        <label htmlFor="view-display">Display</label>
        <select id="view-display" value={view.mode} onChange={(e) => onChange({ ...view, mode: e.target.value as ImageMode })}>
          {IMAGE_MODES.map((m) => <option key={m} value={m}>{MODE_NAMES[m]}</option>)}
        </select>
      </span>}
      <span className="tool">
        <label htmlFor="view-colormap">Colormap</label>
        <select id="view-colormap" value={view.cmap} onChange={(e) => onChange({ ...view, cmap: e.target.value })}>
          {COLORMAPS.map((c) => <option key={c} value={c}>{c}</option>)}
        </select>
      </span>
      {images && <span className="tool">
        <label htmlFor="view-alpha">Alpha</label>
        <input id="view-alpha" type="range" min={0} max={1} step={0.05} value={view.alpha}
          onChange={(e) => onChange({ ...view, alpha: Number(e.target.value) })} />
      </span>}
      <span className="tool">
        <label htmlFor="view-outlier">Outlier %</label>
        <input id="view-outlier" type="number" min={0} max={50} step={0.5} value={view.outlierPerc} style={{ width: '4.5em' }}
          onChange={(e) => onChange({ ...view, outlierPerc: Math.min(Math.max(Number(e.target.value) || 0, 0), 50) })} />
      </span>
      <Legend view={view} />
    </div>
  );
}
