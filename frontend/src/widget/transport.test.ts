import { describe, expect, it, vi } from 'vitest';
import { detachImages, reassemble, toBase64, WidgetTransport, type WidgetModel } from './transport';
import type { RunRequest } from '../contract';
import { TransportError } from '../transport/types';

type Listener = (content: unknown, buffers: DataView[]) => void;

/** A stand-in for anywidget's model: records what the app sends, lets the test answer. */
function fakeModel() {
  const listeners: Listener[] = [];
  const sent: Array<Record<string, unknown>> = [];
  const sentBuffers: unknown[][] = [];
  const model: WidgetModel = {
    get: () => 760,
    send: (content, _callbacks, buffers) => { sent.push(content as Record<string, unknown>); sentBuffers.push(buffers ?? []); },
    on: (_event, cb) => { listeners.push(cb); },
    off: (_event, cb) => { listeners.splice(listeners.indexOf(cb), 1); },
  };
  const reply = (content: unknown, buffers: DataView[] = []) => listeners.forEach((l) => l(content, buffers));
  return { model, sent, sentBuffers, reply, listeners };
}

const view = (bytes: number[]) => new DataView(new Uint8Array(bytes).buffer);

describe('widget transport', () => {
  it('puts buffers back as the base64 strings of the contract', () => {
    const floats = new Float32Array([1.5, -2]);
    const body = { a: { shape: [2], dtype: 'float32', data: { $buffer: 1 } }, png: { $buffer: 0 }, n: [1, { k: 'x' }] };
    const out = reassemble(body, [view([137, 80]), new DataView(floats.buffer)]) as { png: string; a: { data: string }; n: unknown };
    expect(out.png).toBe(toBase64(new Uint8Array([137, 80])));
    const decoded = new Float32Array(Uint8Array.from(atob(out.a.data), (c) => c.charCodeAt(0)).buffer);
    expect(Array.from(decoded)).toEqual([1.5, -2]);
    expect(out.n).toEqual([1, { k: 'x' }]);
    expect(toBase64(new Uint8Array(100_000).fill(65)).length).toBe(133_336);
  });

  it('sends an uploaded image as a buffer, not base64 JSON', () => {
    const buffers: Uint8Array[] = [];
    const body = { inputs: { photo: { image: `data:image/png;base64,${btoa('\x89PNG')}` }, text: { text: 'hi' } } };
    expect(detachImages(body, buffers)).toEqual({ inputs: { photo: { image: { $buffer: 0 } }, text: { text: 'hi' } } });
    expect(Array.from(buffers[0])).toEqual([0x89, 0x50, 0x4e, 0x47]);
    expect(detachImages({ image: 'not base64!' }, [])).toEqual({ image: 'not base64!' });
    const { model, sent, sentBuffers } = fakeModel();
    void new WidgetTransport(model).request('POST', '/w/main/examples/upload', body);
    expect((sent[0].body as { inputs: { photo: { image: unknown } } }).inputs.photo.image).toEqual({ $buffer: 0 });
    expect(sentBuffers[0]).toHaveLength(1);
  });

  it('answers requests by id and turns error statuses into TransportErrors', async () => {
    const { model, sent, reply } = fakeModel();
    const t = new WidgetTransport(model);
    const info = t.request('GET', '/w/main/info');
    const bad = t.request('POST', '/w/main/examples/page', { page_size: 0 });
    expect(sent.map((m) => [m.kind, m.method, m.path])).toEqual([
      ['request', 'GET', '/api/w/main/info'], ['request', 'POST', '/api/w/main/examples/page']]);
    reply({ kind: 'response', id: 'someone-else', status: 200, body: {} });
    reply({ kind: 'response', id: sent[1].id, status: 400, body: { error: { code: 'bad_request', message: 'no', field: 'page_size' } } });
    reply({ kind: 'response', id: sent[0].id, status: 200, body: { classes: ['a'] } });
    await expect(info).resolves.toEqual({ classes: ['a'] });
    const error = (await bad.catch((e: unknown) => e)) as TransportError;
    expect(error).toBeInstanceOf(TransportError);
    expect(error.detail.field).toBe('page_size');
    expect(error.status).toBe(400);
  });

  it('runs a job: events to its handlers, cancel by job id, close rejects what waits', async () => {
    const { model, sent, reply, listeners } = fakeModel();
    const t = new WidgetTransport(model);
    const handlers = { onProgress: vi.fn(), onPartial: vi.fn(), onResult: vi.fn(), onCancelled: vi.fn(), onError: vi.fn() };
    const req = { workspace: 'main', request: { examples: ['e'], models: [0], method: 'Saliency' } } as unknown as RunRequest;
    const accepted = t.run(req, handlers);
    expect(sent[0]).toMatchObject({ kind: 'run', body: req });
    reply({ kind: 'response', id: sent[0].id, status: 200, body: { job_id: 'j1', estimate: {} } });
    await expect(accepted).resolves.toMatchObject({ job_id: 'j1' });
    reply({ kind: 'event', event: 'progress', body: { job_id: 'j1', fraction: 0.5 } });
    reply({ kind: 'event', event: 'result', body: { job_id: 'j1', results: [{ m: { $buffer: 0 } }] } }, [view([255])]);
    expect(handlers.onProgress).toHaveBeenCalledWith({ job_id: 'j1', fraction: 0.5 });
    expect(handlers.onResult.mock.calls[0][0].results[0].m).toBe('/w==');
    t.cancel('j1');
    expect(sent[1]).toMatchObject({ kind: 'cancel', body: { workspace: 'main', job_id: 'j1' } });
    const waiting = t.request('GET', '/workspaces');
    t.close();
    await expect(waiting).rejects.toBeInstanceOf(TransportError);
    expect(listeners).toHaveLength(0);
  });
});
