/**
 * Runs the selected methods on a set of examples through the transport: one job per method
 * (a few at a time), events folded into the run state machine and the results store.
 */
import { useCallback, useReducer, useRef, useState } from 'react';
import type { AppInfo, AttributionResult, ErrorDetail } from '../contract';
import { IDLE, liveJobIds, runReducer } from './job-machine';
import { useTransport } from '../transport/context';
import { errorDetail } from '../transport/types';
import { attributionRequest } from './requests';
import type { Settings } from './settings';

const CONCURRENT_JOBS = 2;

/** One method's result for one example and model, as the results store holds it. */
export interface PanelEntry {
  result: AttributionResult;
  partial: boolean;
  /** A partial map whose job was cancelled: it will not be finished. */
  cancelled?: boolean;
}

export const resultKey = (exampleId: string, model: number, method: string) => `${exampleId}|${model}|${method}`;

export function useRun() {
  const transport = useTransport();
  const [state, dispatch] = useReducer(runReducer, IDLE);
  const [results, setResults] = useState<Map<string, PanelEntry>>(() => new Map());
  const [error, setError] = useState<ErrorDetail | null>(null);
  const runRef = useRef(0);
  const stateRef = useRef(state);
  stateRef.current = state;
  const cancelled = useRef(false);

  const store = useCallback((list: AttributionResult[], partial: boolean) => {
    setResults((prev) => {
      const next = new Map(prev);
      for (const r of list) {
        // a streamed, unfinished map is marked `partial`; a model's final results are not
        const isPartial = partial && r.partial === true;
        const key = resultKey(r.example_id, r.model, r.method);
        if (isPartial && next.get(key)?.partial === false) continue;
        next.set(key, { result: r, partial: isPartial });
      }
      return next;
    });
  }, []);

  /** A cancelled job's streamed maps stay on screen, marked as the partial results they are. */
  const markCancelled = useCallback((method: string, exampleIds: string[]) => {
    setResults((prev) => {
      const next = new Map(prev);
      for (const [key, entry] of prev) {
        const [example, , name] = key.split('|');
        if (name === method && entry.partial && exampleIds.includes(example)) next.set(key, { ...entry, cancelled: true });
      }
      return next;
    });
  }, []);

  const run = useCallback(async (settings: Settings, info: AppInfo, exampleIds: string[]) => {
    const runId = ++runRef.current;
    cancelled.current = false;
    setError(null);
    const methods = settings.methods.map((name) => info.methods.find((m) => m.name === name)).filter((m) => m !== undefined);
    setResults((prev) => {
      const next = new Map(prev);
      for (const key of prev.keys()) if (exampleIds.includes(key.split('|')[0])) next.delete(key);
      return next;
    });
    dispatch({ type: 'start', runId, methods: methods.map((m) => m.name) });
    const queue = [...methods];
    const worker = async () => {
      for (let method = queue.shift(); method; method = queue.shift()) {
        if (cancelled.current || runRef.current !== runId) return;
        const name = method.name;
        dispatch({ type: 'starting', runId, method: name });
        await new Promise<void>((finish) => {
          const fail = (detail: ErrorDetail) => {
            dispatch({ type: 'failed', runId, method: name, error: detail });
            if (runRef.current === runId) setError({ ...detail, message: `${name}: ${detail.message}` });
            finish();
          };
          transport.run({ workspace: settings.workspace, request: attributionRequest(settings, info, method, exampleIds) }, {
            onProgress: (e) => dispatch({ type: 'progress', event: e }),
            onPartial: (e) => store(e.results, true),
            onResult: (e) => { store(e.results, false); dispatch({ type: 'done', jobId: e.job_id }); finish(); },
            onCancelled: (e) => { markCancelled(name, exampleIds); dispatch({ type: 'cancelled', jobId: e.job_id }); finish(); },
            onError: (e) => fail(e.error),
          }).then((accepted) => {
            dispatch({ type: 'accepted', runId, method: name, jobId: accepted.job_id, estimate: accepted.estimate });
            if (cancelled.current) transport.cancel(accepted.job_id);
          }, (err: unknown) => fail(errorDetail(err)));
        });
      }
    };
    await Promise.all(Array.from({ length: Math.min(CONCURRENT_JOBS, methods.length) }, worker));
  }, [store, transport, markCancelled]);

  const cancel = useCallback(() => {
    cancelled.current = true;
    dispatch({ type: 'cancel' });
    for (const id of liveJobIds(stateRef.current)) transport.cancel(id);
  }, [transport]);

  /** Forget the run and its results (another workspace was chosen); its jobs are cancelled. */
  const reset = useCallback(() => {
    runRef.current += 1;
    cancelled.current = true;
    for (const id of liveJobIds(stateRef.current)) transport.cancel(id);
    dispatch({ type: 'reset' });
    setResults(new Map());
    setError(null);
  }, [transport]);

  return { state, results, error, setError, run, cancel, reset };
}
