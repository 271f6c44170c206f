import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS, DEFAULT_VIEW_STATE, readSettings, readViewState, writeSettings } from './settings';
import { fitSettings, neuronShape, validNeuron } from './requests';
import type { AppInfo } from '../contract';

describe('settings in the URL', () => {
  it('round-trips methods, arguments, filters and target, and keeps the token', () => {
    const s = {
      ...DEFAULT_SETTINGS, workspace: 'digits', methods: ['IntegratedGradients', 'Occlusion'],
      args: { IntegratedGradients: { n_steps: '100', multiply_by_inputs: false } },
      target: 'class' as const, targetClass: '7', prediction: 'incorrect' as const, trueClasses: ['1', '7'],
      pageSize: 8, baselines: { digit: 'blur' },
    };
    const search = writeSettings(s, '?token=abc&stale=1');
    expect(search).toContain('token=abc');
    expect(search).not.toContain('stale');
    const back = readSettings(search);
    expect(back).toEqual({ ...s });
  });

  it('falls back to defaults for what the URL does not say', () => {
    expect(readSettings('?token=x')).toEqual({ ...DEFAULT_SETTINGS, args: {}, baselines: {} });
  });

  it('round-trips the drawing options, tab, page and opened examples', () => {
    const shown = { view: { sign: 'absolute_value' as const, mode: 'heat_map' as const, cmap: 'magma', alpha: 0.3, outlierPerc: 5 },
      tab: 'dataset' as const, page: 2, opened: [40, 7] };
    const search = writeSettings({ ...DEFAULT_SETTINGS, workspace: 'digits' }, '?token=t', shown);
    expect(readViewState(search)).toEqual(shown);
    expect(readViewState('?token=t')).toEqual(DEFAULT_VIEW_STATE);
    expect(readViewState('?sign=bogus&alpha=7&page=-1').view.sign).toBe('all');
  });
});

describe('settings fitted to a workspace', () => {
  const info = {
    models: [{ index: 0, name: 'M', device: 'cpu', layers: ['conv1', 'fc'] }], classes: ['neg', 'pos'],
    features: [{ name: 'review', kind: 'text', baselines: ['pad'], accepts_upload: true }],
    methods: [{ name: 'Saliency', family: 'gradient', baselines: 'none', stochastic: false, needs_layer: false,
      needs_neuron: false, convergence_delta: false, progress: true, help: '', params: [] }],
    limits: {}, default_target: 'label', engine_version: 't', cache: false,
  } satisfies AppInfo;

  it('drops what the workspace does not have and says so', () => {
    const { settings, notes } = fitSettings({ ...DEFAULT_SETTINGS, workspace: 'sentiment', methods: ['Saliency', 'Lime'],
      target: 'class', targetClass: '8', layer: 'conv2', trueClasses: ['8', 'pos'], models: [3],
      baselines: { digit: 'blur', review: 'pad' } }, info);
    expect(settings).toMatchObject({ methods: ['Saliency'], target: 'default', targetClass: '', layer: '',
      trueClasses: ['pos'], models: [0], baselines: { review: 'pad' } });
    expect(notes.join(' ')).toContain('"8" is not a class of sentiment');
    expect(notes.join(' ')).toContain('Lime');
    expect(notes.join(' ')).toContain('conv2');
  });

  it('keeps settings that fit, silently', () => {
    const given = { ...DEFAULT_SETTINGS, workspace: 'sentiment', methods: ['Saliency'], target: 'class' as const, targetClass: 'pos' };
    expect(fitSettings(given, info)).toEqual({ settings: given, notes: [] });
  });

  it('knows the chosen layer\'s neuron shape, except for a method attributing to the layer\'s input', () => {
    const shaped = { ...info, models: [{ ...info.models[0], layer_shapes: { conv1: [8, 4, 4], fc: [2] } }] };
    const s = { ...DEFAULT_SETTINGS, workspace: 'w', methods: ['NeuronGradient'], layer: 'conv1' };
    expect(neuronShape(s, shaped)).toEqual([8, 4, 4]);
    expect(neuronShape({ ...s, layer: 'fc' }, shaped)).toEqual([2]);
    expect(neuronShape({ ...s, args: { NeuronGradient: { attribute_to_neuron_input: true } } }, shaped)).toBeNull();
    expect(validNeuron('0', [8, 4, 4])).toBe('0,0,0');
    expect(validNeuron('7,3,3', [8, 4, 4])).toBe('7,3,3');
    expect(validNeuron('8,0,0', [8, 4, 4])).toBe('0,0,0');
    expect(validNeuron('5', null)).toBe('5');
  });
});
