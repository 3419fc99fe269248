// The trend rule's test: is the mean over seeds of Spearman's ρ between sweep position and
// measure larger than chance? Exact: under "no trend" each seed's values are exchangeable along
// the sweep, so its ρ is that of a uniformly random ordering of its ranks. The distribution of
// each seed's ρ is enumerated over every ordering (up to 8 points), and the seeds' distributions
// are convolved into that of their mean. The p-value is the chance of a mean at least as large
// in the claimed direction; it accounts for the number of points (2 points give ρ = ±1 half the
// time) and of seeds, and does not depend on the order in which seeds are listed.
import { ranks } from '../statistics';

/** Most sweep points enumerated exactly (8! = 40,320 orderings per seed). */
export const MOST_POINTS = 8;

/** ρ values closer than this are the same outcome (they are ratios of small integers). */
const GRID = 1e9;

/** The distribution of one seed's ρ over every ordering of its ranks, keyed by round(ρ·1e9). */
function rhoDistribution(values: readonly number[]): Map<number, number> {
  const r = Array.from(ranks(values));
  const n = r.length;
  const centre = (n + 1) / 2;
  const spread = Math.sqrt(r.reduce((s, v) => s + (v - centre) ** 2, 0) * ((n * (n * n - 1)) / 12));
  const counts = new Map<number, number>();
  const add = (key: number) => counts.set(key, (counts.get(key) ?? 0) + 1);
  if (spread === 0) return new Map([[0, 1]]);
  // Heap's algorithm over the ranks: every ordering once.
  const c = new Array(n).fill(0);
  const rho = () => r.reduce((s, v, j) => s + (v - centre) * (j + 1 - centre), 0) / spread;
  add(Math.round(rho() * GRID));
  for (let i = 1; i < n; ) {
    if (c[i] < i) {
      const j = i % 2 ? c[i] : 0;
      [r[j], r[i]] = [r[i], r[j]];
      add(Math.round(rho() * GRID));
      c[i]++;
      i = 1;
    } else c[i++] = 0;
  }
  let total = 0;
  for (const count of counts.values()) total += count;
  return new Map([...counts].map(([k, count]) => [k, count / total]));
}

/** The distribution of a sum of independent discrete variables (keys add, chances multiply). */
function convolve(a: Map<number, number>, b: Map<number, number>): Map<number, number> {
  const out = new Map<number, number>();
  for (const [ka, pa] of a) for (const [kb, pb] of b) out.set(ka + kb, (out.get(ka + kb) ?? 0) + pa * pb);
  return out;
}

/**
 * One-sided p-value of the mean ρ over seeds, exact under within-seed exchangeability.
 * `observed` is the mean of the seeds' ρ in the claimed direction (sign flipped for a claimed
 * decrease): the null distribution is symmetric around 0, so one tail serves both directions.
 */
export function trendPValue(values: readonly (readonly number[])[], observed: number): number {
  const points = values[0]?.length ?? 0;
  if (points > MOST_POINTS)
    throw new Error(`the trend test enumerates at most ${MOST_POINTS} sweep points, got ${points}`);
  let sum = new Map([[0, 1]]);
  for (const row of values) sum = convolve(sum, rhoDistribution(row));
  // Keys are sums of rounded ρ: allow each seed its half unit of rounding.
  const bar = Math.round(observed * values.length * GRID) - values.length;
  let p = 0;
  for (const [key, chance] of sum) if (key >= bar) p += chance;
  return Math.min(1, p);
}
