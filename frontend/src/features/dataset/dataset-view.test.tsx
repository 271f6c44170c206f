// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { AppInfo, DatasetStatus, DatasetSummary } from '../../contract';
import { DEFAULT_SETTINGS } from '../../app/settings';
import { TransportContext } from '../../transport/context';
import type { Transport } from '../../transport/types';
import { DEFAULT_VIEW } from '../../app/view-settings';
import { DatasetView, binLabel, running } from './dataset-view';

const INFO = {
  models: [{ index: 0, name: 'Text', device: 'cpu', layers: [] }], classes: ['neg', 'pos'],
  features: [{ name: 'review', kind: 'text', baselines: ['pad'], accepts_upload: true }],
  methods: [{ name: 'IntegratedGradients', family: 'gradient', baselines: 'optional', stochastic: false, needs_layer: false,
    needs_neuron: false, convergence_delta: true, progress: true, help: '', params: [] }],
  limits: {}, default_target: 'label', engine_version: 't', cache: false,
} satisfies AppInfo;

const SUMMARY: DatasetSummary = {
  method: 'IntegratedGradients', done: 2, total: 2, errors: 0, spec: {}, class_maps: {},
  top_tokens: { review: [{ class_index: 1, name: 'pos', top: [{ token: 3, name: 'great', mean: 2.5, count: 4 }], bottom: [] }] },
  faithfulness: { count: 2, mean: 0.3, quantiles: {}, histogram: { counts: [1, 1], edges: [0, 0.5, 1] },
    worst: [{ example_id: 'x', index: 7, target: 1, deletion_auc: 0.9 }] },
};

afterEach(cleanup);

describe('Dataset view', () => {
  it('starts a job with the chosen method and shows its summary', async () => {
    const jobs: DatasetStatus[] = [];
    const posted: unknown[] = [];
    const transport: Transport = {
      async request<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
        if (method === 'POST' && path === '/w/sent/datasets') {
          posted.push(body);
          jobs.push({ name: 'IntegratedGradients-0', method: 'IntegratedGradients', model: 0, done: 2, total: 2, errors: 0, state: 'done' });
          return { job_id: 'j', name: 'IntegratedGradients-0' } as T;
        }
        if (path === '/w/sent/datasets') return { datasets: jobs } as T;
        if (path === '/w/sent/datasets/IntegratedGradients-0/summary') return SUMMARY as T;
        throw new Error(path);
      },
      run: () => Promise.reject(new Error('no run')), cancel() {}, close() {},
    };
    render(
      <TransportContext.Provider value={transport}>
        <DatasetView info={INFO} settings={{ ...DEFAULT_SETTINGS, workspace: 'sent' }} view={DEFAULT_VIEW} />
      </TransportContext.Provider>,
    );
    expect(await screen.findByText('No data-set jobs in this workspace yet.')).toBeTruthy();
    fireEvent.change(screen.getByLabelText('Examples (at most)'), { target: { value: '50' } });
    fireEvent.click(screen.getByRole('button', { name: 'Start data-set job' }));
    await waitFor(() => expect(screen.getByText(/Tokens that drive each class/)).toBeTruthy());
    expect(posted[0]).toMatchObject({ name: 'IntegratedGradients-0', method: 'IntegratedGradients', limit: 50, model: 0 });
    expect(screen.getByText('great (4)')).toBeTruthy();
    expect(screen.getByText(/example 7 · target pos · AUC 0.9/)).toBeTruthy();
  });

  it('opens a worst example in the normal view', async () => {
    const job: DatasetStatus = { name: 'IG', method: 'IntegratedGradients', model: 0, done: 2, total: 2, errors: 0, state: 'done' };
    const transport: Transport = {
      async request<T>(_method: 'GET' | 'POST', path: string): Promise<T> {
        if (path === '/w/sent/datasets') return { datasets: [job] } as T;
        if (path === '/w/sent/datasets/IG/summary') return SUMMARY as T;
        throw new Error(path);
      },
      run: () => Promise.reject(new Error('no run')), cancel() {}, close() {},
    };
    const opened: number[] = [];
    render(
      <TransportContext.Provider value={transport}>
        <DatasetView info={INFO} settings={{ ...DEFAULT_SETTINGS, workspace: 'sent' }} view={DEFAULT_VIEW}
          onOpen={(i) => opened.push(i)} />
      </TransportContext.Provider>,
    );
    fireEvent.click(await screen.findByRole('button', { name: 'IG' }));
    fireEvent.click(await screen.findByRole('button', { name: 'example 7' }));
    expect(opened).toEqual([7]);
  });

  it('follows a job that is listed only after it started, and asks for its summary only then', async () => {
    const jobs: DatasetStatus[] = [];
    const asked: string[] = [];
    let lists = 0;
    let listedAt = -1;
    const transport: Transport = {
      async request<T>(method: 'GET' | 'POST', path: string): Promise<T> {
        asked.push(path);
        if (method === 'POST') return { job_id: 'j', name: 'late' } as T;
        if (path === '/w/sent/datasets') {
          lists += 1;
          // listed first without a state (its status not written yet), then done
          if (lists === 3) listedAt = asked.length - 1;
          if (lists === 3) jobs.push({ name: 'late', method: 'IntegratedGradients', model: 0, done: 0, total: 2, errors: 0, state: null });
          if (lists === 4) jobs[0] = { ...jobs[0], done: 2, state: 'done' };
          return { datasets: [...jobs] } as T;
        }
        if (path === '/w/sent/datasets/late/summary') return SUMMARY as T;
        throw new Error(path);
      },
      run: () => Promise.reject(new Error('no run')), cancel() {}, close() {},
    };
    render(
      <TransportContext.Provider value={transport}>
        <DatasetView info={INFO} settings={{ ...DEFAULT_SETTINGS, workspace: 'sent' }} view={DEFAULT_VIEW} />
      </TransportContext.Provider>,
    );
    await screen.findByText('No data-set jobs in this workspace yet.');
    fireEvent.click(screen.getByRole('button', { name: 'Start data-set job' }));
    await waitFor(() => expect(screen.getByRole('button', { name: 'late' })).toBeTruthy(), { timeout: 4000 });
    await waitFor(() => expect(screen.getByText('done')).toBeTruthy(), { timeout: 4000 });
    await waitFor(() => expect(screen.getByText(/Tokens that drive each class/)).toBeTruthy());
    expect(listedAt).toBeGreaterThan(0);
    expect(asked.indexOf('/w/sent/datasets/late/summary')).toBeGreaterThan(listedAt); // never a 404 before
    expect(screen.queryByRole('alert')).toBeNull();
  });
});

describe('Dataset view helpers', () => {
  const status = (state: string | null, done = 1): DatasetStatus =>
    ({ name: 'n', method: 'Saliency', model: 0, done, total: 4, errors: 0, state });

  it('stops watching a job whose state is final, stopped included', () => {
    for (const state of ['done', 'error', 'cancelled', 'stopped']) expect(running(status(state))).toBe(false);
    expect(running(status('running'))).toBe(true);
    expect(running(status(null))).toBe(true); // just started: no status written yet
    expect(running(status(null, 4))).toBe(false);
  });

  it('labels bins with true minus signs and as many digits as the bin needs', () => {
    expect(binLabel(-13, -12)).toBe('−13 to −12');
    expect(binLabel(0.1105, 0.1147)).toBe('0.111 to 0.115');
    expect(binLabel(0.1, 0.2)).toBe('0.1 to 0.2');
  });
});
