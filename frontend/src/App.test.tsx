// @vitest-environment jsdom
/** The whole app against a fake transport: info → Fetch → progress → Cancel → result, and errors. */
import { act, cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { App } from './App';
import { scoreText } from './features/results/example-card';
import type { AppInfo, ExampleView, JobAccepted, PageResponse, RunRequest } from './contract';
import type { JobHandlers, Transport } from './transport/types';
import { TransportError } from './transport/types';

const INFO: AppInfo = {
  models: [{ index: 0, name: 'Tabular', device: 'cpu', layers: ['conv2', 'fc'], layer_shapes: { conv2: [32, 8, 8], fc: [2] } }],
  classes: ['no', 'yes'],
  features: [{ name: 'row', kind: 'general', baselines: ['zeros'], accepts_upload: false }],
  methods: [
    { name: 'IntegratedGradients', family: 'gradient', baselines: 'optional', stochastic: false, needs_layer: false,
      needs_neuron: false, convergence_delta: true, progress: true, help: '',
      params: [{ name: 'n_steps', type: 'int', default: 50, minimum: 1, maximum: 2000, help: '', nullable: false, choices: [], stage: 'attribute' }] },
    { name: 'Occlusion', family: 'perturbation', baselines: 'optional', stochastic: false, needs_layer: false,
      needs_neuron: false, convergence_delta: false, progress: true, help: '', params: [] },
    { name: 'LayerGradCam', family: 'layer', baselines: 'none', stochastic: false, needs_layer: true,
      needs_neuron: false, convergence_delta: false, progress: true, help: '', params: [] },
    { name: 'NeuronGradient', family: 'neuron', baselines: 'none', stochastic: false, needs_layer: true,
      needs_neuron: true, convergence_delta: false, progress: true, help: '', params: [] },
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
    if (path === '/workspaces') return { workspaces: ['tab', 'other'] } as T;
    if (path === '/w/tab/info') return INFO as T;
    if (path === '/w/other/info') return { ...INFO, classes: ['cat', 'dog'] } as T;
    if (path === '/w/other/estimate') return { passes: 50, per_example: 50, seconds: 0.2, within_limits: true } as T;
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

  it('after Cancel, a streamed map stays marked as cancelled and partial; another workspace starts clean', async () => {
    const transport = new FakeTransport();
    await fetchWith(transport);
    const { handlers, jobId } = transport.runs[0];
    act(() => handlers.onPartial({ job_id: jobId, model: 0, results: [result('IntegratedGradients', true)] }));
    expect(screen.getByText('streaming…')).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Cancel' }));
    act(() => handlers.onCancelled({ job_id: jobId }));
    const panel = screen.getByTestId('attribution');
    expect(panel.dataset.state).toBe('cancelled');
    expect(within(panel).getByText('cancelled · partial')).toBeTruthy();
    expect(screen.queryByText('streaming…')).toBeNull();
    expect(screen.getByText(/Cancelled: the server stopped/)).toBeTruthy();
    fireEvent.change(screen.getByLabelText('Workspace'), { target: { value: 'other' } });
    await waitFor(() => expect(document.body.dataset.ready).toBe('true'));
    await waitFor(() => expect(screen.queryByText(/Cancelled/)).toBeNull());
    expect(screen.queryByTestId('attribution')).toBeNull();
  });

  it('a chosen class the next workspace does not have falls back to the default target, said beside Fetch', async () => {
    window.history.replaceState(null, '', '/?ws=tab&target=class&class=yes');
    const transport = new FakeTransport();
    render(<App transport={transport} />);
    await waitFor(() => expect(document.body.dataset.ready).toBe('true'));
    expect((screen.getByLabelText('Class') as HTMLSelectElement).value).toBe('yes');
    fireEvent.change(screen.getByLabelText('Workspace'), { target: { value: 'other' } });
    await waitFor(() => expect(screen.getByText(/"yes" is not a class of other/)).toBeTruthy());
    expect((screen.getByLabelText('Explain') as HTMLSelectElement).value).toBe('default');
    expect(window.location.search).not.toContain('class=');
    expect((screen.getByRole('button', { name: 'Fetch' }) as HTMLButtonElement).disabled).toBe(false);
  });

  it('says beside Fetch why it is disabled, and takes the user to the field', async () => {
    const transport = new FakeTransport();
    render(<App transport={transport} />);
    await waitFor(() => expect(document.body.dataset.ready).toBe('true'));
    fireEvent.change(screen.getByLabelText('Explain'), { target: { value: 'class' } });
    const select = screen.getByLabelText('Class');
    expect(select.getAttribute('aria-invalid')).toBe('true');
    const reasons = screen.getByText('Fetch needs:').parentElement!;
    expect(reasons.textContent).toContain('choose a class to explain');
    fireEvent.click(within(reasons).getByRole('button', { name: 'Class' }));
    await waitFor(() => expect(document.activeElement).toBe(select));
  });

  it('re-attributes one example to the class chosen on its card', async () => {
    const transport = new FakeTransport();
    await fetchWith(transport);
    act(() => transport.runs[0].handlers.onResult({ job_id: 'job1', results: [result('IntegratedGradients')], seconds: 1, cache_hits: 0 }));
    const chip = screen.getByRole('button', { name: 'Explain no for example 0' });
    fireEvent.click(chip);
    await waitFor(() => expect(transport.runs.length).toBe(2));
    expect(transport.runs[1].req.request).toMatchObject({ examples: ['e1'], target: { kind: 'class', class_name: 'no' } });
    expect(chip.getAttribute('aria-pressed')).toBe('true');
  });

  it('prints probabilities with three decimals, never a rounded 1', async () => {
    const transport = new FakeTransport();
    await fetchWith(transport);
    expect(screen.getByText('0.900')).toBeTruthy();
    expect(scoreText(0.99996)).toBe('>0.999');
    expect(scoreText(1)).toBe('1.000');
    expect(scoreText(0.00001)).toBe('<0.001');
    expect(scoreText(-2.5)).toBe('-2.5');
  });

  it('keeps a method family open when its last method is unticked', async () => {
    const transport = new FakeTransport();
    render(<App transport={transport} />);
    await waitFor(() => expect(document.body.dataset.ready).toBe('true'));
    const box = screen.getByRole('checkbox', { name: 'LayerGradCam' });
    const family = box.closest('details')!;
    expect(family.open).toBe(false);
    fireEvent.click(box);
    await waitFor(() => expect(family.open).toBe(true));
    fireEvent.click(box);
    await new Promise((r) => setTimeout(r, 50));
    expect(family.open).toBe(true);
  });

  it('shows the drawing options that apply: no Display or Alpha without images', async () => {
    const transport = new FakeTransport();
    await fetchWith(transport);
    expect(screen.getByLabelText('Sign')).toBeTruthy();
    expect(screen.queryByLabelText('Display')).toBeNull();
    expect(screen.queryByLabelText('Alpha')).toBeNull();
  });

  it('keeps the drawing options, tab and page in the URL, and a shared link reopens that page', async () => {
    const transport = new FakeTransport();
    await fetchWith(transport);
    fireEvent.change(screen.getByLabelText('Sign'), { target: { value: 'positive' } });
    fireEvent.change(screen.getByLabelText('Outlier %'), { target: { value: '5' } });
    expect(window.location.search).toContain('sign=positive');
    expect(window.location.search).toContain('outlier=5');
    expect(window.location.search).toContain('page=0');
    const link = window.location.search;
    cleanup();
    window.history.replaceState(null, '', `/${link}`);
    const fresh = new FakeTransport();
    render(<App transport={fresh} />);
    await waitFor(() => expect(fresh.runs.length).toBe(1)); // the page is fetched and attributed at once
    expect((screen.getByLabelText('Sign') as HTMLSelectElement).value).toBe('positive');
    expect((screen.getByLabelText('Outlier %') as HTMLInputElement).value).toBe('5');
    expect(screen.getAllByTestId('example-card')).toHaveLength(1);
  });

  it('does not show the JSON field name to the user', async () => {
    const transport = new FakeTransport();
    transport.failRun = 'Integrated Gradients: steps must be between 1 and 2000';
    await (async () => {
      render(<App transport={transport} />);
      await waitFor(() => expect(document.body.dataset.ready).toBe('true'));
      fireEvent.click(screen.getByRole('button', { name: 'Fetch' }));
    })();
    await waitFor(() => expect(screen.getByRole('alert').textContent).toContain('steps must be between'));
    expect(screen.getByRole('alert').textContent).not.toContain('field');
  });

  it('offers only neurons of the chosen layer: one bounded index per dimension, starting from a valid one', async () => {
    const transport = new FakeTransport();
    render(<App transport={transport} />);
    await waitFor(() => expect(document.body.dataset.ready).toBe('true'));
    fireEvent.click(screen.getByRole('checkbox', { name: 'NeuronGradient' }));
    const layer = screen.getByLabelText('Layer') as HTMLSelectElement;
    expect(layer.value).toBe('conv2');
    expect(within(layer).getByRole('option', { name: 'conv2 (32×8×8)' })).toBeTruthy();
    const indices = screen.getAllByRole('spinbutton', { name: /Neuron index/ }) as HTMLInputElement[];
    expect(indices.map((i) => [i.value, i.max])).toEqual([['0', '31'], ['0', '7'], ['0', '7']]);
    expect((screen.getByRole('button', { name: 'Fetch' }) as HTMLButtonElement).disabled).toBe(false);
    fireEvent.change(indices[0], { target: { value: '40' } });
    expect((screen.getByRole('button', { name: 'Fetch' }) as HTMLButtonElement).disabled).toBe(true);
    fireEvent.change(indices[0], { target: { value: '5' } });
    fireEvent.change(layer, { target: { value: 'fc' } });
    const one = screen.getAllByRole('spinbutton', { name: /Neuron index/ }) as HTMLInputElement[];
    expect(one.map((i) => [i.value, i.max])).toEqual([['0', '1']]);
    fireEvent.click(screen.getByRole('button', { name: 'Fetch' }));
    await waitFor(() => expect(transport.runs.map((r) => r.req.request.method)).toContain('NeuronGradient'));
    expect(transport.runs.find((r) => r.req.request.method === 'NeuronGradient')?.req.request).toMatchObject({ layer: 'fc', neuron: [0] });
  });
});
