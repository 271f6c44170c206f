/**
 * Routes a job's events to its handlers. Events may arrive before `run` is acknowledged (the
 * worker starts at once), so events of a job not yet known are held until it is registered.
 * Shared by every transport.
 */
import type { ErrorDetail } from '../contract';
import type { JobHandlers } from './types';

type EventName = 'progress' | 'partial' | 'result' | 'cancelled' | 'error';
const FINAL: ReadonlySet<EventName> = new Set(['result', 'cancelled', 'error']);
const HELD_LIMIT = 200;

export class JobRouter {
  private handlers = new Map<string, JobHandlers>();
  private held = new Map<string, Array<[EventName, unknown]>>();

  register(jobId: string, handlers: JobHandlers): void {
    this.handlers.set(jobId, handlers);
    const waiting = this.held.get(jobId) ?? [];
    this.held.delete(jobId);
    for (const [event, body] of waiting) this.dispatch(event, body);
  }

  forget(jobId: string): void {
    this.handlers.delete(jobId);
    this.held.delete(jobId);
  }

  /** End every job still waiting (the connection is gone: no event will come for them). */
  failAll(error: ErrorDetail): void {
    for (const jobId of [...this.handlers.keys()]) this.dispatch('error', { job_id: jobId, error });
    this.held.clear();
  }

  /** Deliver one server event; `body.job_id` says whose it is. */
  dispatch(event: EventName, body: unknown): void {
    const jobId = (body as { job_id?: string | null } | null)?.job_id;
    if (!jobId) return;
    const handlers = this.handlers.get(jobId);
    if (!handlers) {
      const list = this.held.get(jobId) ?? [];
      if (list.length < HELD_LIMIT) list.push([event, body]);
      this.held.set(jobId, list);
      return;
    }
    const call = {
      progress: handlers.onProgress,
      partial: handlers.onPartial,
      result: handlers.onResult,
      cancelled: handlers.onCancelled,
      error: handlers.onError,
    }[event] as (b: unknown) => void;
    if (FINAL.has(event)) this.handlers.delete(jobId);
    call.call(handlers, body);
  }
}
