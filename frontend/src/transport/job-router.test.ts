import { describe, expect, it, vi } from 'vitest';
import { JobRouter } from './job-router';

const handlers = () => ({
  onProgress: vi.fn(), onPartial: vi.fn(), onResult: vi.fn(), onCancelled: vi.fn(), onError: vi.fn(),
});

describe('job router', () => {
  it('holds events that arrive before the job is acknowledged, then delivers them in order', () => {
    const router = new JobRouter();
    router.dispatch('progress', { job_id: 'a', fraction: 0.5 });
    router.dispatch('result', { job_id: 'a', results: [] });
    const h = handlers();
    router.register('a', h);
    expect(h.onProgress).toHaveBeenCalledWith({ job_id: 'a', fraction: 0.5 });
    expect(h.onResult).toHaveBeenCalledTimes(1);
    router.dispatch('progress', { job_id: 'a', fraction: 0.9 }); // after the final event: ignored
    expect(h.onProgress).toHaveBeenCalledTimes(1);
  });

  it('routes each job to its own handlers', () => {
    const router = new JobRouter();
    const a = handlers();
    const b = handlers();
    router.register('a', a);
    router.register('b', b);
    router.dispatch('cancelled', { job_id: 'b' });
    router.dispatch('error', { job_id: 'a', error: { code: 'x', message: 'boom' } });
    expect(b.onCancelled).toHaveBeenCalledTimes(1);
    expect(a.onError).toHaveBeenCalledTimes(1);
    expect(a.onCancelled).not.toHaveBeenCalled();
  });

  it('fails the waiting jobs when the connection is lost', () => {
    const router = new JobRouter();
    const a = handlers();
    router.register('a', a);
    router.failAll({ code: 'disconnected', message: 'gone' });
    expect(a.onError).toHaveBeenCalledWith({ job_id: 'a', error: { code: 'disconnected', message: 'gone' } });
    router.dispatch('result', { job_id: 'a' });
    expect(a.onResult).not.toHaveBeenCalled();
  });
});
