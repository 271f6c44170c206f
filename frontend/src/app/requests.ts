/** Build the contract's requests from the user's settings. */
import type { AppInfo, AttributionRequest, MethodInfo, ModelInfo, Target } from '../contract';
import { changedArgs, parseArgs } from './params';
import type { Settings } from './settings';

/** A layer worth showing first: the last convolution, else an embedding, else the first layer. */
export function defaultLayer(model: ModelInfo | undefined): string {
  const layers = model?.layers ?? [];
  const conv = layers.filter((l) => /conv/i.test(l) && !/relu|pool|act/i.test(l));
  return conv[conv.length - 1] ?? layers.find((l) => /embed/i.test(l)) ?? layers[0] ?? '';
}

export function parseNeuron(text: string): number[] | null {
  const parts = text.split(/[\s,]+/).filter(Boolean).map(Number);
  return parts.length && parts.every((n) => Number.isInteger(n) && n >= 0) ? parts : null;
}

/** The chosen layer's output shape per example, when the server measured it (null when a method
 *  attributes to the layer's input instead: the server checks that neuron). */
export function neuronShape(s: Settings, info: AppInfo): number[] | null {
  if (s.methods.some((m) => [true, 'true'].includes(s.args[m]?.attribute_to_neuron_input as boolean | string))) return null;
  const model = info.models[s.models[0] ?? 0] ?? info.models[0];
  const shape = model?.layer_shapes?.[s.layer || defaultLayer(model)];
  return shape && shape.length ? shape : null;
}

/** Whether a neuron (one index per dimension) exists in a layer output of `shape`. */
export function neuronFits(neuron: number[], shape: number[]): boolean {
  return neuron.length === shape.length && neuron.every((n, i) => n < shape[i]);
}

/** A neuron that exists: the given one when it fits, else the first (all zeros). */
export function validNeuron(text: string, shape: number[] | null): string {
  const neuron = parseNeuron(text);
  if (!shape || (neuron && neuronFits(neuron, shape))) return text;
  return shape.map(() => 0).join(',');
}

export function targetOf(s: Settings): Target | null {
  if (s.target === 'default') return null;
  if (s.target === 'class') return { kind: 'class', class_name: s.targetClass };
  return { kind: s.target };
}

/** Why the current settings cannot run, by field; empty when they can. */
export function settingsErrors(s: Settings, info: AppInfo | null): Record<string, string> {
  const errors: Record<string, string> = {};
  if (!info) return errors;
  if (s.methods.length === 0) errors.methods = 'choose at least one method';
  for (const name of s.methods) {
    const method = info.methods.find((m) => m.name === name);
    if (!method) { errors.methods = `unknown method ${name}`; continue; }
    for (const [param, message] of Object.entries(parseArgs(method, s.args[name] ?? {}).errors)) {
      errors[`${name}.${param}`] = message;
    }
    if (method.needs_neuron) {
      const shape = neuronShape(s, info);
      const neuron = parseNeuron(s.neuron);
      if (!neuron) errors.neuron = 'give the neuron as indices separated by commas, e.g. 0 or 3,1,1';
      else if (shape && !neuronFits(neuron, shape)) {
        errors.neuron = `the layer's output has shape ${shape.join('×')}: give ${shape.length} index(es), each below its size`;
      }
    }
  }
  if (s.target === 'class' && !info.classes.includes(s.targetClass)) errors.target = 'choose a class to explain';
  return errors;
}

export function attributionRequest(s: Settings, info: AppInfo, method: MethodInfo, examples: string[]): AttributionRequest {
  const models = s.models.filter((m) => m < info.models.length);
  const { values } = parseArgs(method, s.args[method.name] ?? {});
  const request: AttributionRequest = {
    examples: examples as [string, ...string[]],
    models: (models.length ? models : [0]) as [number, ...number[]],
    method: method.name,
    args: changedArgs(method, values),
    target: targetOf(s),
    faithfulness: s.faithfulness,
  };
  if (method.needs_layer) request.layer = s.layer || defaultLayer(info.models[request.models![0]]);
  if (method.needs_neuron) request.neuron = parseNeuron(s.neuron);
  if (method.baselines !== 'none') {
    request.baselines = Object.fromEntries(
      Object.entries(s.baselines).filter(([f, b]) => info.features.some((x) => x.name === f && x.baselines.includes(b))),
    );
  }
  return request;
}

/**
 * The settings made to fit a workspace (after a switch, or a shared link): models, methods,
 * classes, layer and baselines it does not have are dropped, and a chosen class it does not have
 * falls back to the default target. Each change is said in a note, so nothing changes silently.
 */
export function fitSettings(s: Settings, info: AppInfo): { settings: Settings; notes: string[] } {
  const notes: string[] = [];
  const next: Settings = { ...s };
  const models = s.models.filter((m) => m < info.models.length);
  next.models = models.length ? models : [0];
  const methods = s.methods.filter((m) => info.methods.some((x) => x.name === m));
  const dropped = s.methods.filter((m) => !methods.includes(m));
  if (dropped.length) notes.push(`${dropped.join(', ')} ${dropped.length > 1 ? 'are' : 'is'} not offered here.`);
  next.methods = methods.length ? methods : [info.methods[0]?.name].filter(Boolean) as string[];
  if (s.target === 'class' && !info.classes.includes(s.targetClass)) {
    if (s.targetClass) notes.push(`"${s.targetClass}" is not a class of ${s.workspace}: explaining the default target instead.`);
    next.target = 'default';
    next.targetClass = '';
  }
  next.trueClasses = s.trueClasses.filter((c) => info.classes.includes(c));
  next.predictedClasses = s.predictedClasses.filter((c) => info.classes.includes(c));
  const layers = info.models[next.models[0]]?.layers ?? [];
  if (s.layer && !layers.includes(s.layer)) {
    notes.push(`The model has no layer ${s.layer}: using ${defaultLayer(info.models[next.models[0]])}.`);
    next.layer = '';
  }
  next.baselines = Object.fromEntries(Object.entries(s.baselines)
    .filter(([f, b]) => info.features.some((x) => x.name === f && x.baselines.includes(b))));
  return { settings: next, notes };
}
