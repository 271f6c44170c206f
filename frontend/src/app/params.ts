/**
 * Method arguments as the form holds them (strings, as typed) and as the server wants them,
 * validated against the registry's ParamInfo: type, bounds, choices, nullability.
 */
import type { MethodInfo, ParamInfo } from '../contract';

export type ArgValue = boolean | number | string | number[] | null;
/** Raw form values by parameter name: text for numbers and strings, booleans for checkboxes. */
export type RawArgs = Record<string, string | boolean>;

export interface ParsedArgs {
  values: Record<string, ArgValue>;
  errors: Record<string, string>;
}

/** The form's initial value of a parameter: its default ('' for a nullable one without default). */
export function defaultRaw(param: ParamInfo): string | boolean {
  if (param.type === 'bool') return Boolean(param.default);
  return param.default === null || param.default === undefined ? '' : String(param.default);
}

export function defaultArgs(method: MethodInfo): RawArgs {
  return Object.fromEntries(method.params.map((p) => [p.name, defaultRaw(p)]));
}

/** One parameter's value, or an error message saying what is expected. */
export function parseParam(param: ParamInfo, raw: string | boolean | undefined): { value?: ArgValue; error?: string } {
  const given = raw === undefined ? defaultRaw(param) : raw;
  if (param.type === 'bool') return { value: given === true || given === 'true' };
  const text = String(given).trim();
  if (text === '') {
    if (param.nullable) return { value: null };
    return { error: `${param.name} is required` };
  }
  if (param.type === 'choice') {
    const choices = (param.choices ?? []).map(String);
    return choices.includes(text) ? { value: text } : { error: `${param.name} must be one of ${choices.join(', ')}` };
  }
  if (param.type === 'str') return { value: text };
  if (param.type === 'ints') {
    const parts = text.split(/[\s,×x]+/).filter(Boolean).map(Number);
    const bad = parts.find((n) => !Number.isInteger(n) || (param.minimum != null && n < param.minimum)
      || (param.maximum != null && n > param.maximum));
    if (parts.length === 0 || bad !== undefined) {
      return { error: `${param.name} must be whole numbers${param.minimum != null ? ` ≥ ${param.minimum}` : ''}, e.g. 4, 4` };
    }
    return { value: parts };
  }
  const number = Number(text);
  if (!Number.isFinite(number)) return { error: `${param.name} must be a number` };
  if (param.type === 'int' && !Number.isInteger(number)) return { error: `${param.name} must be a whole number` };
  if (param.minimum !== null && param.minimum !== undefined && number < param.minimum) {
    return { error: `${param.name} must be ≥ ${param.minimum}` };
  }
  if (param.maximum !== null && param.maximum !== undefined && number > param.maximum) {
    return { error: `${param.name} must be ≤ ${param.maximum}` };
  }
  return { value: number };
}

/** All arguments of a method: values to send (defaults included) and errors by name. */
export function parseArgs(method: MethodInfo, raw: RawArgs): ParsedArgs {
  const values: Record<string, ArgValue> = {};
  const errors: Record<string, string> = {};
  for (const param of method.params) {
    const { value, error } = parseParam(param, raw[param.name]);
    if (error) errors[param.name] = error;
    else values[param.name] = value ?? null;
  }
  return { values, errors };
}

/** Only the arguments that differ from their defaults (short URLs, short Python snippets). */
export function changedArgs(method: MethodInfo, values: Record<string, ArgValue>): Record<string, ArgValue> {
  const out: Record<string, ArgValue> = {};
  for (const param of method.params) {
    const value = values[param.name];
    if (value !== undefined && value !== (param.default ?? null)) out[param.name] = value;
  }
  return out;
}
