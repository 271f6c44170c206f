import { describe, expect, it } from 'vitest';
import type { MethodInfo, ParamInfo } from '../../contract';
import { pythonSnippet } from './export';
import { parseParam } from '../../app/params';

const WINDOW: ParamInfo = {
  name: 'sliding_window_shapes', type: 'ints', default: null, minimum: 1, nullable: true, help: '', choices: [],
  stage: 'attribute',
};

describe('list-of-integers arguments (Occlusion windows)', () => {
  it('reads commas, spaces or x between sizes, and empty as automatic', () => {
    expect(parseParam(WINDOW, '4, 4')).toEqual({ value: [4, 4] });
    expect(parseParam(WINDOW, '4x8')).toEqual({ value: [4, 8] });
    expect(parseParam(WINDOW, '')).toEqual({ value: null });
  });

  it('flags fractions and sizes under the minimum before sending', () => {
    expect(parseParam(WINDOW, '4, 2.5').error).toMatch(/whole numbers ≥ 1/);
    expect(parseParam(WINDOW, '0, 4').error).toMatch(/whole numbers/);
    expect(parseParam(WINDOW, 'four').error).toMatch(/whole numbers/);
  });

  it('"Copy as Python" writes the engine window the server resolved, as tuples', () => {
    const occlusion: MethodInfo = {
      name: 'Occlusion', family: 'perturbation', baselines: 'optional', stochastic: false, needs_layer: false,
      needs_neuron: false, convergence_delta: false, progress: true, help: '',
      params: [WINDOW, { ...WINDOW, name: 'strides' }],
    };
    const code = pythonSnippet({
      method: occlusion, args: { sliding_window_shapes: [1, 4, 4], strides: [1, 2, 2] }, layer: null, neuron: null,
      target: 3, baselines: {}, workspace: 'shapes', example: { index: 1, id: 'abc' }, model: 0, text: false,
    });
    expect(code).toContain('explainer.attribute(inputs, sliding_window_shapes=(1, 4, 4), strides=(1, 2, 2), baselines=baselines, target=3)');
  });
});
