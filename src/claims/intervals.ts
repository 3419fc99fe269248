// 95 % intervals for an effect. Over seeds: Student's t-interval of the mean (3–5 seeds are too
// few for a bootstrap, whose percentile interval from 3 values has only 10 distinct resampled
// means and comes out far too narrow). Over images and models: a seeded percentile bootstrap
// (hundreds of per-image scores, no reason to assume they are normal).
import tQuantile from '@stdlib/stats-base-dists-t-quantile';
import { quantileSorted } from 'simple-statistics';
import { mulberry32 } from '../random';

export const CONFIDENCE = 0.95;

export interface Interval {
  /** The point estimate (the mean). */
  effect: number;
  low: number;
  high: number;
}

/**
 * A sum that does not depend on the values' order (sorted before adding), rounded to 12
 * significant digits: a verdict must not flip when seeds or arms are listed in another order,
 * and floating-point addition in another order differs in the last bits.
 */
export function orderFreeMean(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => Math.abs(a) - Math.abs(b) || a - b);
  return tidy(sorted.reduce((s, v) => s + v, 0) / values.length);
}

/** Rounds away the last bits of floating-point noise (12 significant digits; −0 becomes 0). */
export function tidy(value: number): number {
  return Number(value.toPrecision(12)) + 0;
}

/** The mean with its two-sided t-interval at `confidence` (needs at least 2 values). */
export function tInterval(values: readonly number[], confidence = CONFIDENCE): Interval {
  const n = values.length;
  if (n < 2) throw new Error(`a t-interval needs at least 2 values, got ${n}`);
  const effect = orderFreeMean(values);
  const squares = orderFreeMean(values.map((v) => (v - effect) ** 2)) * (n / (n - 1));
  const half = tQuantile(0.5 + confidence / 2, n - 1) * Math.sqrt(squares / n);
  return { effect, low: tidy(effect - half), high: tidy(effect + half) };
}

/**
 * Percentile bootstrap of the mean of `values` grouped in `clusters` (e.g. per-image differences
 * grouped by model): each resample draws whole clusters with replacement, then values within
 * each drawn cluster with replacement, so the interval covers both the models and the images.
 */
export function bootstrapMeanInterval(
  clusters: readonly (readonly number[])[],
  options: { resamples?: number; seed?: number; confidence?: number } = {},
): Interval {
  const { resamples = 2000, seed = 1, confidence = CONFIDENCE } = options;
  const groups = clusters.filter((c) => c.length > 0);
  if (groups.length === 0) throw new Error('a bootstrap needs at least one value');
  const random = mulberry32(seed);
  const pick = (n: number) => Math.floor(random() * n);
  const means = new Float64Array(resamples);
  for (let r = 0; r < resamples; r++) {
    let [sum, count] = [0, 0];
    for (let g = 0; g < groups.length; g++) {
      const group = groups[pick(groups.length)];
      for (let i = 0; i < group.length; i++) sum += group[pick(group.length)];
      count += group.length;
    }
    means[r] = sum / count;
  }
  const sorted = Array.from(means).sort((a, b) => a - b);
  const tail = (1 - confidence) / 2;
  return {
    effect: orderFreeMean(groups.flat()),
    low: tidy(quantileSorted(sorted, tail)),
    high: tidy(quantileSorted(sorted, 1 - tail)),
  };
}
