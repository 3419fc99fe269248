// Spearman's ρ against the textbook formula (no ties) and hand-worked ties.
import { ranks, spearman } from '../src/statistics';
import { mulberry32 } from '../src/random';

test('ranks share the average rank among ties', () => {
  expect(Array.from(ranks([10, 20, 20, 5, 20]))).toEqual([2, 4, 4, 1, 4]);
});

test('without ties ρ equals 1 − 6Σd²/(n(n²−1)) on random maps', () => {
  const random = mulberry32(5);
  for (let trial = 0; trial < 20; trial++) {
    const n = 2 + Math.floor(random() * 300);
    const a = Float64Array.from({ length: n }, () => random());
    const b = Float64Array.from({ length: n }, (_, i) => (trial % 2 ? a[i] : 0) + random());
    const [ra, rb] = [ranks(a), ranks(b)];
    let d2 = 0;
    for (let i = 0; i < n; i++) d2 += (ra[i] - rb[i]) ** 2;
    expect(spearman(a, b)).toBeCloseTo(1 - (6 * d2) / (n * (n * n - 1)), 10);
  }
});

test('ρ is 1 for any increasing transform, −1 reversed, and defined for constant maps', () => {
  const a = [0.1, 0.5, 0.2, 0.9, 0.3];
  expect(
    spearman(
      a,
      a.map((x) => Math.exp(3 * x)),
    ),
  ).toBeCloseTo(1, 12);
  expect(
    spearman(
      a,
      a.map((x) => -x),
    ),
  ).toBeCloseTo(-1, 12);
  expect(spearman([1, 1, 1], [1, 2, 3])).toBe(0);
  expect(spearman([2, 2, 2], [0, 0, 0])).toBe(1);
  // With ties: ranks [1.5, 1.5, 3, 4] and [1, 2, 3, 4].
  expect(spearman([0, 0, 1, 2], [1, 2, 3, 4])).toBeCloseTo(4.5 / Math.sqrt(4.5 * 5), 12);
  expect(() => spearman([1, 2], [1])).toThrow('maps of 2 and 1 values');
});
