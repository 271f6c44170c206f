/** Colormaps sampled from matplotlib (colormap-stops.ts), interpolated linearly. */
import { COLORMAP_STOPS } from './colormap-stops';
import type { Sign } from './normalize';

export type ColormapName = keyof typeof COLORMAP_STOPS & string;
export const COLORMAPS = Object.keys(COLORMAP_STOPS) as ColormapName[];

/** Signed values get a diverging, colour-blind-safe map; magnitudes a sequential one. */
export function defaultColormap(sign: Sign): ColormapName {
  return sign === 'all' ? 'RdBu_r' : 'viridis';
}

/** RGB (0–255 floats) of `cmap` at position `t` in [0, 1]. */
export function colorAt(cmap: string, t: number): [number, number, number] {
  const stops = COLORMAP_STOPS[cmap] ?? COLORMAP_STOPS.viridis;
  const x = Math.min(Math.max(Number.isFinite(t) ? t : 0, 0), 1) * (stops.length - 1);
  const i = Math.min(Math.floor(x), stops.length - 2);
  const f = x - i;
  const a = stops[i];
  const b = stops[i + 1];
  return [a[0] + (b[0] - a[0]) * f, a[1] + (b[1] - a[1]) * f, a[2] + (b[2] - a[2]) * f];
}

/** A 256-entry RGB lookup table, for painting many pixels fast. */
export function lookupTable(cmap: string): Uint8ClampedArray {
  const lut = new Uint8ClampedArray(256 * 3);
  for (let i = 0; i < 256; i++) lut.set(colorAt(cmap, i / 255).map(Math.round), i * 3);
  return lut;
}

/** Position in the colormap of a normalised value: [-1, 1] → [0, 1] for signed, else as is. */
export function position(value: number, sign: Sign): number {
  return sign === 'all' ? (value + 1) / 2 : value;
}

/** CSS colour of a normalised value. */
export function cssColor(value: number, sign: Sign, cmap: string): string {
  const [r, g, b] = colorAt(cmap, position(value, sign));
  return `rgb(${Math.round(r)}, ${Math.round(g)}, ${Math.round(b)})`;
}
