import { describe, expect, it } from 'vitest';
import type { AttributionResult, MethodInfo } from '../../contract';
import { pythonSnippet, resultAsCsv } from './export';

const param = (name: string, type: 'int' | 'bool' | 'choice', value: unknown, stage: 'init' | 'attribute' = 'attribute') =>
  ({ name, type, default: value, stage, nullable: false, help: '', choices: [] });

const method = (name: string, params: MethodInfo['params'], extra: Partial<MethodInfo> = {}): MethodInfo => ({
  name, family: 'gradient', params, baselines: 'optional', stochastic: false, needs_layer: false, needs_neuron: false,
  convergence_delta: false, progress: true, help: '', ...extra,
});

describe('Copy as Python', () => {
  it('writes the attr_engine call with the changed arguments in their stage', () => {
    const ig = method('IntegratedGradients', [param('n_steps', 'int', 50), param('multiply_by_inputs', 'bool', true, 'init')]);
    const code = pythonSnippet({ method: ig, args: { n_steps: 200, multiply_by_inputs: false }, layer: null, neuron: null,
      target: 3, baselines: { image: 'blur' }, exampleId: 'abc' });
    expect(code).toContain('from attr_engine import IntegratedGradients');
    expect(code).toContain('explainer = IntegratedGradients(model, multiply_by_inputs=False)');
    expect(code).toContain('explainer.attribute(inputs, n_steps=200, baselines=baselines, target=3)');
    expect(code).toContain('image: blur');
  });

  it('passes the layer (by attribute or get_submodule), the neuron, and an inner method', () => {
    const gradcam = method('LayerGradCam', [], { needs_layer: true, baselines: 'none' });
    expect(pythonSnippet({ method: gradcam, args: {}, layer: 'features.3', neuron: null, target: 0, baselines: {}, exampleId: 'x' }))
      .toContain('LayerGradCam(model, model.get_submodule("features.3"))');
    const neuron = method('NeuronGradient', [], { needs_layer: true, needs_neuron: true, baselines: 'none' });
    const code = pythonSnippet({ method: neuron, args: {}, layer: 'conv2', neuron: [3, 1], target: 0, baselines: {}, exampleId: 'x' });
    expect(code).toContain('NeuronGradient(model, model.conv2)');
    expect(code).toContain('neuron_selector=(3, 1)');
    const nt = method('NoiseTunnel', [param('inner', 'choice', 'Saliency', 'init'), param('nt_samples', 'int', 5)]);
    expect(pythonSnippet({ method: nt, args: { inner: 'IntegratedGradients', nt_samples: 10 }, layer: null, neuron: null, target: 1, baselines: {}, exampleId: 'x' }))
      .toContain('explainer = NoiseTunnel(IntegratedGradients(model))');
  });
});

describe('CSV export', () => {
  it('writes one row per token, named value, or array element with its index', () => {
    const base = { example_id: 'e', model: 0, method: 'M', target: 0, target_name: 'a', cached: false };
    const text: AttributionResult = { ...base, features: [{ name: 'review', kind: 'text', total: 1, payload: { kind: 'text', tokens: ['good', '"ok"'], scores: [0.5, -1] } }] };
    expect(resultAsCsv(text)).toBe('feature,element,attribution\n"review","good",0.5\n"review","""ok""",-1\n');
    const data = btoa(String.fromCharCode(...new Uint8Array(new Float32Array([1, 2, 3, 4]).buffer)));
    const image: AttributionResult = { ...base, features: [{ name: 'img', kind: 'image', total: 10, payload: { kind: 'image', png: '', height: 2, width: 2, attribution: { shape: [2, 2], dtype: 'float32', data } } }] };
    expect(resultAsCsv(image).trim().split('\n').slice(1)).toEqual(['"img","0 0",1', '"img","0 1",2', '"img","1 0",3', '"img","1 1",4']);
  });
});
