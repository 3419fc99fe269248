// The libraries the rules take their distributions from, against known values, and the exact
// trend test against p-values counted by hand.
import tQuantile from '@stdlib/stats-base-dists-t-quantile';
import { quantileSorted } from 'simple-statistics';
import { bootstrapMeanInterval, tInterval } from '../../src/claims/intervals';
import { trendPValue } from '../../src/claims/trend-test';

test("Student's t quantiles match the printed tables", () => {
  expect(tQuantile(0.975, 1)).toBeCloseTo(12.7062, 4);
  expect(tQuantile(0.975, 2)).toBeCloseTo(4.3027, 4);
  expect(tQuantile(0.975, 4)).toBeCloseTo(2.7764, 4);
  expect(tQuantile(0.975, 30)).toBeCloseTo(2.0423, 4);
  expect(tQuantile(0.5, 7)).toBe(0);
});

test('sample quantiles interpolate as R type 7 does at the median and the ends', () => {
  expect(quantileSorted([1, 2, 3, 4, 5], 0.5)).toBe(3);
  expect(quantileSorted([1, 2, 3, 4, 5], 0)).toBe(1);
  expect(quantileSorted([1, 2, 3, 4, 5], 1)).toBe(5);
});

test('t-interval: 1, 2, 3 gives 2 ± 4.3027/√3; fewer than 2 values is an error', () => {
  const { effect, low, high } = tInterval([3, 1, 2]);
  expect(effect).toBe(2);
  expect(high - effect).toBeCloseTo(4.302653 / Math.sqrt(3), 5);
  expect(effect - low).toBeCloseTo(high - effect, 9);
  expect(() => tInterval([1])).toThrow('at least 2 values');
});

test('bootstrap: seeded (same seed, same interval), covers the mean, narrows with more images', () => {
  const cluster = (n: number, shift: number) =>
    Array.from({ length: n }, (_, i) => shift + ((i * 7) % 11) / 10);
  const few = [cluster(20, 0), cluster(20, 0.2)];
  const many = [cluster(200, 0), cluster(200, 0.2)];
  const a = bootstrapMeanInterval(few, { seed: 3 });
  expect(bootstrapMeanInterval(few, { seed: 3 })).toEqual(a);
  expect(a.low).toBeLessThan(a.effect);
  expect(a.high).toBeGreaterThan(a.effect);
  const b = bootstrapMeanInterval(many, { seed: 3 });
  expect(b.high - b.low).toBeLessThan(a.high - a.low);
  expect(() => bootstrapMeanInterval([[]])).toThrow('at least one value');
});

test('trend test: exact p-values counted by hand', () => {
  // One seed of 5 points strictly increasing: 1 ordering of 120.
  expect(trendPValue([[1, 2, 3, 4, 5]], 1)).toBeCloseTo(1 / 120, 12);
  // Two points: ρ = +1 half the time.
  expect(trendPValue([[1, 2]], 1)).toBeCloseTo(0.5, 12);
  // Step [1,1,2,2,2]: 10 distinct arrangements of the two 1s, one as extreme: ρ ≥ observed in 12 of 120 orderings.
  expect(trendPValue([[1, 1, 2, 2, 2]], Math.sqrt(0.75))).toBeCloseTo(0.1, 12);
  // Three such seeds: 0.1³.
  expect(
    trendPValue(
      [
        [1, 1, 2, 2, 2],
        [1, 1, 2, 2, 2],
        [1, 1, 2, 2, 2],
      ],
      Math.sqrt(0.75),
    ),
  ).toBeCloseTo(0.001, 12);
  // Flat: ρ is 0 in every ordering, so a mean ρ of 0 is reached always.
  expect(trendPValue([[3, 3, 3, 3]], 0)).toBe(1);
});
