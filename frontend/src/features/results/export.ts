/** Downloads (PNG, JSON, CSV) and the "Copy as Python" snippet of an attribution panel. */
import type { AttributionResult, MethodInfo } from '../../contract';
import { decodeArray } from '../../lib/arrays';

export function download(name: string, href: string): void {
  const a = document.createElement('a');
  a.href = href;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
}

export function downloadText(name: string, text: string, type: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  download(name, url);
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/** The array a feature's export writes: an image's map per channel when it has several (the
 *  drawing sums them), else the map as drawn. */
function exportedArray(p: AttributionResult['features'][number]['payload']) {
  if (p.kind === 'image' && p.channels) return decodeArray(p.channels);
  return 'attribution' in p && p.attribution ? decodeArray(p.attribution) : null;
}

/** Every feature's attribution as plain numbers (base64 arrays decoded). */
export function resultAsJson(result: AttributionResult): unknown {
  return {
    ...result,
    features: result.features.map((f) => {
      const p = f.payload;
      const attribution = exportedArray(p);
      const plain = attribution ? { shape: attribution.shape, values: Array.from(attribution.data) } : null;
      if (p.kind === 'image') return { name: f.name, kind: f.kind, total: f.total, attribution: plain };
      if (p.kind === 'timeseries') return { name: f.name, kind: f.kind, total: f.total, channels: p.channels, x: p.x, attribution: plain };
      if (p.kind === 'layer') return { name: f.name, kind: f.kind, total: f.total, attribution: plain };
      if (p.kind === 'text') return { name: f.name, kind: f.kind, total: f.total, tokens: p.tokens, scores: p.scores };
      return { name: f.name, kind: f.kind, total: f.total, names: p.names, values: p.values, scores: p.scores };
    }),
  };
}

/** One row per attributed element: feature, index (or token / name), value. */
export function resultAsCsv(result: AttributionResult): string {
  const rows = ['feature,element,attribution'];
  const q = (s: string) => `"${s.replace(/"/g, '""')}"`;
  for (const f of result.features) {
    const p = f.payload;
    if (p.kind === 'text') p.tokens.forEach((t, i) => rows.push(`${q(f.name)},${q(t)},${p.scores?.[i] ?? ''}`));
    else if (p.kind === 'general') p.names.forEach((n, i) => rows.push(`${q(f.name)},${q(n)},${p.scores?.[i] ?? ''}`));
    else if (p.attribution) {
      const { shape, data } = exportedArray(p)!;
      data.forEach((v, i) => {
        const index: number[] = [];
        let rest = i;
        for (let d = shape.length - 1; d >= 0; d--) { index.unshift(rest % shape[d]); rest = Math.floor(rest / shape[d]); }
        rows.push(`${q(f.name)},${q(index.join(' '))},${v}`);
      });
    }
  }
  return rows.join('\n') + '\n';
}

/** A download's file name: the example's place, the method, the model and the target (no hashes). */
export function fileBase(parts: { method: string; example: { index?: number | null; source?: string; id: string };
  model: string; target: string }): string {
  const place = parts.example.source === 'upload' ? 'your-input' : parts.example.index != null
    ? `example${parts.example.index}` : `example-${parts.example.id.slice(0, 8)}`;
  return [place, parts.method, parts.model, `target-${parts.target}`].join('_').replace(/[^\w.-]+/g, '-');
}

/** Where the parts of an exported PNG go: a title, the map scaled up (whole pixels) to at least
 *  the 240 px it is drawn at on screen, and a labelled colour bar. */
export function pngLayout(width: number, height: number, shown = 240) {
  const scale = Math.max(1, Math.ceil(shown / Math.max(width, height)));
  const pad = 12;
  const title = 22;
  const map = { x: pad, y: pad + title, w: width * scale, h: height * scale };
  const canvasW = Math.max(map.w + 2 * pad, 260);
  const bar = { x: pad, y: map.y + map.h + 10, w: canvasW - 2 * pad, h: 12 };
  return { scale, map, bar, width: canvasW, height: bar.y + bar.h + 24 };
}

/** The panel's heatmap as a PNG data URL: title, the map at (at least) its on-screen size
 *  without smoothing, and the colour bar with what its ends mean. */
export function heatmapPng(source: HTMLCanvasElement, title: string, legend: { stops: string[]; low: string; high: string }): string {
  const layout = pngLayout(source.width, source.height);
  const out = document.createElement('canvas');
  out.width = layout.width;
  out.height = layout.height;
  const ctx = out.getContext('2d');
  if (!ctx) return source.toDataURL('image/png');
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, out.width, out.height);
  ctx.fillStyle = '#111';
  ctx.font = '13px sans-serif';
  ctx.textBaseline = 'top';
  ctx.fillText(title, 12, 10, out.width - 24);
  ctx.imageSmoothingEnabled = false;
  ctx.drawImage(source, layout.map.x, layout.map.y, layout.map.w, layout.map.h);
  const gradient = ctx.createLinearGradient(layout.bar.x, 0, layout.bar.x + layout.bar.w, 0);
  legend.stops.forEach((colour, i) => gradient.addColorStop(i / Math.max(legend.stops.length - 1, 1), colour));
  ctx.fillStyle = gradient;
  ctx.fillRect(layout.bar.x, layout.bar.y, layout.bar.w, layout.bar.h);
  ctx.fillStyle = '#444';
  ctx.font = '11px sans-serif';
  ctx.fillText(legend.low, layout.bar.x, layout.bar.y + layout.bar.h + 4);
  ctx.textAlign = 'right';
  ctx.fillText(legend.high, layout.bar.x + layout.bar.w, layout.bar.y + layout.bar.h + 4);
  return out.toDataURL('image/png');
}

