// @vitest-environment jsdom
/** The whole app against a fake transport: info → Fetch → progress → Cancel → result, and errors. */
import { act, cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { App } from './App';
import type { AppInfo, ExampleView, JobAccepted, PageResponse, RunRequest } from './contract';
import type { JobHandlers, Transport } from './transport/types';
import { TransportError } from './transport/types';

const INFO: AppInfo = {
  models: [{ index: 0, name: 'Tabular', device: 'cpu', layers: ['fc'] }],
  classes: ['no', 'yes'],
  features: [{ name: 'row', kind: 'general', baselines: ['zeros'], accepts_upload: false }],
  methods: [
    { name: 'IntegratedGradients', family: 'gradient', baselines: 'optional', stochastic: false, needs_layer: false,
      needs_neuron: false, convergence_delta: true, progress: true, help: '',
      params: [{ name: 'n_steps', type: 'int', default: 50, minimum: 1, maximum: 2000, help: '', nullable: false, choices: [], stage: 'attribute' }] },
    { name: 'Occlusion', family: 'perturbation', baselines: 'optional', stochastic: false, needs_layer: false,
      needs_neuron: false, convergence_delta: false, progress: true, help: '', params: [] },
  ],
  limits: { max_page_size: 64, max_examples_per_job: 32 },
  default_target: 'label', engine_version: 'test', cache: false,
};

const EXAMPLE: ExampleView = {
  id: 'e1', source: 'dataset', index: 0, label: 1, label_name: 'yes',
  features: [{ name: 'row', payload: { kind: 'general', names: ['a', 'b'], values: [1, 2] } }],
  predictions: [{ model: 0, predicted: { index: 1, name: 'yes', score: 0.9 }, top: [{ index: 1, name: 'yes', score: 0.9 }, { index: 0, name: 'no', score: 0.1 }] }],
};

class FakeTransport implements Transport {
  runs: Array<{ req: RunRequest; handlers: JobHandlers; jobId: string }> = [];
  cancel = vi.fn();
  failRun: string | null = null;
  async request<T>(method: 'GET' | 'POST', path: string): Promise<T> {
    if (path === '/workspaces') return { workspaces: ['tab'] } as T;
    if (path === '/w/tab/info') return INFO as T;
    if (path === '/w/tab/examples/page') {
      return { page: 0, page_size: 4, examples: [EXAMPLE], has_more: false, scanned: 1 } satisfies PageResponse as T;
    }
    if (path === '/w/tab/estimate') return { passes: 50, per_example: 50, seconds: 0.2, within_limits: true } as T;
    throw new Error(`unexpected ${method} ${path}`);
  }
  async run(req: RunRequest, handlers: JobHandlers): Promise<JobAccepted> {
    if (this.failRun) throw new TransportError({ code: 'bad_request', message: this.failRun, field: 'args' }, 400);
    const jobId = `job${this.runs.length + 1}`;
    this.runs.push({ req, handlers, jobId });
    return { job_id: jobId, estimate: { passes: 50, per_example: 50, seconds: 0.2, within_limits: true } };
  }
  close() {}
}

const result = (method: string, partial = false) => ({
  example_id: 'e1', model: 0, method, target: 1, target_name: 'yes', cached: false, delta: 0.5, suggested_n_steps: 400, partial,
  features: [{ name: 'row', kind: 'general', total: 3, payload: { kind: 'general' as const, names: ['a', 'b'], values: [1, 2], scores: [1, 2] } }],
});

afterEach(() => { cleanup(); window.history.replaceState(null, '', '/'); });

async function fetchWith(transport: FakeTransport) {
  render(<App transport={transport} />);
  await waitFor(() => expect(document.body.dataset.ready).toBe('true'));
  fireEvent.click(screen.getByRole('button', { name: 'Fetch' }));
  await waitFor(() => expect(transport.runs.length).toBe(1));
}

describe('App over a transport', () => {
  it('runs the selected method, shows progress, then the finished panel', async () => {
    const transport = new FakeTransport();
    await fetchWith(transport);
    const { req, handlers, jobId } = transport.runs[0];
    expect(req).toMatchObject({ workspace: 'tab', request: { examples: ['e1'], method: 'IntegratedGradients', models: [0] } });
    act(() => handlers.onProgress({ job_id: jobId, fraction: 0.4, done: 20, total: 50, unit: 0, units: 1, elapsed_s: 1, eta_s: 1.5 }));
    const bar = screen.getByRole('progressbar');
    expect(bar.getAttribute('aria-valuenow')).toBe('40');
    expect(screen.getByText(/20\/50 steps/)).toBeTruthy();
    act(() => handlers.onPartial({ job_id: jobId, model: 0, results: [result('IntegratedGradients', true)] }));
    expect(screen.getByTestId('attribution').dataset.state).toBe('partial');
    act(() => handlers.onResult({ job_id: jobId, results: [result('IntegratedGradients')], seconds: 1, cache_hits: 0 }));
    const panel = screen.getByTestId('attribution');
    expect(panel.dataset).toMatchObject({ state: 'done', kind: 'general' });
    expect(within(panel).getByText(/raise n_steps to ~400/)).toBeTruthy();
    expect(screen.queryByRole('progressbar')).toBeNull();
    expect(screen.getAllByTestId('example-card')).toHaveLength(1);
    expect(window.location.search).toContain('methods=IntegratedGradients');
  });

  it('Cancel asks the server to stop the running job, and the bar goes when it has', async () => {
    const transport = new FakeTransport();
    await fetchWith(transport);
    const { handlers, jobId } = transport.runs[0];
    fireEvent.click(screen.getByRole('button', { name: 'Cancel' }));
    expect(transport.cancel).toHaveBeenCalledWith(jobId);
    expect(screen.getByRole('progressbar')).toBeTruthy();
    act(() => handlers.onCancelled({ job_id: jobId }));
    expect(screen.queryByRole('progressbar')).toBeNull();
    expect(screen.getByText(/Cancelled/)).toBeTruthy();
  });

  it('Escape cancels a run too', async () => {
    const transport = new FakeTransport();
    await fetchWith(transport);
    await waitFor(() => expect(screen.getByRole('progressbar')).toBeTruthy());
    fireEvent.keyDown(window, { key: 'Escape' });
    await waitFor(() => expect(transport.cancel).toHaveBeenCalledWith(transport.runs[0].jobId));
  });

  it("shows the server's error in a banner, and Retry runs again", async () => {
    const transport = new FakeTransport();
    await fetchWith(transport);
    act(() => transport.runs[0].handlers.onError({ job_id: 'job1', error: { code: 'model_error', message: 'RuntimeError: boom' } }));
    expect(screen.getByRole('alert').textContent).toContain('RuntimeError: boom');
    fireEvent.click(screen.getByRole('button', { name: 'Retry' }));
    await waitFor(() => expect(transport.runs.length).toBe(2));
  });

  it('refuses to run with an invalid argument, and reports a refused job', async () => {
    const transport = new FakeTransport();
    render(<App transport={transport} />);
    await waitFor(() => expect(document.body.dataset.ready).toBe('true'));
    fireEvent.change(screen.getByLabelText('n_steps'), { target: { value: '0' } });
    expect((screen.getByRole('button', { name: 'Fetch' }) as HTMLButtonElement).disabled).toBe(true);
    fireEvent.change(screen.getByLabelText('n_steps'), { target: { value: '10' } });
    transport.failRun = 'this run needs about 5000000 model evaluations';
    fireEvent.click(screen.getByRole('button', { name: 'Fetch' }));
    await waitFor(() => expect(screen.getByRole('alert').textContent).toContain('5000000 model evaluations'));
  });
});
