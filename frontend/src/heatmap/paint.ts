/**
 * Paint an image attribution into RGBA pixels, as Captum's visualisation modes do:
 * heat map, blended heat map (over the greyscale input), masked image, or the input alone.
 */
import { lookupTable, position } from './colormap';
import { normalizeAttr, type Sign } from './normalize';

export type ImageMode = 'heat_map' | 'blended_heat_map' | 'masked_image' | 'original_image';
export const IMAGE_MODES: readonly ImageMode[] = ['blended_heat_map', 'heat_map', 'masked_image', 'original_image'];

export interface PaintOptions {
  sign: Sign;
  mode: ImageMode;
  cmap: string;
  alpha: number;
  outlierPerc: number;
}

/** Bilinear resampling of an (h, w) map to (height, width): layer/GradCAM maps onto the input. */
export function resize(map: ArrayLike<number>, h: number, w: number, height: number, width: number): Float64Array {
  if (h === height && w === width) return Float64Array.from(map);
  const out = new Float64Array(height * width);
  for (let y = 0; y < height; y++) {
    const sy = Math.min(Math.max(((y + 0.5) * h) / height - 0.5, 0), h - 1);
    const y0 = Math.floor(sy);
    const y1 = Math.min(y0 + 1, h - 1);
    const fy = sy - y0;
    for (let x = 0; x < width; x++) {
      const sx = Math.min(Math.max(((x + 0.5) * w) / width - 0.5, 0), w - 1);
      const x0 = Math.floor(sx);
      const x1 = Math.min(x0 + 1, w - 1);
      const fx = sx - x0;
      const top = map[y0 * w + x0] * (1 - fx) + map[y0 * w + x1] * fx;
      const bottom = map[y1 * w + x0] * (1 - fx) + map[y1 * w + x1] * fx;
      out[y * width + x] = top * (1 - fy) + bottom * fy;
    }
  }
  return out;
}

/**
 * RGBA pixels (width*height*4) for `attr` (row-major, same size as the image) over `image`
 * (RGBA pixels of the input, or null for a bare heat map).
 */
export function paint(attr: ArrayLike<number>, image: Uint8ClampedArray | null, options: PaintOptions): Uint8ClampedArray<ArrayBuffer> {
  const n = attr.length;
  const out = new Uint8ClampedArray(n * 4);
  const mode = image ? options.mode : 'heat_map';
  if (mode === 'original_image' && image) {
    out.set(image.subarray(0, n * 4));
    return out;
  }
  // masked images need a magnitude; a signed choice shows the absolute value there
  const sign = mode === 'masked_image' && options.sign === 'all' ? 'absolute_value' : options.sign;
  const norm = normalizeAttr(attr, sign, options.outlierPerc);
  const lut = lookupTable(options.cmap);
  const alpha = Math.min(Math.max(options.alpha, 0), 1);
  for (let i = 0; i < n; i++) {
    const o = i * 4;
    if (mode === 'masked_image' && image) {
      const m = norm[i];
      out[o] = image[o] * m;
      out[o + 1] = image[o + 1] * m;
      out[o + 2] = image[o + 2] * m;
      out[o + 3] = 255;
      continue;
    }
    const k = Math.round(position(norm[i], sign) * 255) * 3;
    if (mode === 'blended_heat_map' && image) {
      const gray = (image[o] + image[o + 1] + image[o + 2]) / 3;
      out[o] = gray * (1 - alpha) + lut[k] * alpha;
      out[o + 1] = gray * (1 - alpha) + lut[k + 1] * alpha;
      out[o + 2] = gray * (1 - alpha) + lut[k + 2] * alpha;
    } else {
      out[o] = lut[k];
      out[o + 1] = lut[k + 1];
      out[o + 2] = lut[k + 2];
    }
    out[o + 3] = 255;
  }
  return out;
}
