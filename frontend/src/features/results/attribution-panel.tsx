/**
 * One method's attribution of one example for one model: the drawing chosen by the payload's
 * kind, the convergence delta and faithfulness, downloads and "Copy as Python".
 */
import { useRef, useState } from 'react';
import type { AttributionResult, ExampleView, FeatureAttribution, MethodInfo } from '../../contract';
import { decodeArray, fmt } from '../../lib/arrays';
import { Bars } from '../../components/bars';
import { download, downloadText, fileBase, heatmapPng, pythonSnippet, resultAsCsv, resultAsJson, type SnippetContext } from './export';
import { legendOf } from './view-toolbar';
import { ImagePanel } from '../../components/image-panel';
import { TimeseriesPlot } from './plotly-chart';
import { TextPanel } from './text-panel';
import { TimeseriesPanel } from './timeseries-panel';
import type { ViewSettings } from '../../app/view-settings';

export type PanelKind = 'image' | 'text' | 'timeseries' | 'general';

interface Props {
  example: ExampleView;
  result: AttributionResult;
  /** done; partial: still streaming; cancelled: a partial map whose job was cancelled. */
  state: 'partial' | 'done' | 'cancelled';
  method: MethodInfo | undefined;
  modelName: string;
  view: ViewSettings;
  snippet: Omit<SnippetContext, 'method' | 'target' | 'example' | 'model'>;
}

/** The input payload of the example's feature of this name (for drawing over the input). */
function inputOf(example: ExampleView, name: string) {
  return example.features.find((f) => f.name === name)?.payload ?? example.features[0]?.payload;
}

function kindOf(feature: FeatureAttribution, example: ExampleView): PanelKind {
  const p = feature.payload;
  if (p.kind !== 'layer') return p.kind;
  const input = example.features[0]?.payload;
  return p.attribution.shape.length >= 2 && input?.kind === 'image' ? 'image' : 'general';
}

function FeatureDrawing({ feature, example, view, label, canvasRef, interactive }: {
  feature: FeatureAttribution; example: ExampleView; view: ViewSettings; label: string;
  canvasRef(c: HTMLCanvasElement | null): void; interactive: boolean;
}) {
  const p = feature.payload;
  const input = inputOf(example, feature.name);
  if (p.kind === 'image' || (p.kind === 'layer' && kindOf(feature, example) === 'image')) {
    const map = p.kind === 'image' ? p.attribution : p.attribution;
    if (!map) return <p className="muted">no attribution map</p>;
    const img = input?.kind === 'image' ? input : null;
    const height = img?.height ?? (p.kind === 'image' ? p.height : map.shape[map.shape.length - 2]);
    const width = img?.width ?? (p.kind === 'image' ? p.width : map.shape[map.shape.length - 1]);
    return <ImagePanel map={decodeArray(map)} png={img?.png ?? null} width={width} height={height} view={view}
      label={label} canvasRef={canvasRef} />;
  }
  if (p.kind === 'text') return <TextPanel tokens={p.tokens} scores={p.scores ?? []} view={view} />;
  if (p.kind === 'timeseries') {
    const Chart = interactive ? TimeseriesPlot : TimeseriesPanel;
    return <Chart channels={p.channels} x={p.x} values={decodeArray(p.values)}
      attribution={p.attribution ? decodeArray(p.attribution) : null} view={view} />;
  }
  if (p.kind === 'general') return <Bars names={p.names} values={p.scores ?? []} label={label} />;
  const flat = Array.from(decodeArray(p.attribution).data);
  return <Bars names={flat.map((_, i) => String(i))} values={flat.slice(0, 64)} label={label} />;
}

