/**
 * An interactive (zoom, pan, hover) chart of a time-series attribution, drawn by Plotly's basic
 * partial bundle. Plotly is loaded only when a user opens such a chart, so it never weighs on the
 * first view.
 */
import { useEffect, useRef, useState } from 'react';
import { colorAt, position } from '../../heatmap/colormap';
import { normalizeAttr } from '../../heatmap/normalize';
import type { DecodedArray } from '../../lib/arrays';
import type { ViewSettings } from '../../app/view-settings';

interface PlotlyLike {
  newPlot(el: HTMLElement, data: unknown[], layout: unknown, config: unknown): Promise<unknown>;
  purge(el: HTMLElement): void;
}

let plotly: Promise<PlotlyLike> | null = null;
function loadPlotly(): Promise<PlotlyLike> {
  plotly ??= import('plotly.js-basic-dist-min').then((m) => (m.default ?? m) as PlotlyLike);
  return plotly;
}

function colorscale(view: ViewSettings): Array<[number, string]> {
  return Array.from({ length: 11 }, (_, i) => {
    const [r, g, b] = colorAt(view.cmap, i / 10);
    return [i / 10, `rgb(${Math.round(r)},${Math.round(g)},${Math.round(b)})`];
  });
}

export function TimeseriesPlot({ channels, x, values, attribution, view }: {
  channels: string[]; x: number[]; values: DecodedArray; attribution: DecodedArray | null; view: ViewSettings;
}) {
  const el = useRef<HTMLDivElement | null>(null);
  const [failed, setFailed] = useState<string | null>(null);
  useEffect(() => {
    const target = el.current;
    if (!target) return;
    let live = true;
    const steps = x.length;
    const norm = attribution ? normalizeAttr(attribution.data, view.sign, view.outlierPerc) : null;
    const data = channels.flatMap((name, c) => {
      const y = Array.from(values.data.subarray(c * steps, (c + 1) * steps));
      const axis = c === 0 ? '' : String(c + 1);
      const line = { type: 'scatter', mode: 'lines', name, x, y, xaxis: `x${axis}`, yaxis: `y${axis}`, line: { color: '#222', width: 1 } };
      if (!norm) return [line];
      const colors = Array.from(norm.subarray(c * steps, (c + 1) * steps), (v) => position(v, view.sign));
      return [line, {
        type: 'scatter', mode: 'markers', name: `${name} attribution`, x, y, xaxis: `x${axis}`, yaxis: `y${axis}`,
        text: Array.from(attribution!.data.subarray(c * steps, (c + 1) * steps), (v) => v.toPrecision(3)),
        hovertemplate: '%{x}: %{text}<extra></extra>',
        marker: { size: 6, color: colors, cmin: 0, cmax: 1, colorscale: colorscale(view), showscale: c === 0 },
      }];
    });
    const layout = {
      grid: { rows: channels.length, columns: 1, pattern: 'independent' },
      height: 90 + 110 * channels.length, margin: { l: 40, r: 10, t: 10, b: 30 }, showlegend: false,
    };
    loadPlotly()
      .then((p) => live && p.newPlot(target, data, layout, { displaylogo: false, responsive: true }))
      .catch((e: unknown) => live && setFailed(String(e)));
    return () => {
      live = false;
      void plotly?.then((p) => p.purge(target));
    };
  }, [channels, x, values, attribution, view]);
  if (failed) return <p className="param-error">The chart could not be drawn: {failed}</p>;
  return <div ref={el} className="plotly-chart" aria-label="Interactive attribution chart" />;
}
