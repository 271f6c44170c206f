// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { useState } from 'react';
import { afterEach, describe, expect, it } from 'vitest';
import type { MethodInfo } from '../../contract';
import { ParamForm } from './param-form';
import { changedArgs, defaultArgs, parseArgs, type RawArgs } from '../../app/params';

const IG: MethodInfo = {
  name: 'IntegratedGradients', family: 'gradient', baselines: 'optional', stochastic: false, needs_layer: false,
  needs_neuron: false, convergence_delta: true, progress: true, help: 'Integrated gradients',
  params: [
    { name: 'n_steps', type: 'int', default: 50, minimum: 1, maximum: 2000, help: 'Points on the path.', nullable: false, choices: [], stage: 'attribute' },
    { name: 'method', type: 'choice', default: 'gausslegendre', choices: ['riemann_left', 'gausslegendre'], nullable: false, help: '', stage: 'attribute' },
    { name: 'internal_batch_size', type: 'int', default: null, minimum: 1, nullable: true, help: '', choices: [], stage: 'attribute' },
    { name: 'multiply_by_inputs', type: 'bool', default: true, nullable: false, help: '', choices: [], stage: 'init' },
    { name: 'stdevs', type: 'float', default: 1.0, minimum: 0, nullable: false, help: '', choices: [], stage: 'attribute' },
  ],
};

afterEach(cleanup);

function Harness({ onArgs }: { onArgs?: (raw: RawArgs) => void }) {
  const [raw, setRaw] = useState<RawArgs>({});
  return <ParamForm method={IG} raw={raw} onChange={(name, value) => {
    const next = { ...raw, [name]: value };
    setRaw(next);
    onArgs?.(next);
  }} />;
}

describe('argument parsing from the registry', () => {
  it('starts from the defaults and sends only what changed', () => {
    const { values, errors } = parseArgs(IG, defaultArgs(IG));
    expect(errors).toEqual({});
    expect(values).toEqual({ n_steps: 50, method: 'gausslegendre', internal_batch_size: null, multiply_by_inputs: true, stdevs: 1 });
    expect(changedArgs(IG, values)).toEqual({});
    expect(changedArgs(IG, parseArgs(IG, { n_steps: '100', multiply_by_inputs: false }).values))
      .toEqual({ n_steps: 100, multiply_by_inputs: false });
  });

  it('flags values out of bounds, of the wrong type, or missing', () => {
    const { errors } = parseArgs(IG, { n_steps: '0', stdevs: 'x', method: 'bogus' });
    expect(errors.n_steps).toMatch(/≥ 1/);
    expect(errors.stdevs).toMatch(/number/);
    expect(errors.method).toMatch(/one of/);
    expect(parseArgs(IG, { n_steps: '2.5' }).errors.n_steps).toMatch(/whole/);
    expect(parseArgs(IG, { n_steps: '2001' }).errors.n_steps).toMatch(/≤ 2000/);
    expect(parseArgs(IG, { n_steps: '' }).errors.n_steps).toMatch(/required/);
    expect(parseArgs(IG, { internal_batch_size: '' }).errors).toEqual({});
  });
});

describe('the generated form', () => {
  it('has one labelled control per parameter, of the right kind, with defaults and help', () => {
    render(<Harness />);
    const steps = screen.getByLabelText('n_steps') as HTMLInputElement;
    expect(steps.value).toBe('50');
    expect(steps.getAttribute('inputmode')).toBe('numeric');
    expect(screen.getByText('Points on the path.')).toBeTruthy();
    expect(screen.getByText('1…2000')).toBeTruthy();
    const method = screen.getByLabelText('method') as HTMLSelectElement;
    expect(method.tagName).toBe('SELECT');
    expect(Array.from(method.options, (o) => o.value)).toEqual(['riemann_left', 'gausslegendre']);
    const multiply = screen.getByLabelText('multiply_by_inputs') as HTMLInputElement;
    expect(multiply.type).toBe('checkbox');
    expect(multiply.checked).toBe(true);
    expect((screen.getByLabelText('internal_batch_size') as HTMLInputElement).placeholder).toBe('auto');
  });

  it('marks an invalid value as it is typed, and clears the mark when fixed', () => {
    let last: RawArgs = {};
    render(<Harness onArgs={(raw) => { last = raw; }} />);
    const steps = screen.getByLabelText('n_steps') as HTMLInputElement;
    fireEvent.change(steps, { target: { value: '5000' } });
    expect(steps.getAttribute('aria-invalid')).toBe('true');
    expect(screen.getByRole('status').textContent).toMatch(/≤ 2000/);
    expect(parseArgs(IG, last).errors.n_steps).toBeDefined();
    fireEvent.change(steps, { target: { value: '200' } });
    expect(steps.getAttribute('aria-invalid')).toBeNull();
    expect(parseArgs(IG, last).values.n_steps).toBe(200);
    fireEvent.click(screen.getByLabelText('multiply_by_inputs'));
    expect(last.multiply_by_inputs).toBe(false);
  });

  it('says so when a method takes no arguments', () => {
    render(<ParamForm method={{ ...IG, name: 'Saliency', params: [] }} raw={{}} onChange={() => undefined} />);
    expect(screen.getByText('Saliency takes no arguments.')).toBeTruthy();
  });
});