export function AttributionPanel({ example, result, state, method, modelName, view, snippet }: Props) {
  const partial = state !== 'done';
  const canvas = useRef<HTMLCanvasElement | null>(null);
  const [copied, setCopied] = useState(false);
  const [interactive, setInteractive] = useState(false);
  const first = result.features[0];
  const kind: PanelKind = first ? kindOf(first, example) : 'general';
  const base = fileBase({ method: result.method, example, model: modelName, target: result.target_name });
  const label = `${result.method} attribution of example ${example.index ?? example.id} for ${result.target_name}`;
  const copy = async () => {
    if (!method) return;
    // the server's resolved arguments (e.g. Occlusion's full window) over the form's values
    const args = { ...snippet.args, ...(result.arguments ?? {}) };
    const text = pythonSnippet({ ...snippet, args, method, target: result.target, model: result.model,
      example: { index: example.source === 'upload' ? null : example.index ?? null, id: example.id } });
    try {
      await navigator.clipboard.writeText(text);
      setCopied(true);
      setTimeout(() => setCopied(false), 1500);
    } catch {
      downloadText(`${base}.py`, text, 'text/x-python');
    }
  };
  const largeDelta = result.delta !== null && result.delta !== undefined && result.suggested_n_steps;
  return (
    <section className="panel" data-testid="attribution" data-state={state} data-kind={kind}
      data-method={result.method} aria-label={`${result.method} (${modelName})`}>
      <header className="panel-head">
        <strong>{result.method}</strong>
        <span className="muted"> · {modelName} · target {result.target_name}{result.cached ? ' · cached' : ''}</span>
        {state === 'partial' && <span className="badge">streaming…</span>}
        {state === 'cancelled' && <span className="badge cancelled" title="The job was cancelled before this map was finished">cancelled · partial</span>}
      </header>
      {result.features.map((f) => (
        <div key={f.name} className="feature">
          {result.features.length > 1 && <div className="muted small">{f.name}</div>}
          <FeatureDrawing feature={f} example={example} view={view} label={label}
            canvasRef={(c) => { if (f === first) canvas.current = c; }} interactive={interactive} />
        </div>
      ))}
      {result.features.length > 1 && !partial && (
        <Bars names={result.features.map((f) => f.name)} values={result.features.map((f) => f.total)}
          label="contribution per feature" />
      )}
      {!partial && (
        <footer className="panel-foot">
          <span>total {fmt(first?.total)}</span>
          {result.delta !== null && result.delta !== undefined && (
            <span className={largeDelta ? 'warn' : undefined}>
              Δ {fmt(result.delta)}
              {largeDelta ? ` — raise n_steps to ~${result.suggested_n_steps} for a smaller error` : ''}
            </span>
          )}
          {result.deletion_auc !== null && result.deletion_auc !== undefined && (
            <span title="Area under the deletion curve of the model's score, as a share of the intact input's score: 0 = it falls at once, 1 = it never falls. Lower is more faithful; the same 0–1 scale for every example and model.">
              deletion AUC {fmt(result.deletion_auc)} <span className="small">(0–1, lower is better)</span></span>
          )}
          {result.infidelity !== null && result.infidelity !== undefined && (
            <span title="normalised infidelity under small noise; lower is more faithful">infidelity {fmt(result.infidelity)}</span>
          )}
          <span className="actions">
            {kind === 'image' && (
              <button type="button" onClick={() => canvas.current && download(`${base}.png`, heatmapPng(canvas.current,
                `${result.method} · ${modelName} · ${example.source === 'upload' ? 'your input' : `example ${example.index ?? ''}`} · target ${result.target_name}`,
                legendOf(view)))}>PNG</button>
            )}
            {kind === 'timeseries' && (
              <button type="button" aria-pressed={interactive} onClick={() => setInteractive((v) => !v)}>Zoomable chart</button>
            )}
            <button type="button" onClick={() => downloadText(`${base}.json`, JSON.stringify(resultAsJson(result)), 'application/json')}>JSON</button>
            <button type="button" onClick={() => downloadText(`${base}.csv`, resultAsCsv(result), 'text/csv')}>CSV</button>
            <button type="button" onClick={copy} disabled={!method}>{copied ? 'Copied' : 'Copy as Python'}</button>
          </span>
        </footer>
      )}
    </section>
  );
}
