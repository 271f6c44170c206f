/**
 * The one seam between the app and the server. Components never touch the network: they get a
 * Transport through React context (see ./context). The browser app uses ./http (fetch +
 * Socket.IO); the Jupyter widget supplies its own implementation over anywidget messages.
 */
import type {
  CancelledEvent,
  ErrorDetail,
  ErrorEvent,
  JobAccepted,
  PartialEvent,
  ProgressEvent,
  ResultEvent,
  RunRequest,
} from '../contract';

/** What a job streams back; each handler receives the contract's event body. */
export interface JobHandlers {
  onProgress(event: ProgressEvent): void;
  onPartial(event: PartialEvent): void;
  onResult(event: ResultEvent): void;
  onCancelled(event: CancelledEvent): void;
  onError(event: ErrorEvent): void;
}

export interface Transport {
  /** A JSON API call; `path` is relative to the API root, e.g. `/workspaces`, `/w/digits/info`.
   *  Rejects with a TransportError carrying the server's `{code, message, field}`. */
  request<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T>;
  /** Start an attribution job; resolves once the server accepted it. Events of the job go to
   *  `handlers` (also those that arrive before the acknowledgement). */
  run(req: RunRequest, handlers: JobHandlers): Promise<JobAccepted>;
  /** Ask the server to stop a job started by `run`; a `cancelled` event follows. */
  cancel(jobId: string): void;
  /** Release connections; the transport is unusable afterwards. */
  close(): void;
}

/** A failure with the server's error body (or a client-side one with code `network`). */
export class TransportError extends Error {
  readonly detail: ErrorDetail;
  readonly status: number;

  constructor(detail: ErrorDetail, status = 0) {
    super(detail.message);
    this.name = 'TransportError';
    this.detail = detail;
    this.status = status;
  }
}

/** The `{code, message, field}` of anything thrown by a transport call. */
export function errorDetail(error: unknown): ErrorDetail {
  if (error instanceof TransportError) return error.detail;
  const message = error instanceof Error ? error.message : String(error);
  return { code: 'client', message, field: null };
}
