/**
 * The dashboard. It takes its Transport as a prop, so the browser (HTTP + Socket.IO, see main.tsx)
 * and the Jupyter widget (anywidget messages) mount the same App.
 */
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { AppInfo, Estimate, ExampleView, PageResponse, Workspaces } from './contract';
import { attributionRequest, fitSettings, neuronShape, parseNeuron, settingsErrors, validNeuron } from './app/requests';
import { readSettings, readViewState, writeSettings, type Settings, type ViewState } from './app/settings';
import { resultKey, useRun, type PanelEntry } from './app/use-run';
import { Controls } from './features/controls/controls';
import { UploadPanel, type UploadValue } from './features/controls/upload-panel';
import { parseArgs } from './app/params';
import { ErrorBanner } from './features/progress/error-banner';
import { summarize } from './app/job-machine';
import { ProgressBar } from './features/progress/progress-bar';
import { ExampleCard } from './features/results/example-card';
import type { ViewSettings } from './app/view-settings';
import { DatasetView } from './features/dataset/dataset-view';
import { ViewToolbar } from './features/results/view-toolbar';
import { TransportContext, useTransport } from './transport/context';
import type { Transport } from './transport/types';
import { errorDetail } from './transport/types';
import type { ErrorDetail } from './contract';
import './styles.css';

export interface AppProps {
  transport: Transport;
  /** Keep the settings in the page's URL (off inside a notebook widget). */
  syncUrl?: boolean;
}

export function App({ transport, syncUrl = true }: AppProps) {
  return (
    <TransportContext.Provider value={transport}>
      <Dashboard syncUrl={syncUrl} />
    </TransportContext.Provider>
  );
}

interface Failure { error: ErrorDetail; context: string; retry?: () => void }

/** The backend's cost estimate for the current settings, debounced; paused while a run computes
 *  (it would compete with the run for the model). */
function useEstimate(settings: Settings, info: AppInfo | null, exampleIds: string[], valid: boolean, busy: boolean) {
  const transport = useTransport();
  const [state, setState] = useState<{ value: Estimate | null; error: string | null; loading: boolean }>(
    { value: null, error: null, loading: false });
  const key = JSON.stringify([settings.workspace, settings.methods, settings.args, settings.models, settings.layer,
    settings.neuron, settings.baselines, settings.target, settings.targetClass, settings.faithfulness, exampleIds]);
  useEffect(() => {
    if (busy) return;
    if (!info || !valid || exampleIds.length === 0) { setState({ value: null, error: null, loading: false }); return; }
    let live = true;
    setState((s) => ({ ...s, loading: true }));
    const timer = setTimeout(async () => {
      try {
        const methods = settings.methods.map((n) => info.methods.find((m) => m.name === n)).filter((m) => m !== undefined);
        const all = await Promise.all(methods.map((m) => transport.request<Estimate>('POST',
          `/w/${encodeURIComponent(settings.workspace)}/estimate`, attributionRequest(settings, info, m, exampleIds))));
        const sum: Estimate = {
          passes: all.reduce((s, e) => s + e.passes, 0),
          per_example: all.reduce((s, e) => s + e.per_example, 0),
          seconds: all.reduce((s, e) => s + e.seconds, 0),
          within_limits: all.every((e) => e.within_limits),
          message: all.find((e) => e.message)?.message ?? null,
        };
        if (live) setState({ value: sum, error: null, loading: false });
      } catch (err) {
        if (live) setState({ value: null, error: errorDetail(err).message, loading: false });
      }
    }, 250);
    return () => { live = false; clearTimeout(timer); };
  }, [key, info, valid, busy]); // eslint-disable-line react-hooks/exhaustive-deps -- `key` stands for the settings and examples the estimate depends on
  return state;
}

