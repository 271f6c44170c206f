import type { ArrayPayload } from '../contract';

export interface DecodedArray {
  shape: number[];
  data: Float32Array;
}

const cache = new WeakMap<ArrayPayload, DecodedArray>();

/** A base64 little-endian float32 payload as a typed array (decoded once per payload object). */
export function decodeArray(payload: ArrayPayload): DecodedArray {
  const hit = cache.get(payload);
  if (hit) return hit;
  const binary = atob(payload.data);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  const decoded = { shape: payload.shape, data: new Float32Array(bytes.buffer, 0, bytes.length >> 2) };
  cache.set(payload, decoded);
  return decoded;
}

/** Format a number compactly for labels and tooltips. */
export function fmt(value: number | null | undefined, digits = 3): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '–';
  if (value !== 0 && (Math.abs(value) < 1e-3 || Math.abs(value) >= 1e5)) return value.toExponential(2);
  return Number(value.toPrecision(digits)).toString();
}
