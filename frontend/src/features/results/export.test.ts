import { describe, expect, it } from 'vitest';
import type { AttributionResult, MethodInfo } from '../../contract';
import { fileBase, pngLayout, pythonSnippet, resultAsCsv, resultAsJson } from './export';

const param = (name: string, type: 'int' | 'bool' | 'choice', value: unknown, stage: 'init' | 'attribute' = 'attribute') =>
  ({ name, type, default: value, stage, nullable: false, help: '', choices: [] });

const method = (name: string, params: MethodInfo['params'], extra: Partial<MethodInfo> = {}): MethodInfo => ({
  name, family: 'gradient', params, baselines: 'optional', stochastic: false, needs_layer: false, needs_neuron: false,
  convergence_delta: false, progress: true, help: '', ...extra,
});

const where = { workspace: 'digits', example: { index: 3, id: 'abc' }, model: 0, text: false };

describe('Copy as Python', () => {
  it('writes a complete script: imports, the workspace\'s model and example, the call with the changed arguments', () => {
    const ig = method('IntegratedGradients', [param('n_steps', 'int', 50), param('multiply_by_inputs', 'bool', true, 'init')]);
    const code = pythonSnippet({ ...where, method: ig, args: { n_steps: 200, multiply_by_inputs: false }, layer: null, neuron: null,
      target: 3, baselines: { digit: 'blur' } });
    expect(code).toContain('from attr_engine import IntegratedGradients');
    expect(code).toContain('from insights.snippets import load_example');
    expect(code).toContain('example = load_example("digits", index=3, model=0, baselines={"digit": "blur"})');
    expect(code).toContain('model, inputs, baselines = example.model, example.inputs, example.baselines');
    expect(code).toContain('explainer = IntegratedGradients(model, multiply_by_inputs=False)');
    expect(code).toContain('explainer.attribute(inputs, n_steps=200, baselines=baselines, target=3)');
    expect(code).toMatch(/replace these two lines/);
    expect(code).toContain('print(');
  });

  it('passes the layer (by attribute or get_submodule), the neuron, and an inner method', () => {
    const gradcam = method('LayerGradCam', [], { needs_layer: true, baselines: 'none' });
    expect(pythonSnippet({ ...where, method: gradcam, args: {}, layer: 'features.3', neuron: null, target: 0, baselines: {} }))
      .toContain('LayerGradCam(model, model.get_submodule("features.3"))');
    const neuron = method('NeuronGradient', [], { needs_layer: true, needs_neuron: true, baselines: 'none' });
    const code = pythonSnippet({ ...where, method: neuron, args: {}, layer: 'conv2', neuron: [3, 1], target: 0, baselines: {} });
    expect(code).toContain('NeuronGradient(model, model.conv2)');
    expect(code).toContain('neuron_selector=(3, 1)');
    expect(pythonSnippet({ ...where, method: neuron, args: {}, layer: 'fc', neuron: [2], target: 0, baselines: {} }))
      .toContain('neuron_selector=2,');
    const nt = method('NoiseTunnel', [param('inner', 'choice', 'Saliency', 'init'), param('nt_samples', 'int', 5)]);
    expect(pythonSnippet({ ...where, method: nt, args: { inner: 'IntegratedGradients', nt_samples: 10 }, layer: null, neuron: null, target: 1, baselines: {} }))
      .toContain('explainer = NoiseTunnel(IntegratedGradients(model))');
  });

  it('for text, passes the dashboard\'s extra arguments and finds layers in the model itself', () => {
    const lig = method('LayerIntegratedGradients', [], { needs_layer: true });
    const code = pythonSnippet({ ...where, text: true, method: lig, args: {}, layer: 'embedding', neuron: null, target: 1, baselines: {} });
    expect(code).toContain('LayerIntegratedGradients(model, example.module.get_submodule("embedding"))');
    expect(code).toContain('**example.extra(explainer)');
  });
});

describe('exported files', () => {
  it('are named by the example\'s place, the method, the model and the target', () => {
    expect(fileBase({ method: 'IntegratedGradients', example: { index: 3, source: 'dataset', id: 'f00ba4' }, model: 'DigitsCNN', target: '7' }))
      .toBe('example3_IntegratedGradients_DigitsCNN_target-7');
    expect(fileBase({ method: 'Saliency', example: { index: null, source: 'upload', id: 'x' }, model: 'My net', target: 'a b' }))
      .toBe('your-input_Saliency_My-net_target-a-b');
  });

  it('draw a map at least as large as on screen (whole pixels), with room for a title and a colour bar', () => {
    const small = pngLayout(16, 16);
    expect(small.scale).toBe(15);
    expect(small.map).toMatchObject({ w: 240, h: 240 });
    expect(small.bar.y).toBeGreaterThan(small.map.y + small.map.h);
    expect(small.height).toBeGreaterThan(small.bar.y + small.bar.h);
    expect(pngLayout(32, 32).map.w).toBe(256);
    expect(pngLayout(300, 200).scale).toBe(1);
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

describe('exports of an RGB image', () => {
  it('keep its channels: (3, h, w) in JSON and a channel index in CSV', () => {
    const encode = (values: number[]) => btoa(String.fromCharCode(...new Uint8Array(new Float32Array(values).buffer)));
    const perChannel = [1, 2, 3, 4, 10, 20, 30, 40, 100, 200, 300, 400];
    const image: AttributionResult = {
      example_id: 'e', model: 0, method: 'M', target: 0, target_name: 'a', cached: false,
      features: [{ name: 'img', kind: 'image', total: 1110, payload: {
        kind: 'image', png: '', height: 2, width: 2,
        attribution: { shape: [2, 2], dtype: 'float32', data: encode([111, 222, 333, 444]) },
        channels: { shape: [3, 2, 2], dtype: 'float32', data: encode(perChannel) } } }],
    };
    const json = resultAsJson(image) as { features: Array<{ attribution: { shape: number[]; values: number[] } }> };
    expect(json.features[0].attribution).toEqual({ shape: [3, 2, 2], values: perChannel });
    const rows = resultAsCsv(image).trim().split('\n');
    expect(rows).toHaveLength(13);
    expect(rows[5]).toBe('"img","1 0 0",10');
  });
});
