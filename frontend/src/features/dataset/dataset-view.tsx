/**
 * The Dataset view (issue 10): start a data-set-wide job with the method and arguments chosen in
 * the sidebar, follow its progress, and read its summaries — per-class mean attribution maps, top
 * tokens per class, faithfulness distribution with the worst examples, and agreement between two
 * methods' jobs. Talks to the server only through the transport's JSON requests (polling), so it
 * works over both transports.
 */
import { useCallback, useEffect, useState } from 'react';
import type {
  AppInfo, ClassMap, DatasetJobAccepted, DatasetJobRequest, DatasetList, DatasetStatus, DatasetSummary, Histogram,
} from '../../contract';
import { attributionRequest } from '../../app/requests';
import type { Settings } from '../../app/settings';
import { decodeArray, fmt } from '../../lib/arrays';
import { useTransport } from '../../transport/context';
import { errorDetail } from '../../transport/types';
import { Bars } from '../../components/bars';
import { ImagePanel } from '../../components/image-panel';
import type { ViewSettings } from '../../app/view-settings';

/** The states after which a job's status no longer changes by itself ("stopped": its process
 *  went away; it resumes only when started again). */
const FINISHED = new Set(['done', 'error', 'cancelled', 'stopped']);
/** Still to watch: a job whose last word is not final, or one without a word yet (just started,
 *  its store created but its first status not written) that has examples left. */
export const running = (d: DatasetStatus) => (d.state ? !FINISHED.has(d.state) : d.done < d.total);

/** A number as a label: a true minus sign, so "−13 to −12" never reads as "-13--12". */
const num = (v: number, digits: number) => fmt(v, digits).replace(/^-/, '−');

/** A bin's label: "from to" with true minus signs, with as many digits as it takes for its two
 *  ends to differ (a narrow bin never reads "0.11 to 0.11"). */
export function binLabel(low: number, high: number): string {
  let digits = 2;
  while (digits < 6 && num(low, digits) === num(high, digits)) digits += 1;
  return `${num(low, digits)} to ${num(high, digits)}`;
}

/** Whether a method's stored maps are absolute values (Saliency by default) or signed. */
export function signOf(method: string, args: Record<string, unknown> = {}): 'absolute' | 'signed' {
  if (method === 'Saliency') return args.abs === false ? 'signed' : 'absolute';
  return 'signed';
}

function HistogramBars({ histogram, label }: { histogram: Histogram; label: string }) {
  const names = histogram.counts.map((_, i) => binLabel(histogram.edges[i], histogram.edges[i + 1]));
  return <Bars names={names} values={histogram.counts} label={label} />;
}

function ClassMaps({ maps, view, absolute }: { maps: ClassMap[]; view: ViewSettings; absolute: boolean }) {
  return (
    <div className="class-maps">
      {maps.map((m) => {
        const map = decodeArray(absolute ? m.mean_abs : m.mean);
        const shape = map.shape;
        const label = `${absolute ? 'mean |attribution|' : 'mean attribution'} of class ${m.name}`;
        return (
          <figure key={m.class_index} className="class-map">
            {shape.length >= 2 ? (
              <ImagePanel map={map} png={null} width={shape[shape.length - 1]} height={shape[shape.length - 2]}
                view={absolute ? { ...view, sign: 'absolute_value', cmap: 'viridis' } : view} label={label} />
            ) : (
              <Bars names={Array.from(map.data, (_, i) => String(i))} values={Array.from(map.data)} label={label} />
            )}
            <figcaption>{m.name} <span className="muted">({m.count})</span></figcaption>
          </figure>
        );
      })}
    </div>
  );
}

interface Props {
  info: AppInfo;
  settings: Settings;
  view: ViewSettings;
  /** Show the data set's ``index``-th example in the normal view and attribute it there. */
  onOpen?(index: number): void;
}

