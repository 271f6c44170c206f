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

/** Every feature's attribution as plain numbers (base64 arrays decoded). */
export function resultAsJson(result: AttributionResult): unknown {
  return {
    ...result,
    features: result.features.map((f) => {
      const p = f.payload;
      const attribution = 'attribution' in p && p.attribution ? decodeArray(p.attribution) : null;
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
      const { shape, data } = decodeArray(p.attribution);
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

export interface SnippetContext {
  method: MethodInfo;
  args: Record<string, unknown>;
  layer: string | null;
  neuron: number[] | null;
  target: number;
  baselines: Record<string, string>;
  exampleId: string;
}

function py(value: unknown): string {
  if (value === null || value === undefined) return 'None';
  if (value === true) return 'True';
  if (value === false) return 'False';
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return `(${value.map(py).join(', ')}${value.length === 1 ? ',' : ''})`;
  return String(value);
}

function layerExpression(layer: string): string {
  const plain = layer.split('.').every((part) => /^[A-Za-z_]\w*$/.test(part));
  return plain ? `model.${layer}` : `model.get_submodule(${JSON.stringify(layer)})`;
}

/** The attr_engine call that reproduces a panel in a script. */
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
  if (ctx.layer) construct += `, ${layerExpression(ctx.layer)}`;
  if (ctx.neuron) call.push(`neuron_selector=${py(ctx.neuron)}`);
  if (method.baselines !== 'none') call.push('baselines=baselines');
  call.push(`target=${ctx.target}`);
  const imports = inner ? `${method.name}, ${inner}` : method.name;
  const baselineNote = Object.entries(ctx.baselines).map(([f, b]) => `${f}: ${b}`).join(', ') || 'default';
  return [
    `from attr_engine import ${imports}`,
    '',
    `# example ${ctx.exampleId}; inputs: its tensors as the model takes them (batch of 1)`,
    method.baselines !== 'none' ? `# baselines: as in the dashboard (${baselineNote})` : null,
    `explainer = ${method.name}(${[construct, ...init].join(', ')})`,
    `attributions = explainer.attribute(${call.join(', ')})`,
    '',
  ].filter((line) => line !== null).join('\n');
}
