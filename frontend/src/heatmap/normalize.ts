/**
 * Attribution normalisation, the same arithmetic as the Python side
 * (attr_engine.visualization._normalize.normalize_attr): keep the chosen sign, divide by the value
 * at which the sorted absolute attributions reach (100 - outlierPerc) % of their total, clip to
 * [-1, 1]. For sign "negative" the result is the magnitude in [0, 1].
 */
export type Sign = 'all' | 'positive' | 'negative' | 'absolute_value';
export const SIGNS: readonly Sign[] = ['all', 'positive', 'negative', 'absolute_value'];

/** The smallest sorted value at which the running sum reaches `percentile` % of the total. */
export function cumulativeSumThreshold(values: ArrayLike<number>, percentile: number): number {
  const sorted = Float64Array.from(values).sort();
  const n = sorted.length;
  const cums = new Float64Array(n);
  let sum = 0;
  for (let i = 0; i < n; i++) cums[i] = sum += sorted[i];
  const goal = cums[n - 1] * 0.01 * percentile;
  // searchsorted(side="left"): the first index whose cumulative sum is >= goal
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (cums[mid] < goal) lo = mid + 1;
    else hi = mid;
  }
  return sorted[Math.min(lo, n - 1)];
}

function keepSign(value: number, sign: Sign): number {
  switch (sign) {
    case 'positive': return Math.max(value, 0);
    case 'negative': return Math.min(value, 0);
    case 'absolute_value': return Math.abs(value);
    default: return value;
  }
}

/** The attribution scale for `sign`: what maps to ±1 (0 when nothing of that sign is present). */
export function threshold(attr: ArrayLike<number>, sign: Sign, outlierPerc: number): number {
  if (!(outlierPerc >= 0 && outlierPerc <= 100)) {
    throw new RangeError(`outlier_perc must be a number between 0 and 100, got ${outlierPerc}`);
  }
  if (attr.length === 0) throw new RangeError('attr is empty');
  const magnitudes = new Float64Array(attr.length);
  for (let i = 0; i < attr.length; i++) magnitudes[i] = Math.abs(keepSign(attr[i], sign));
  const t = cumulativeSumThreshold(magnitudes, 100 - outlierPerc);
  return sign === 'negative' ? -t : t;
}

/** Normalised attributions in [-1, 1] (sign "all"), or [0, 1] (the other signs). */
export function normalizeAttr(attr: ArrayLike<number>, sign: Sign, outlierPerc = 2): Float64Array {
  const t = threshold(attr, sign, outlierPerc);
  const out = new Float64Array(attr.length);
  if (t === 0) return out;
  for (let i = 0; i < attr.length; i++) {
    const v = keepSign(attr[i], sign) / t;
    out[i] = (v > 1 ? 1 : v < -1 ? -1 : v) + 0; // + 0: no negative zeros
  }
  return out;
}