export function DatasetView({ info, settings, view, onOpen }: Props) {
  const transport = useTransport();
  const ws = encodeURIComponent(settings.workspace);
  const method = info.methods.find((m) => m.name === settings.methods[0]);
  const [jobs, setJobs] = useState<DatasetStatus[]>([]);
  const [name, setName] = useState('');
  const [limit, setLimit] = useState(200);
  const [selected, setSelected] = useState<string | null>(null);
  const [compare, setCompare] = useState('');
  const [summary, setSummary] = useState<DatasetSummary | null>(null);
  const [absolute, setAbsolute] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const refresh = useCallback(async () => {
    try {
      const list = await transport.request<DatasetList>('GET', `/w/${ws}/datasets`);
      setJobs(list.datasets);
      return list.datasets;
    } catch (err) {
      setError(errorDetail(err).message);
      return [];
    }
  }, [transport, ws]);

  useEffect(() => { void refresh(); }, [refresh]);
  // a job just started may not be listed yet (its store is created by its first example)
  const active = jobs.some(running) || (selected !== null && !jobs.some((j) => j.name === selected));
  useEffect(() => {
    if (!active) return;
    const timer = setInterval(() => void refresh(), 1000);
    return () => clearInterval(timer);
  }, [active, refresh]);

  // another job's summary is not shown under this one's name while this one's loads
  useEffect(() => { setSummary(null); }, [selected]);
  const selectedJob = jobs.find((j) => j.name === selected);
  const selectedDone = selectedJob?.done ?? 0;
  const listed = selectedJob !== undefined;
  useEffect(() => {
    if (!selected || !listed) return;
    let live = true;
    const query = compare ? `?compare=${encodeURIComponent(compare)}` : '';
    transport.request<DatasetSummary>('GET', `/w/${ws}/datasets/${encodeURIComponent(selected)}/summary${query}`)
      .then((s) => live && setSummary(s), (err) => live && setError(errorDetail(err).message));
    return () => { live = false; };
  }, [transport, ws, selected, listed, compare, selectedDone]);

  const start = async () => {
    if (!method) return;
    setError(null);
    const base = attributionRequest(settings, info, method, ['-']);
    const jobName = name.trim() || `${method.name}-${settings.models[0] ?? 0}`;
    const request: DatasetJobRequest = {
      name: jobName, method: method.name, args: base.args, target: base.target, baselines: base.baselines,
      layer: base.layer ?? null, neuron: base.neuron ?? null, model: settings.models[0] ?? 0,
      faithfulness: settings.faithfulness, limit,
    };
    try {
      const accepted = await transport.request<DatasetJobAccepted>('POST', `/w/${ws}/datasets`, request);
      setSelected(accepted.name);
      await refresh();
    } catch (err) {
      setError(errorDetail(err).message);
    }
  };

  return (
    <section className="dataset" aria-label="Dataset view">
      {error && (
        <div className="banner error" role="alert">
          <span>{error}</span>
          <button type="button" onClick={() => setError(null)} aria-label="Dismiss error">×</button>
        </div>
      )}
      <form className="dataset-form" onSubmit={(e) => { e.preventDefault(); void start(); }}>
        <p>Attribute the whole data set of <strong>{settings.workspace}</strong> with{' '}
          <strong>{method?.name ?? 'the method chosen on the left'}</strong> and its arguments; results are written
          to a store on disk and can be resumed.</p>
        <label htmlFor="dataset-name">Job name</label>
        <input id="dataset-name" value={name} placeholder={method ? `${method.name}-${settings.models[0] ?? 0}` : ''}
          onChange={(e) => setName(e.target.value)} />
        <label htmlFor="dataset-limit">Examples (at most)</label>
        <input id="dataset-limit" type="number" min={1} value={limit}
          onChange={(e) => setLimit(Math.max(1, Number(e.target.value) || 1))} />
        <button type="submit" className="primary" disabled={!method}>Start data-set job</button>
      </form>

      {jobs.length === 0 ? <p className="muted">No data-set jobs in this workspace yet.</p> : (
        <table className="jobs">
          <thead><tr><th>Job</th><th>Method</th><th>Progress</th><th>State</th><th>Errors</th><th>Examples/s</th></tr></thead>
          <tbody>
            {jobs.map((j) => (
              <tr key={j.name} className={j.name === selected ? 'selected' : undefined}>
                <td><button type="button" className="link" onClick={() => setSelected(j.name)}>{j.name}</button></td>
                <td>{j.method}</td>
                <td>
                  <progress max={j.total || 1} value={j.done} aria-label={`${j.name} progress`} /> {j.done}/{j.total}
                  {running(j) && j.eta_s ? <span className="muted"> · ~{Math.round(j.eta_s)} s left</span> : null}
                </td>
                <td>{j.state ?? '—'}</td>
                <td>{j.errors}</td>
                <td>{fmt(j.examples_per_s ?? null)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}

      {selected && summary && (
        <div className="summary">
          <h2>{selected} <span className="muted small">{summary.method} · {summary.done}/{summary.total} examples</span></h2>
          {Object.entries(summary.class_maps).map(([feature, maps]) => (
            <div key={feature}>
              <h3>Per-class attribution of {feature}{' '}
                <label className="check inline"><input type="checkbox" checked={absolute}
                  onChange={(e) => setAbsolute(e.target.checked)} /> absolute</label></h3>
              <ClassMaps maps={maps} view={view} absolute={absolute} />
            </div>
          ))}
          {Object.entries(summary.top_tokens).map(([feature, classes]) => (
            <div key={feature}>
              <h3>Tokens that drive each class ({feature})</h3>
              <div className="token-classes">
                {classes.map((c) => (
                  <div key={c.class_index}>
                    <h4>{c.name}</h4>
                    <Bars names={c.top.map((t) => `${t.name} (${t.count})`)} values={c.top.map((t) => t.mean)} label={`top tokens of ${c.name}`} />
                    <Bars names={c.bottom.map((t) => `${t.name} (${t.count})`)} values={c.bottom.map((t) => t.mean)} label={`bottom tokens of ${c.name}`} />
                  </div>
                ))}
              </div>
            </div>
          ))}
          {summary.faithfulness && (
            <div>
              <h3>Faithfulness (deletion AUC, lower is better; mean {fmt(summary.faithfulness.mean ?? null)})</h3>
              <p className="muted small">Deletion AUC: the share of its score (the model's probability) an example keeps,
                on average, as its most-attributed features are deleted — 0 when it falls at once, 1 when it never falls;
                the same 0–1 scale for every example and model.</p>
              <HistogramBars histogram={summary.faithfulness.histogram} label="deletion AUC distribution" />
              <h4>Least faithful examples</h4>
              <ol className="worst">
                {summary.faithfulness.worst.map((w) => (
                  <li key={w.example_id}>
                    {onOpen ? (
                      <button type="button" className="link" onClick={() => onOpen(w.index)}>example {w.index}</button>
                    ) : `example ${w.index}`}
                    {' '}· target {info.classes[w.target] ?? w.target} · AUC {fmt(w.deletion_auc)}
                  </li>
                ))}
              </ol>
            </div>
          )}
          <div>
            <h3>Method agreement</h3>
            <label htmlFor="dataset-compare">Compare with job</label>{' '}
            <select id="dataset-compare" value={compare} onChange={(e) => setCompare(e.target.value)}>
              <option value="">—</option>
              {jobs.filter((j) => j.name !== selected).map((j) => <option key={j.name} value={j.name}>{j.name} ({j.method})</option>)}
            </select>
            {summary.agreement && (
              <>
                <p>Rank correlation of {summary.agreement.methods.map((m, i) => `${m} (${signOf(m, i === 0 ? summary.spec.args as Record<string, unknown> : {})})`).join(' and ')} per
                  example: mean {fmt(summary.agreement.mean ?? null)} over {summary.agreement.count} examples.</p>
                {new Set(summary.agreement.methods.map((m, i) => signOf(m, i === 0 ? summary.spec.args as Record<string, unknown> : {}))).size > 1 && (
                  <p className="warn small">One map is signed and the other absolute: they are ranked as stored, so a
                    negative attribution counts as low in one and as high in the other. Compare like with like (e.g.
                    Saliency with abs off) for a fair agreement.</p>
                )}
                <HistogramBars histogram={summary.agreement.histogram} label="rank correlation distribution" />
              </>
            )}
          </div>
        </div>
      )}
    </section>
  );
}
