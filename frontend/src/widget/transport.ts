/**
 * The Jupyter widget's Transport: the same API and job events as ./transport/http, carried by
 * anywidget's custom messages to the Python kernel (insights/widget/protocol.py).
 *
 * Out: {kind: 'request', id, method, path, body} | {kind: 'run', id, body: RunRequest} |
 *      {kind: 'cancel', id, body: CancelRequest}
 * In:  {kind: 'response', id, status, body} | {kind: 'event', event, body}
 * Binary data travels in the message's buffers: a body value {"$buffer": i} stands for buffer i
 * (from the kernel: an array payload's float32 `data`, an image payload's `png`; to the kernel:
 * an uploaded `image`).
 */
import type { ErrorDetail, JobAccepted, RunRequest } from '../contract';
import { JobRouter } from '../transport/job-router';
import { TransportError, type JobHandlers, type Transport } from '../transport/types';

/** The part of anywidget's model this transport uses. */
export interface WidgetModel {
  get(name: string): unknown;
  send(content: unknown, callbacks?: unknown, buffers?: ArrayBuffer[] | ArrayBufferView[]): void;
  on(event: 'msg:custom', callback: (content: unknown, buffers: DataView[]) => void): void;
  on(event: `change:${string}`, callback: () => void): void;
  off(event: 'msg:custom', callback: (content: unknown, buffers: DataView[]) => void): void;
  off(event: `change:${string}`, callback: () => void): void;
}

interface Response { kind: 'response'; id: string; status: number; body: unknown }
interface Event { kind: 'event'; event: 'progress' | 'partial' | 'result' | 'cancelled' | 'error'; body: unknown }
type Incoming = Response | Event;

const BUFFER = '$buffer';
const EVENTS = new Set(['progress', 'partial', 'result', 'cancelled', 'error']);
const TIMEOUT_MS = 120_000;

/** Raw bytes as base64, in chunks (String.fromCharCode takes a bounded argument list). */
export function toBase64(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}

/**
 * A body with each {"$buffer": i} replaced by buffer i. The app's payload types keep the
 * contract's base64 strings (shared with the HTTP transport), so the bytes become base64 here,
 * in the browser, once: the kernel sends them as binary, never as base64 JSON.
 */
export function reassemble(value: unknown, buffers: DataView[]): unknown {
  if (Array.isArray(value)) return value.map((item) => reassemble(item, buffers));
  if (value === null || typeof value !== 'object') return value;
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record);
  if (keys.length === 1 && keys[0] === BUFFER) {
    const view = buffers[record[BUFFER] as number];
    if (!view) throw new TransportError({ code: 'protocol', message: `buffer ${String(record[BUFFER])} is missing`, field: null });
    return toBase64(new Uint8Array(view.buffer, view.byteOffset, view.byteLength));
  }
  const out: Record<string, unknown> = {};
  for (const key of keys) out[key] = reassemble(record[key], buffers);
  return out;
}

/** A request body with each uploaded `image` (base64, or a data: URL) moved into `buffers`. */
export function detachImages(value: unknown, buffers: Uint8Array[]): unknown {
  if (Array.isArray(value)) return value.map((item) => detachImages(item, buffers));
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
    if (key === 'image' && typeof item === 'string') {
      let binary: string;
      try {
        binary = atob(item.slice(item.indexOf(',') + 1));
      } catch {
        out[key] = item; // not base64: the kernel says what is wrong with it
        continue;
      }
      buffers.push(Uint8Array.from(binary, (c) => c.charCodeAt(0)));
      out[key] = { [BUFFER]: buffers.length - 1 };
    } else {
      out[key] = detachImages(item, buffers);
    }
  }
  return out;
}

function errorOf(body: unknown, status: number): ErrorDetail {
  const error = (body as { error?: ErrorDetail } | null)?.error;
  return error ?? { code: 'protocol', message: `the kernel answered with status ${status}`, field: null };
}

export class WidgetTransport implements Transport {
  private readonly router = new JobRouter();
  private readonly pending = new Map<string, { resolve(body: unknown): void; reject(e: Error): void }>();
  private readonly workspaceOf = new Map<string, string>();
  private readonly prefix = Math.random().toString(36).slice(2, 10); // several views of one widget
  private next = 0;
  private closed = false;
  private readonly listener = (content: unknown, buffers: DataView[]) => this.receive(content, buffers);

  constructor(private readonly model: WidgetModel) {
    model.on('msg:custom', this.listener);
  }

  private receive(content: unknown, buffers: DataView[]): void {
    const message = content as Incoming | null;
    if (!message || typeof message !== 'object') return;
    if (message.kind === 'response') {
      const waiting = this.pending.get(message.id);
      if (!waiting) return; // another view's request
      this.pending.delete(message.id);
      try {
        const body = reassemble(message.body, buffers ?? []);
        if (message.status >= 400) waiting.reject(new TransportError(errorOf(body, message.status), message.status));
        else waiting.resolve(body);
      } catch (error) {
        waiting.reject(error as Error);
      }
    } else if (message.kind === 'event' && EVENTS.has(message.event)) {
      this.router.dispatch(message.event, reassemble(message.body, buffers ?? []));
    }
  }

  private call(kind: string, fields: Record<string, unknown>, buffers: Uint8Array[] = []): Promise<unknown> {
    if (this.closed) return Promise.reject(new TransportError({ code: 'closed', message: 'the widget is closed', field: null }));
    const id = `${this.prefix}-${++this.next}`;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new TransportError({ code: 'timeout', message: 'the kernel did not answer (is it busy or stopped?)', field: null }));
      }, TIMEOUT_MS);
      this.pending.set(id, {
        resolve: (body) => { clearTimeout(timer); resolve(body); },
        reject: (error) => { clearTimeout(timer); reject(error); },
      });
      this.model.send({ kind, id, ...fields }, undefined, buffers);
    });
  }

  request<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
    const buffers: Uint8Array[] = [];
    const sent = detachImages(body ?? null, buffers);
    return this.call('request', { method, path: `/api${path}`, body: sent }, buffers) as Promise<T>;
  }

  async run(req: RunRequest, handlers: JobHandlers): Promise<JobAccepted> {
    const accepted = (await this.call('run', { body: req })) as JobAccepted;
    this.workspaceOf.set(accepted.job_id, req.workspace);
    this.router.register(accepted.job_id, handlers);
    return accepted;
  }

  cancel(jobId: string): void {
    const workspace = this.workspaceOf.get(jobId);
    if (workspace) void this.call('cancel', { body: { workspace, job_id: jobId } }).catch(() => undefined);
  }

  close(): void {
    this.closed = true;
    this.model.off('msg:custom', this.listener);
    for (const waiting of this.pending.values()) {
      waiting.reject(new TransportError({ code: 'closed', message: 'the widget is closed', field: null }));
    }
    this.pending.clear();
  }
}
