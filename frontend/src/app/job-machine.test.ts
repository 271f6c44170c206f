import { describe, expect, it } from 'vitest';
import type { ProgressEvent } from '../contract';
import { IDLE, liveJobIds, runReducer, summarize, type RunAction, type RunState } from './job-machine';

const estimate = { passes: 100, per_example: 25, seconds: 1, within_limits: true };
const progress = (job_id: string, fraction: number, eta_s: number | null = 2): RunAction => ({
  type: 'progress',
  event: { job_id, fraction, done: fraction * 50, total: 50, unit: 0, units: 1, elapsed_s: 1, eta_s } satisfies ProgressEvent,
});

function play(actions: RunAction[], state: RunState = IDLE): RunState {
  return actions.reduce(runReducer, state);
}

const started = play([
  { type: 'start', runId: 1, methods: ['IntegratedGradients', 'Occlusion', 'Saliency'] },
  { type: 'starting', runId: 1, method: 'IntegratedGradients' },
  { type: 'accepted', runId: 1, method: 'IntegratedGradients', jobId: 'a', estimate },
  { type: 'starting', runId: 1, method: 'Occlusion' },
  { type: 'accepted', runId: 1, method: 'Occlusion', jobId: 'b', estimate },
]);

describe('run state machine', () => {
  it('goes queued → starting → running → done, and sums progress over the jobs', () => {
    expect(started.jobs.map((j) => j.status)).toEqual(['running', 'running', 'queued']);
    const moving = play([progress('a', 0.5), progress('b', 0.25, 6)], started);
    const s = summarize(moving);
    expect(s.active).toBe(true);
    expect(s.fraction).toBeCloseTo((0.5 + 0.25 + 0) / 3);
    expect(s.done).toBe(25 + 12.5);
    expect(s.total).toBe(100);
    expect(s.etaS).toBe(6);
    const finished = play([
      { type: 'done', jobId: 'a' }, { type: 'done', jobId: 'b' },
      { type: 'starting', runId: 1, method: 'Saliency' },
      { type: 'accepted', runId: 1, method: 'Saliency', jobId: 'c', estimate },
      { type: 'done', jobId: 'c' },
    ], moving);
    expect(summarize(finished)).toMatchObject({ active: false, fraction: 1, finished: 3, cancelled: false });
  });

  it('never moves progress backwards, and ignores events of other jobs', () => {
    const s = play([progress('a', 0.6), progress('a', 0.4), progress('zzz', 0.9)], started);
    expect(s.jobs[0].fraction).toBe(0.6);
    expect(s.jobs[1].fraction).toBe(0);
  });

  it('cancel drops queued jobs at once and waits for the server on running ones', () => {
    const s = play([{ type: 'cancel' }], started);
    expect(s.cancelRequested).toBe(true);
    expect(s.jobs.map((j) => j.status)).toEqual(['running', 'running', 'cancelled']);
    expect(liveJobIds(s)).toEqual(['a', 'b']);
    expect(summarize(s).active).toBe(true);
    const done = play([{ type: 'cancelled', jobId: 'a' }, { type: 'cancelled', jobId: 'b' }], s);
    expect(summarize(done)).toMatchObject({ active: false, cancelled: true });
    expect(liveJobIds(done)).toEqual([]);
  });

  it('a finished job stays finished: late progress or a second outcome is ignored', () => {
    const s = play([{ type: 'done', jobId: 'a' }, progress('a', 0.1), { type: 'cancelled', jobId: 'a' }], started);
    expect(s.jobs[0]).toMatchObject({ status: 'done', fraction: 1 });
  });

  it('records a failed job with the server message, and the rest go on', () => {
    const s = play([{ type: 'failed', runId: 1, method: 'Occlusion', error: { code: 'model_error', message: 'boom' } }], started);
    const summary = summarize(s);
    expect(summary.errors.map((j) => j.error?.message)).toEqual(['boom']);
    expect(summary.active).toBe(true);
  });

  it('ignores acknowledgements of an older run', () => {
    const next = play([{ type: 'start', runId: 2, methods: ['IntegratedGradients'] }], started);
    const s = play([{ type: 'accepted', runId: 1, method: 'IntegratedGradients', jobId: 'old', estimate }], next);
    expect(s.jobs[0]).toMatchObject({ status: 'queued', jobId: null });
  });
});