function Dashboard({ syncUrl }: { syncUrl: boolean }) {
  const transport = useTransport();
  const [settings, setSettings] = useState<Settings>(() => readSettings(syncUrl ? window.location.search : ''));
  // what a shared link reopens: drawing options, tab, page and opened examples
  const [shared] = useState<ViewState>(() => readViewState(syncUrl ? window.location.search : ''));
  const [notes, setNotes] = useState<string[]>([]);
  const [opened, setOpened] = useState<number[]>(shared.opened);
  const [targets, setTargets] = useState<Record<string, string>>({});
  const [workspaces, setWorkspaces] = useState<string[]>([]);
  const [info, setInfo] = useState<AppInfo | null>(null);
  const [examples, setExamples] = useState<ExampleView[]>([]);
  const [page, setPage] = useState<PageResponse | null>(null);
  const [loading, setLoading] = useState(false);
  const [failure, setFailure] = useState<Failure | null>(null);
  const [view, setView] = useState<ViewSettings>(shared.view);
  const [tab, setTab] = useState<'examples' | 'dataset'>(shared.tab);
  const { state: runState, results, error: runError, setError: setRunError, run, cancel, reset } = useRun();
  const summary = summarize(runState);
  const settingsRef = useRef(settings);
  settingsRef.current = settings;
  const update = useCallback((change: Partial<Settings>) => setSettings((s) => ({ ...s, ...change })), []);

  // workspaces, then the chosen workspace's description
  const loadWorkspaces = useCallback(() => {
    transport.request<Workspaces>('GET', '/workspaces').then((w) => {
      setWorkspaces(w.workspaces);
      setSettings((s) => (w.workspaces.includes(s.workspace) ? s : { ...s, workspace: w.workspaces[0] ?? '' }));
    }, (err) => setFailure({ error: errorDetail(err), context: 'Loading the workspaces', retry: loadWorkspaces }));
  }, [transport]);
  useEffect(loadWorkspaces, [loadWorkspaces]);

  const firstLoad = useRef(true);
  // what the first load reopens from a shared link (set below, once its helpers exist)
  const restoreRef = useRef<(about: AppInfo, given: Settings) => Promise<void>>(async () => {});
  const loadInfo = useCallback((workspace: string) => {
    setInfo(null);
    setExamples([]);
    setPage(null);
    setTargets({});
    reset(); // a run (its banner, its results) belongs to the workspace it ran in
    if (!firstLoad.current) setOpened([]);
    transport.request<AppInfo>('GET', `/w/${encodeURIComponent(workspace)}/info`).then((i) => {
      setFailure(null);
      const { settings: fitted, notes: changed } = fitSettings(settingsRef.current, i);
      setSettings(fitted);
      setNotes(changed);
      setInfo(i);
      if (firstLoad.current) void restoreRef.current(i, fitted);
      firstLoad.current = false;
    }, (err) => setFailure({ error: errorDetail(err), context: 'Loading the workspace', retry: () => loadInfo(workspace) }));
  }, [transport, reset]);
  useEffect(() => { if (settings.workspace) loadInfo(settings.workspace); }, [settings.workspace, loadInfo]);

  useEffect(() => {
    if (!info) return;
    document.body.dataset.ready = 'true';
    performance.mark('insights:ready');
    return () => { delete document.body.dataset.ready; };
  }, [info]);

  useEffect(() => {
    if (!syncUrl || !settings.workspace) return;
    const search = writeSettings(settings, window.location.search, { view, tab, page: page?.page ?? null, opened });
    if (search !== window.location.search) window.history.replaceState(null, '', `${window.location.pathname}${search}`);
  }, [settings, syncUrl, view, tab, page, opened]);

  // a neuron method starts from a neuron that exists in the chosen layer (the first one)
  useEffect(() => {
    if (!info || !settings.methods.some((m) => info.methods.find((x) => x.name === m)?.needs_neuron)) return;
    const fixed = validNeuron(settingsRef.current.neuron, neuronShape(settings, info));
    if (fixed !== settingsRef.current.neuron) update({ neuron: fixed });
  }, [info, settings.methods, settings.layer, settings.models]); // eslint-disable-line react-hooks/exhaustive-deps -- not settings.neuron: never while the user types

  const errors = useMemo(() => settingsErrors(settings, info), [settings, info]);
  const valid = Object.keys(errors).length === 0;
  const exampleIds = useMemo(() => examples.map((e) => e.id), [examples]);
  const busy = summary.active || loading;
  const estimate = useEstimate(settings, info, exampleIds.slice(0, settings.pageSize), valid, busy);

  const runOn = useCallback((ids: string[], given: Settings = settings, about: AppInfo | null = info) => {
    if (!about || ids.length === 0 || given.methods.length === 0) return;
    setTargets((t) => Object.fromEntries(Object.entries(t).filter(([id]) => !ids.includes(id))));
    void run(given, about, ids);
  }, [info, run, settings]);

  /** Re-attribute one example to a class of the user's choice (Captum Insights' class chips). */
  const retarget = useCallback((exampleId: string, className: string) => {
    if (!info) return;
    void run({ ...settings, target: 'class', targetClass: className }, info, [exampleId]);
    setTargets((t) => ({ ...t, [exampleId]: className }));
  }, [info, run, settings]);

  /** One page of examples (shown, not yet attributed); null when it could not be fetched. */
  const loadPage = useCallback(async (pageNumber: number, given: Settings, about: AppInfo): Promise<ExampleView[] | null> => {
    setLoading(true);
    setFailure(null);
    try {
      const response = await transport.request<PageResponse>('POST', `/w/${encodeURIComponent(given.workspace)}/examples/page`, {
        page: pageNumber,
        page_size: given.pageSize,
        filter: { prediction: given.prediction, true_classes: given.trueClasses,
          predicted_classes: given.predictedClasses, model: given.models[0] ?? 0 },
        top_k: Math.min(3, about.classes.length),
      });
      setPage(response);
      setOpened([]);
      setExamples(response.examples);
      return response.examples;
    } catch (err) {
      setFailure({ error: errorDetail(err), context: 'Fetching examples', retry: () => void loadPage(pageNumber, given, about)
        .then((list) => list && runOn(list.map((e) => e.id), given, about)) });
      return null;
    } finally {
      setLoading(false);
    }
  }, [transport, runOn]);

  const fetchPage = useCallback(async (pageNumber: number) => {
    if (!info || !valid) return;
    const list = await loadPage(pageNumber, settings, info);
    if (list) runOn(list.map((e) => e.id));
  }, [info, valid, settings, loadPage, runOn]);

  const upload = useCallback(async (inputs: Record<string, UploadValue>) => {
    setFailure(null);
    try {
      const example = await transport.request<ExampleView>('POST', `/w/${encodeURIComponent(settings.workspace)}/examples/upload`, { inputs });
      setExamples((list) => [example, ...list.filter((e) => e.id !== example.id)]);
      runOn([example.id]);
    } catch (err) {
      setFailure({ error: errorDetail(err), context: 'Uploading your input', retry: () => void upload(inputs) });
    }
  }, [transport, settings.workspace, runOn]);

  const openExample = useCallback(async (index: number) => {
    setFailure(null);
    try {
      const example = await transport.request<ExampleView>('GET', `/w/${encodeURIComponent(settings.workspace)}/examples/at/${index}`);
      setExamples((list) => [example, ...list.filter((e) => e.id !== example.id)]);
      setOpened((list) => [index, ...list.filter((i) => i !== index)]);
      setTab('examples');
      runOn([example.id]);
    } catch (err) {
      setFailure({ error: errorDetail(err), context: `Opening example ${index}`, retry: () => void openExample(index) });
    }
  }, [transport, settings.workspace, runOn]);

  /** A shared link's page and opened examples, shown and attributed (one run) once the workspace is. */
  restoreRef.current = async (about: AppInfo, given: Settings) => {
    if (shared.page === null && shared.opened.length === 0) return;
    const list = shared.page !== null ? await loadPage(shared.page, given, about) ?? [] : [];
    try {
      const ws = encodeURIComponent(given.workspace);
      const extra = await Promise.all(shared.opened.map((i) => transport.request<ExampleView>('GET', `/w/${ws}/examples/at/${i}`)));
      const shown = [...extra, ...list.filter((e) => !extra.some((x) => x.id === e.id))];
      setExamples(shown);
      setOpened(shared.opened);
      if (Object.keys(settingsErrors(given, about)).length === 0) runOn(shown.map((e) => e.id), given, about);
    } catch (err) {
      setFailure({ error: errorDetail(err), context: 'Reopening the shared examples' });
    }
  };

  // Ctrl+Enter (or Cmd+Enter) fetches from anywhere on the page; Escape cancels a run
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Enter' && (e.ctrlKey || e.metaKey) && !busy && valid) { e.preventDefault(); void fetchPage(0); }
      if (e.key === 'Escape' && summary.active && !runState.cancelRequested) cancel();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [busy, valid, fetchPage, summary.active, runState.cancelRequested, cancel]);

  const methodsByName = useMemo(() => Object.fromEntries((info?.methods ?? []).map((m) => [m.name, m])), [info]);
  const snippetFor = useCallback((method: string) => {
    const m = methodsByName[method];
    return {
      args: m ? parseArgs(m, settings.args[method] ?? {}).values : {},
      layer: m?.needs_layer && info ? attributionRequest(settings, info, m, ['x']).layer ?? null : null,
      neuron: m?.needs_neuron ? parseNeuron(settings.neuron) : null,
      baselines: settings.baselines,
      workspace: settings.workspace,
      text: !!info?.features.some((f) => f.kind === 'text'),
    };
  }, [methodsByName, settings, info]);

  const shownError: Failure | null = failure ?? (runError
    ? { error: runError, context: 'The attribution', retry: () => runOn(exampleIds) } : null);
  const models = settings.models.filter((m) => info && m < info.models.length);
  const methodsRun = runState.jobs.map((j) => j.method);

  return (
    <div className="app" data-ready={info ? 'true' : undefined}>
      <header className="topbar">
        <h1>Insights</h1>
        {info && <span className="muted small">attr_engine {info.engine_version}{info.cache ? ' · cache on' : ''}</span>}
      </header>
      <div className="layout">
        <aside className="sidebar">
          <Controls workspaces={workspaces} info={info} settings={settings} update={update} errors={errors}
            estimate={estimate} busy={busy} canRun={!!info && valid} notes={notes} onDismissNotes={() => setNotes([])}
            onFetch={() => void fetchPage(0)} onRun={() => runOn(exampleIds)} />
          {info && <UploadPanel features={info.features} busy={busy} onUpload={(v) => void upload(v)} />}
        </aside>
        <main className="results" aria-label="Results">
          {info && (
            <div className="tabs" role="tablist" aria-label="Views">
              <button type="button" role="tab" aria-selected={tab === 'examples'} onClick={() => setTab('examples')}>Examples</button>
              <button type="button" role="tab" aria-selected={tab === 'dataset'} onClick={() => setTab('dataset')}>Dataset</button>
            </div>
          )}
          {info && tab === 'dataset' && <DatasetView info={info} settings={settings} view={view} onOpen={(i) => void openExample(i)} />}
          {tab === 'examples' && (<>
          {shownError && (
            <ErrorBanner error={shownError.error} context={shownError.context} onRetry={shownError.retry}
              onDismiss={() => { setFailure(null); setRunError(null); }} />
          )}
          {summary.active && (
            <ProgressBar summary={summary} jobs={runState.jobs.length} onCancel={cancel} cancelling={runState.cancelRequested} />
          )}
          {!summary.active && summary.cancelled && runState.jobs.length > 0 && (
            <p className="banner info" role="status">Cancelled: the server stopped the job.</p>
          )}
          {examples.length > 0 && <ViewToolbar view={view} onChange={setView}
            images={!!info?.features.some((f) => f.kind === 'image') || [...results.values()].some((r) => r.result.features.some((f) => f.payload.kind === 'layer'))} />}
          {page?.message && <p className="banner info" role="status">{page.message}</p>}
          {!info && !failure && <p className="empty" aria-busy="true">Loading…</p>}
          {info && examples.length === 0 && !loading && !page?.message && (
            <div className="empty">
              <h2>No examples yet</h2>
              <p>Choose one or more methods on the left and press <strong>Fetch</strong> (or Ctrl+Enter) to load
                {` ${settings.pageSize} `}examples of <strong>{settings.workspace}</strong> and attribute them side by side.
                Or open <em>Your own input</em> to attribute an image, text or series of your own.</p>
            </div>
          )}
          {examples.map((example) => {
            const panels: PanelEntry[] = [];
            const pending: string[] = [];
            for (const method of methodsRun) {
              for (const model of models) {
                const entry = results.get(resultKey(example.id, model, method));
                if (entry) panels.push(entry);
                else if (summary.active && !pending.includes(method)) pending.push(method);
              }
            }
            return (
              <ExampleCard key={example.id} example={example} models={info?.models ?? []} panels={panels} pending={pending}
                methods={methodsByName} view={view} snippetFor={snippetFor} classes={info?.classes ?? []}
                target={targets[example.id]} onRetarget={(c) => retarget(example.id, c)} busy={busy} />
            );
          })}
          {page && examples.length > 0 && (
            <nav className="pager" aria-label="Pages">
              <button type="button" disabled={page.page === 0 || busy} onClick={() => void fetchPage(page.page - 1)}>Previous page</button>
              <span>page {page.page + 1}</span>
              <button type="button" disabled={!page.has_more || busy} onClick={() => void fetchPage(page.page + 1)}>Next page</button>
            </nav>
          )}
          </>)}
        </main>
      </div>
    </div>
  );
}
