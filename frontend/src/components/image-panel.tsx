/** An image attribution painted on a canvas from the raw map (layer maps upsampled). */
import { useEffect, useRef } from 'react';
import { paint, resize, type PaintOptions } from '../heatmap/paint';
import type { DecodedArray } from '../lib/arrays';
import { usePixels } from './pixels';

interface Props {
  map: DecodedArray;
  png: string | null;
  width: number;
  height: number;
  view: PaintOptions;
  label: string;
  canvasRef?: (canvas: HTMLCanvasElement | null) => void;
}

/** An (…, h, w) map summed over its leading dimensions to (h, w). */
export function spatial(map: DecodedArray): { data: Float64Array; h: number; w: number } {
  const shape = map.shape;
  const h = shape.length >= 2 ? shape[shape.length - 2] : 1;
  const w = shape.length >= 1 ? shape[shape.length - 1] : 1;
  const data = new Float64Array(h * w);
  for (let i = 0; i < map.data.length; i++) data[i % (h * w)] += map.data[i];
  return { data, h, w };
}

export function ImagePanel({ map, png, width, height, view, label, canvasRef }: Props) {
  const canvas = useRef<HTMLCanvasElement | null>(null);
  const pixels = usePixels(png);
  useEffect(() => {
    const el = canvas.current;
    const ctx = el?.getContext('2d');
    if (!el || !ctx) return;
    const { data, h, w } = spatial(map);
    const attr = resize(data, h, w, height, width);
    const image = pixels && pixels.width === width && pixels.height === height ? pixels.data : null;
    const rgba = paint(attr, image, view);
    ctx.putImageData(new ImageData(rgba, width, height), 0, 0);
  }, [map, pixels, width, height, view]);
  return (
    <canvas className="heatmap" role="img" aria-label={label} width={width} height={height}
      ref={(el) => { canvas.current = el; canvasRef?.(el); }} />
  );
}
