import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { colorAt } from './colormap';
import { cumulativeSumThreshold, normalizeAttr, type Sign } from './normalize';
import { paint, resize } from './paint';

interface NormalizeCase { name: string; input: number[]; sign: Sign; outlier_perc: number; expected: number[] }
interface ColormapCase { cmap: string; positions: number[]; rgb: number[][] }
interface Fixture { normalize: NormalizeCase[]; colormaps?: ColormapCase[] }

const FIXTURE = join(dirname(fileURLToPath(import.meta.url)), '__fixtures__', 'normalization.json');

function loadFixture(): Fixture {
  if (!existsSync(FIXTURE)) {
    throw new Error(
      `missing ${FIXTURE}: it is written by the Python fixture script (see src/heatmap/FIXTURE.md), ` +
      'which .ci/run runs before Vitest; run it first',
    );
  }
  return JSON.parse(readFileSync(FIXTURE, 'utf8')) as Fixture;
}

describe('normalisation matches the Python side (fixture)', () => {
  it('gives the same numbers as normalize_attr for every case', () => {
    const fixture = loadFixture();
    expect(fixture.normalize.length).toBeGreaterThan(0);
    for (const c of fixture.normalize) {
      const got = normalizeAttr(c.input, c.sign, c.outlier_perc);
      expect(got.length, c.name).toBe(c.expected.length);
      c.expected.forEach((want, i) => {
        expect(Math.abs(got[i] - want), `${c.name} [${i}]`).toBeLessThanOrEqual(1e-9 + 1e-6 * Math.abs(want));
      });
    }
  });

  it('gives matplotlib colours within 4/255', () => {
    for (const c of loadFixture().colormaps ?? []) {
      c.positions.forEach((p, i) => {
        const got = colorAt(c.cmap, p);
        got.forEach((v, ch) => expect(Math.abs(v - c.rgb[i][ch]), `${c.cmap} at ${p}`).toBeLessThanOrEqual(4));
      });
    }
  });
});

describe('normalisation by hand', () => {
  it('finds the cumulative-sum threshold like numpy searchsorted(left)', () => {
    // sorted 1,2,3,4 -> cumulative 1,3,6,10; 50% of 10 = 5 -> first index with cum >= 5 is 2
    expect(cumulativeSumThreshold([4, 1, 3, 2], 50)).toBe(3);
    expect(cumulativeSumThreshold([4, 1, 3, 2], 100)).toBe(4);
  });

  it('scales by the threshold and clips the outliers', () => {
    const attr = [1, -1, 2, 100];
    // |attr| sorted 1,1,2,100; total 104; 98% = 101.92 -> index 3 -> threshold 100
    expect(Array.from(normalizeAttr(attr, 'all', 2))).toEqual([0.01, -0.01, 0.02, 1]);
    // 10% outliers: 93.6 -> still index 3; 50%: 52 -> index 3 too; 0.5 -> with outlier 99: 1.04 -> index 1 -> 1
    expect(Array.from(normalizeAttr(attr, 'all', 99))).toEqual([1, -1, 1, 1]);
  });

  it('keeps one sign, and maps negatives to their magnitude', () => {
    const attr = [-2, -1, 0, 1, 2];
    expect(Array.from(normalizeAttr(attr, 'positive', 0))).toEqual([0, 0, 0, 0.5, 1]);
    expect(Array.from(normalizeAttr(attr, 'negative', 0))).toEqual([1, 0.5, 0, 0, 0]);
    expect(Array.from(normalizeAttr(attr, 'absolute_value', 0))).toEqual([1, 0.5, 0, 0.5, 1]);
  });

  it('returns zeros when nothing of the sign is present, and refuses bad arguments', () => {
    expect(Array.from(normalizeAttr([1, 2], 'negative', 2))).toEqual([0, 0]);
    expect(() => normalizeAttr([1], 'all', 120)).toThrow(/outlier_perc/);
    expect(() => normalizeAttr([], 'all', 2)).toThrow(/empty/);
  });
});

describe('painting', () => {
  it('colours a signed map with the diverging map: negative blue, zero white-ish, positive red', () => {
    const px = paint([-1, 0, 1], null, { sign: 'all', mode: 'heat_map', cmap: 'RdBu_r', alpha: 1, outlierPerc: 0 });
    expect(px[2]).toBeGreaterThan(px[0]); // blue end
    expect(px[8]).toBeGreaterThan(px[10]); // red end
    expect(Math.min(px[4], px[5], px[6])).toBeGreaterThan(200);
  });

  it('masks the input by the attribution magnitude', () => {
    const image = new Uint8ClampedArray([200, 100, 50, 255, 200, 100, 50, 255]);
    const px = paint([0, 4], image, { sign: 'positive', mode: 'masked_image', cmap: 'viridis', alpha: 1, outlierPerc: 0 });
    expect(Array.from(px)).toEqual([0, 0, 0, 255, 200, 100, 50, 255]);
  });

  it('upsamples a small map to the input size', () => {
    const big = resize([0, 1, 2, 3], 2, 2, 4, 4);
    expect(big.length).toBe(16);
    expect(big[0]).toBe(0);
    expect(big[15]).toBe(3);
  });
});
