/**
 * The state of a run: one job per selected method, each going
 * queued → starting → running → done | error | cancelled. A pure reducer, so the UI and the
 * tests drive the same transitions; the component layer only dispatches transport events.
 */
import type { ErrorDetail, Estimate, ProgressEvent } from '../contract';

export type JobStatus = 'queued' | 'starting' | 'running' | 'done' | 'error' | 'cancelled';

export interface JobEntry {
  method: string;
  status: JobStatus;
  jobId: string | null;
  fraction: number;
  done: number;
  total: number;
  etaS: number | null;
  estimate: Estimate | null;
  error: ErrorDetail | null;
}

export interface RunState {
  runId: number;
  jobs: JobEntry[];
  cancelRequested: boolean;
}

export type RunAction =
  | { type: 'start'; runId: number; methods: string[] }
  | { type: 'starting'; runId: number; method: string }
  | { type: 'accepted'; runId: number; method: string; jobId: string; estimate: Estimate }
  | { type: 'progress'; event: ProgressEvent }
  | { type: 'done'; jobId: string }
  | { type: 'cancelled'; jobId: string }
  | { type: 'failed'; runId: number; method: string; error: ErrorDetail }
  | { type: 'cancel' }
  | { type: 'reset' };

export const IDLE: RunState = { runId: 0, jobs: [], cancelRequested: false };

const FINISHED: ReadonlySet<JobStatus> = new Set(['done', 'error', 'cancelled']);

function update(state: RunState, match: (job: JobEntry) => boolean, change: (job: JobEntry) => Partial<JobEntry>): RunState {
  let changed = false;
  const jobs = state.jobs.map((job) => {
    if (!match(job) || FINISHED.has(job.status)) return job;
    changed = true;
    return { ...job, ...change(job) };
  });
  return changed ? { ...state, jobs } : state;
}

export function runReducer(state: RunState, action: RunAction): RunState {
  switch (action.type) {
    case 'start':
      return {
        runId: action.runId,
        cancelRequested: false,
        jobs: action.methods.map((method) => ({
          method, status: 'queued', jobId: null, fraction: 0, done: 0, total: 0, etaS: null, estimate: null, error: null,
        })),
      };
    case 'starting':
      if (action.runId !== state.runId) return state;
      return update(state, (j) => j.method === action.method, () => ({ status: 'starting' }));
    case 'accepted':
      if (action.runId !== state.runId) return state;
      return update(state, (j) => j.method === action.method, () => ({
        status: 'running', jobId: action.jobId, estimate: action.estimate,
      }));
    case 'progress': {
      const e = action.event;
      return update(state, (j) => j.jobId === e.job_id, (j) => ({
        status: j.status === 'starting' ? 'running' : j.status,
        fraction: Math.max(j.fraction, Math.min(e.fraction, 1)),
        done: e.done, total: e.total, etaS: e.eta_s ?? null,
      }));
    }
    case 'done':
      return update(state, (j) => j.jobId === action.jobId, () => ({ status: 'done', fraction: 1 }));
    case 'cancelled':
      return update(state, (j) => j.jobId === action.jobId, () => ({ status: 'cancelled' }));
    case 'failed':
      if (action.runId !== state.runId) return state;
      return update(state, (j) => j.method === action.method, () => ({ status: 'error', error: action.error }));
    case 'reset':
      return { ...IDLE, runId: state.runId };
    case 'cancel': {
      // jobs not yet sent are dropped at once; running ones wait for the server's `cancelled`
      const next = update(state, (j) => j.status === 'queued', () => ({ status: 'cancelled' }));
      return { ...next, cancelRequested: true };
    }
  }
}

export interface RunSummary {
  active: boolean;
  fraction: number;
  done: number;
  total: number;
  etaS: number | null;
  finished: number;
  errors: JobEntry[];
  cancelled: boolean;
}

/** What the progress bar and the banner show. */
export function summarize(state: RunState): RunSummary {
  const jobs = state.jobs;
  const active = jobs.some((j) => !FINISHED.has(j.status));
  const fraction = jobs.length ? jobs.reduce((s, j) => s + (j.status === 'done' ? 1 : j.fraction), 0) / jobs.length : 0;
  const etas = jobs.filter((j) => !FINISHED.has(j.status) && j.etaS !== null).map((j) => j.etaS as number);
  return {
    active,
    fraction,
    done: jobs.reduce((s, j) => s + j.done, 0),
    total: jobs.reduce((s, j) => s + j.total, 0),
    etaS: etas.length ? Math.max(...etas) : null,
    finished: jobs.filter((j) => FINISHED.has(j.status)).length,
    errors: jobs.filter((j) => j.status === 'error'),
    cancelled: jobs.some((j) => j.status === 'cancelled'),
  };
}

/** Job ids the server is still working on (what Cancel must stop). */
export function liveJobIds(state: RunState): string[] {
  return state.jobs.filter((j) => j.jobId && (j.status === 'running' || j.status === 'starting')).map((j) => j.jobId as string);
}