export interface SnippetContext {
  method: MethodInfo;
  args: Record<string, unknown>;
  layer: string | null;
  neuron: number[] | null;
  target: number;
  baselines: Record<string, string>;
  workspace: string;
  /** The example's place in the data set (null for an input of one's own) and id. */
  example: { index: number | null; id: string };
  model: number;
  /** Whether a feature is text (attributed through its embedding layer, with extra arguments). */
  text: boolean;
}

function py(value: unknown): string {
  if (value === null || value === undefined) return 'None';
  if (value === true) return 'True';
  if (value === false) return 'False';
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return `(${value.map(py).join(', ')}${value.length === 1 ? ',' : ''})`;
  if (typeof value === 'object') return `{${Object.entries(value).map(([k, v]) => `${JSON.stringify(k)}: ${py(v)}`).join(', ')}}`;
  return String(value);
}

function layerExpression(layer: string): string {
  const plain = layer.split('.').every((part) => /^[A-Za-z_]\w*$/.test(part));
  return plain ? `model.${layer}` : `model.get_submodule(${JSON.stringify(layer)})`;
}

/**
 * A complete script that reproduces a panel: it loads the same workspace's model and example
 * through insights.snippets (the two lines to replace for a model of one's own are marked),
 * builds the explainer with the panel's arguments and prints the attribution.
 */
export function pythonSnippet(ctx: SnippetContext): string {
  const { method } = ctx;
  const init: string[] = [];
  const call: string[] = ['inputs'];
  let inner = '';
  for (const p of method.params) {
    const value = ctx.args[p.name];
    if (value === undefined || value === (p.default ?? null)) continue;
    if (p.name === 'inner') { inner = String(value); continue; }
    (p.stage === 'init' ? init : call).push(`${p.name}=${py(value)}`);
  }
  const innerDefault = method.params.find((p) => p.name === 'inner');
  if (innerDefault && !inner) inner = String(innerDefault.default);
  let construct = 'model';
  if (inner) construct = `${inner}(model)`;
  // text is attributed through a forward around the model: its layers are the model's (example.module)
  if (ctx.layer) construct += `, ${ctx.text ? `example.module.get_submodule(${JSON.stringify(ctx.layer)})` : layerExpression(ctx.layer)}`;
  if (ctx.neuron) call.push(`neuron_selector=${ctx.neuron.length === 1 ? ctx.neuron[0] : py(ctx.neuron)}`);
  if (method.baselines !== 'none') call.push('baselines=baselines');
  call.push(`target=${ctx.target}`);
  if (ctx.text) call.push('**example.extra(explainer)');
  const imports = inner ? `${method.name}, ${inner}` : method.name;
  const own = ctx.example.index === null;
  const load = `example = load_example(${py(ctx.workspace)}, ${own ? 'index=0' : `index=${ctx.example.index}`}, model=${ctx.model}`
    + `${Object.keys(ctx.baselines).length ? `, baselines=${py(ctx.baselines)}` : ''})`;
  return [
    `"""${method.name} of ${own ? 'your input' : `example ${ctx.example.index}`} in workspace ${ctx.workspace}, as the dashboard computed it."""`,
    `from attr_engine import ${imports}`,
    'from insights.snippets import load_example',
    '',
    own ? '# your own input was uploaded to the dashboard: example 0 stands in for it below' : null,
    '# the dashboard\'s model and example (for a dashboard of your own, pass your AttributionVisualizer',
    '# instead of the workspace name); for a model of your own, replace these two lines by e.g.',
    '#   model = MyNet().eval()',
    `#   inputs, baselines = x[None], torch.zeros_like(x[None])${ctx.text ? '  (and drop **example.extra(explainer))' : ''}`,
    load,
    'model, inputs, baselines = example.model, example.inputs, example.baselines',
    '',
    `explainer = ${method.name}(${[construct, ...init].join(', ')})`,
    `attributions = explainer.attribute(${call.join(', ')})`,
    'for a in (attributions if isinstance(attributions, tuple) else (attributions,)):',
    '    print(tuple(a.shape), float(a.sum()))',
    '',
  ].filter((line) => line !== null).join('\n');
}
