/** Decode an example's PNG into RGBA pixels once, for the canvas painters. */
import { useEffect, useState } from 'react';

const decoded = new Map<string, Promise<ImageData>>();

function decode(png: string): Promise<ImageData> {
  let hit = decoded.get(png);
  if (!hit) {
    hit = new Promise<ImageData>((resolve, reject) => {
      const img = new Image();
      img.onload = () => {
        const canvas = document.createElement('canvas');
        canvas.width = img.naturalWidth;
        canvas.height = img.naturalHeight;
        const ctx = canvas.getContext('2d');
        if (!ctx) return reject(new Error('no 2d canvas'));
        ctx.drawImage(img, 0, 0);
        resolve(ctx.getImageData(0, 0, canvas.width, canvas.height));
      };
      img.onerror = () => reject(new Error('the example image could not be decoded'));
      img.src = `data:image/png;base64,${png}`;
    });
    if (decoded.size > 256) decoded.clear();
    decoded.set(png, hit);
  }
  return hit;
}

export function usePixels(png: string | null): ImageData | null {
  const [pixels, setPixels] = useState<ImageData | null>(null);
  useEffect(() => {
    let live = true;
    if (!png) return;
    decode(png).then((p) => live && setPixels(p), () => live && setPixels(null));
    return () => { live = false; };
  }, [png]);
  return pixels;
}
