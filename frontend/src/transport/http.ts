/** The browser transport: fetch for the JSON API, Socket.IO for jobs. */
import type { Socket } from 'socket.io-client';
import type { ErrorResponse, JobAccepted, RunRequest } from '../contract';
import { JobRouter } from './job-router';
import { TransportError, type JobHandlers, type Transport } from './types';

export interface HttpTransportOptions {
  /** Origin + path prefix the server is mounted at; '' for the page's own origin. */
  baseUrl?: string;
  /** The access token; defaults to `?token=` of the page's URL (the HttpOnly cookie a valid
   *  token sets covers later loads without it). */
  token?: string | null;
}

export function tokenFromUrl(search = window.location.search): string | null {
  return new URLSearchParams(search).get('token');
}

function isErrorBody(body: unknown): body is ErrorResponse {
  return typeof body === 'object' && body !== null && 'error' in body;
}

export class HttpTransport implements Transport {
  private readonly baseUrl: string;
  private readonly token: string | null;
  private readonly router = new JobRouter();
  private readonly workspaceOf = new Map<string, string>();
  private socket: Promise<Socket> | null = null;
  private closed = false;

  constructor(options: HttpTransportOptions = {}) {
    this.baseUrl = options.baseUrl ?? '';
    this.token = options.token === undefined ? tokenFromUrl() : options.token;
  }

  async request<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (this.token) headers['X-Insights-Token'] = this.token;
    if (method === 'POST') headers['Content-Type'] = 'application/json';
    let response: Response;
    try {
      response = await fetch(`${this.baseUrl}/api${path}`, {
        method,
        headers,
        credentials: 'same-origin',
        body: method === 'POST' ? JSON.stringify(body ?? {}) : undefined,
      });
    } catch (error) {
      throw new TransportError({ code: 'network', message: `the server cannot be reached (${String(error)})` });
    }
    const data: unknown = await response.json().catch(() => null);
    if (!response.ok || isErrorBody(data)) {
      const detail = isErrorBody(data)
        ? data.error
        : { code: 'http', message: `${method} ${path} failed with HTTP ${response.status}` };
      throw new TransportError(detail, response.status);
    }
    return data as T;
  }

  /** Connect once, on first use (socket.io-client is loaded lazily: not needed for the first view). */
  connect(): Promise<Socket> {
    if (this.closed) return Promise.reject(new TransportError({ code: 'closed', message: 'the transport is closed' }));
    if (!this.socket) {
      this.socket = import('socket.io-client').then(({ io }) => {
        const socket = io(this.baseUrl || undefined, {
          path: '/socket.io',
          auth: this.token ? { token: this.token } : {},
          transports: ['websocket', 'polling'],
          withCredentials: true,
        });
        for (const event of ['progress', 'partial', 'result', 'cancelled', 'error'] as const) {
          socket.on(event, (body: unknown) => this.router.dispatch(event, body));
        }
        socket.on('disconnect', (reason) => {
          if (reason === 'io client disconnect') return;
          // the server cancels a disconnected client's jobs: they will send nothing more
          this.router.failAll({ code: 'disconnected', message: `the connection to the server was lost (${reason}); run again when it is back` });
        });
        return socket;
      });
    }
    return this.socket;
  }

  /** The socket once connected, or the server's reason for refusing it. */
  private async connected(): Promise<Socket> {
    const socket = await this.connect();
    if (socket.connected) return socket;
    return new Promise((resolve, reject) => {
      const ok = () => { socket.off('connect_error', fail); resolve(socket); };
      const fail = (err: Error & { data?: { message?: string } }) => {
        socket.off('connect', ok);
        reject(new TransportError({ code: 'connect', message: err.data?.message ?? `cannot connect to the server (${err.message})` }));
      };
      socket.once('connect', ok);
      socket.once('connect_error', fail);
    });
  }

  async run(req: RunRequest, handlers: JobHandlers): Promise<JobAccepted> {
    const socket = await this.connected();
    const ack: unknown = await new Promise((resolve, reject) => {
      socket.timeout(30_000).emit('run', req, (err: Error | null, body: unknown) => {
        if (err) reject(new TransportError({ code: 'timeout', message: 'the server did not acknowledge the job' }));
        else resolve(body);
      });
    });
    if (isErrorBody(ack)) throw new TransportError(ack.error, 400);
    const accepted = ack as JobAccepted;
    this.workspaceOf.set(accepted.job_id, req.workspace);
    this.router.register(accepted.job_id, handlers);
    return accepted;
  }

  cancel(jobId: string): void {
    const workspace = this.workspaceOf.get(jobId);
    if (!workspace || !this.socket) return;
    void this.socket.then((socket) => socket.emit('cancel', { workspace, job_id: jobId }));
  }

  close(): void {
    this.closed = true;
    void this.socket?.then((socket) => socket.disconnect());
    this.socket = null;
  }
}
