// The verdict rules' edges, case by case: one seed, zero spread, a tie, exactly on the margin or
// threshold, 2 against 4 sweep points, step patterns, reordering, and "not supported" only with
// evidence. Each case is judged as written and with its seeds (and for differences, its arms)
// reordered, which must give the same verdict.
import { differenceVerdict, thresholdVerdict, trendVerdict, type Verdict } from '../../src/claims/verdict';

const claim = { claim: 'c', measure: 'm', unit: 'u' };
type Case =
  | {
      name: string;
      rule: 'difference';
      a: number[];
      b: number[];
      margin: number;
      direction?: 'greater' | 'less';
      accuracies?: number[];
      want: Verdict;
    }
  | {
      name: string;
      rule: 'threshold';
      values: number[];
      threshold: number;
      margin: number;
      direction?: 'above' | 'below';
      want: Verdict;
    }
  | {
      name: string;
      rule: 'trend';
      values: number[][];
      margin: number;
      direction?: 'increasing' | 'decreasing';
      want: Verdict;
    };

const CASES: Case[] = [
  // difference
  {
    name: 'one seed, 0.9501 vs 0.9500',
    rule: 'difference',
    a: [0.9501],
    b: [0.95],
    margin: 0,
    want: 'insufficient evidence',
  },
  {
    name: 'one seed, a gap of 1e-12',
    rule: 'difference',
    a: [1 + 1e-12],
    b: [1],
    margin: 0,
    want: 'insufficient evidence',
  },
  {
    name: 'two seeds, a large gap',
    rule: 'difference',
    a: [10, 11],
    b: [1, 2],
    margin: 0.5,
    want: 'insufficient evidence',
  },
  {
    name: 'three seeds, a = b + 1e-9, no spread',
    rule: 'difference',
    a: [1, 2, 3].map((v) => v + 1e-9),
    b: [1, 2, 3],
    margin: 0.5,
    want: 'not supported',
  },
  {
    name: 'three seeds, a = b + 1e-9, margin 0',
    rule: 'difference',
    a: [0.5, 0.6, 0.7].map((v) => v + 1e-9),
    b: [0.5, 0.6, 0.7],
    margin: 0,
    want: 'supported',
  },
  {
    name: 'a tie in every seed',
    rule: 'difference',
    a: [1, 2, 3],
    b: [1, 2, 3],
    margin: 0.5,
    want: 'inconclusive',
  },
  {
    name: 'a tie in every seed, margin 0',
    rule: 'difference',
    a: [4, 4, 4],
    b: [4, 4, 4],
    margin: 0,
    want: 'inconclusive',
  },
  {
    name: 'exactly the margin, no spread',
    rule: 'difference',
    a: [1.5, 2.5, 3.5],
    b: [1, 2, 3],
    margin: 0.5,
    want: 'inconclusive',
  },
  {
    name: 'clear gain beyond the margin',
    rule: 'difference',
    a: [10, 11, 12],
    b: [1, 2, 3.5],
    margin: 0.5,
    want: 'supported',
  },
  {
    name: 'clear gain, claimed less',
    rule: 'difference',
    a: [10, 11, 12],
    b: [1, 2, 3.5],
    margin: 0.5,
    direction: 'less',
    want: 'not supported',
  },
  {
    name: 'clear loss, claimed less',
    rule: 'difference',
    a: [1, 2, 3.5],
    b: [10, 11, 12],
    margin: 0.5,
    direction: 'less',
    want: 'supported',
  },
  {
    name: 'one seed against, wide interval',
    rule: 'difference',
    a: [10, 11, 2.5],
    b: [1, 2, 3],
    margin: 0.5,
    want: 'inconclusive',
  },
  {
    name: 'small effect, narrow interval inside the margin',
    rule: 'difference',
    a: [0.1, 0.12, 0.11],
    b: [0, 0.01, 0],
    margin: 0.5,
    want: 'not supported',
  },
  {
    name: 'interval straddles the margin',
    rule: 'difference',
    a: [0.3, 0.8, 0.5],
    b: [0, 0, 0],
    margin: 0.5,
    want: 'inconclusive',
  },
  {
    name: 'noisy seeds, mean positive',
    rule: 'difference',
    a: [3, -1, 2, 0.5],
    b: [0, 0, 0, 0],
    margin: 0.5,
    want: 'inconclusive',
  },
  {
    name: 'five seeds, consistent',
    rule: 'difference',
    a: [2.1, 1.9, 2.4, 2.0, 2.2],
    b: [0, 0.1, 0.2, -0.1, 0],
    margin: 0.5,
    want: 'supported',
  },
  {
    name: 'undertrained models',
    rule: 'difference',
    a: [10, 11, 12],
    b: [1, 2, 3.5],
    margin: 0.5,
    accuracies: [0.46, 0.95],
    want: 'inconclusive',
  },
  {
    name: 'models at the floor exactly',
    rule: 'difference',
    a: [10, 11, 12],
    b: [1, 2, 3.5],
    margin: 0.5,
    accuracies: [0.86, 0.95],
    want: 'supported',
  },
  // threshold
  {
    name: 'a single 0.5000001 against 0.5',
    rule: 'threshold',
    values: [0.5000001],
    threshold: 0.5,
    margin: 0,
    want: 'insufficient evidence',
  },
  {
    name: 'exactly on the threshold, three seeds',
    rule: 'threshold',
    values: [0.5, 0.5, 0.5],
    threshold: 0.5,
    margin: 0,
    want: 'inconclusive',
  },
  {
    name: 'exactly threshold + margin',
    rule: 'threshold',
    values: [0.6, 0.6, 0.6],
    threshold: 0.5,
    margin: 0.1,
    want: 'inconclusive',
  },
  {
    name: 'clearly above',
    rule: 'threshold',
    values: [61.7, 61.7, 61.7],
    threshold: 50,
    margin: 0,
    want: 'supported',
  },
  {
    name: 'clearly below, claimed above',
    rule: 'threshold',
    values: [40, 41, 39],
    threshold: 50,
    margin: 0,
    want: 'not supported',
  },
  {
    name: 'clearly below, claimed below',
    rule: 'threshold',
    values: [40, 41, 39],
    threshold: 50,
    margin: 0,
    direction: 'below',
    want: 'supported',
  },
  {
    name: 'seeds on both sides',
    rule: 'threshold',
    values: [5.3, 10.6, 1.5],
    threshold: 2,
    margin: 0,
    want: 'inconclusive',
  },
  // trend
  {
    name: 'two points, rho = 1 in three seeds',
    rule: 'trend',
    values: [
      [1, 2],
      [1, 3],
      [2, 5],
    ],
    margin: 0.1,
    want: 'insufficient evidence',
  },
  {
    name: 'three points',
    rule: 'trend',
    values: [
      [1, 2, 3],
      [1, 2, 3],
      [1, 2, 3],
    ],
    margin: 0.1,
    want: 'insufficient evidence',
  },
  {
    name: 'four points, strictly increasing, three seeds',
    rule: 'trend',
    values: [
      [1, 2, 3, 4],
      [1, 2.5, 3, 4],
      [0, 2, 3, 5],
    ],
    margin: 0.1,
    want: 'supported',
  },
  {
    name: 'one seed, five points, strictly increasing',
    rule: 'trend',
    values: [[1, 2, 3, 4, 5]],
    margin: 0.1,
    want: 'insufficient evidence',
  },
  {
    name: 'step [1,1,2,2,2] in three seeds',
    rule: 'trend',
    values: [
      [1, 1, 2, 2, 2],
      [1, 1, 2, 2, 2],
      [1, 1, 2, 2, 2],
    ],
    margin: 0.1,
    want: 'supported',
  },
  {
    name: 'step [1,1,1,1,2] in three seeds',
    rule: 'trend',
    values: [
      [1, 1, 1, 1, 2],
      [1, 1, 1, 1, 2],
      [1, 1, 1, 1, 2],
    ],
    margin: 0.1,
    want: 'supported',
  },
  {
    name: 'step [1,1,1,1,2], slope 0.2 below a margin of 0.25',
    rule: 'trend',
    values: [
      [1, 1, 1, 1, 2],
      [1, 1, 1, 1, 2],
      [1, 1, 1, 1, 2],
    ],
    margin: 0.25,
    want: 'not supported',
  },
  {
    name: 'flat in every seed',
    rule: 'trend',
    values: [
      [3, 3, 3, 3],
      [3, 3, 3, 3],
      [3, 3, 3, 3],
    ],
    margin: 0.1,
    want: 'inconclusive',
  },
  {
    name: 'decreasing, claimed increasing',
    rule: 'trend',
    values: [
      [5, 4, 3, 2, 1],
      [5, 4, 3, 2, 0],
      [6, 4, 3, 2, 1],
    ],
    margin: 0.1,
    want: 'not supported',
  },
  {
    name: 'decreasing, claimed decreasing',
    rule: 'trend',
    values: [
      [5, 4, 3, 2, 1],
      [5, 4, 3, 2, 0],
      [6, 4, 3, 2, 1],
    ],
    margin: 0.1,
    direction: 'decreasing',
    want: 'supported',
  },
  {
    name: 'tiny but steady growth below the margin',
    rule: 'trend',
    values: [
      [1, 1.01, 1.02, 1.03],
      [1, 1.01, 1.02, 1.04],
      [1, 1.02, 1.03, 1.04],
    ],
    margin: 0.1,
    want: 'not supported',
  },
  {
    name: 'steep but noisy: seeds disagree',
    rule: 'trend',
    values: [
      [1, 5, 2, 6],
      [6, 1, 5, 2],
      [2, 6, 1, 5],
    ],
    margin: 0.1,
    want: 'inconclusive',
  },
  {
    name: 'slope clears the margin but the order is chance',
    rule: 'trend',
    values: [
      [2, 1, 0, 10],
      [2, 0, 1, 10],
      [1, 2, 0, 10],
    ],
    margin: 0.1,
    want: 'inconclusive',
  },
];

function judge(c: Case, order: (xs: number[]) => number[], swapArms: boolean): Verdict {
  const reorder = <T>(xs: T[]) => order(xs.map((_, i) => i)).map((i) => xs[i]);
  if (c.rule === 'difference') {
    const [a, b] = swapArms ? [c.b, c.a] : [c.a, c.b];
    const claimed = c.direction ?? 'greater';
    const direction = swapArms ? (claimed === 'greater' ? 'less' : 'greater') : claimed;
    return differenceVerdict({
      ...claim,
      a: reorder(a),
      b: reorder(b),
      margin: c.margin,
      direction,
      accuracies: c.accuracies,
    }).verdict;
  }
  if (c.rule === 'threshold')
    return thresholdVerdict({
      ...claim,
      values: reorder(c.values),
      threshold: c.threshold,
      margin: c.margin,
      direction: c.direction ?? 'above',
    }).verdict;
  const points = c.values[0].map((_, i) => i);
  return trendVerdict({
    ...claim,
    points,
    values: reorder(c.values),
    margin: c.margin,
    direction: c.direction ?? 'increasing',
  }).verdict;
}

const ORDERS: [string, (xs: number[]) => number[]][] = [
  ['as written', (xs) => xs],
  ['reversed', (xs) => [...xs].reverse()],
  ['rotated', (xs) => [...xs.slice(1), ...xs.slice(0, 1)]],
];

test(`the table has at least 30 cases (${CASES.length})`, () => {
  expect(CASES.length).toBeGreaterThanOrEqual(30);
});

test.each(CASES.map((c) => [c.name, c] as const))('%s', (_name, c) => {
  for (const [, order] of ORDERS)
    for (const swap of c.rule === 'difference' ? [false, true] : [false])
      expect(judge(c, order, swap)).toBe(c.want);
});

test("the issue's one-seed, zero-spread, threshold and two-point cases are never supported", () => {
  const named = ['one seed', 'a = b + 1e-9, no spread', 'on the threshold', '0.5000001', 'two points'];
  const cases = CASES.filter((c) => named.some((n) => c.name.includes(n)));
  expect(cases.length).toBeGreaterThanOrEqual(6);
  for (const c of cases) expect(judge(c, (xs) => xs, false)).not.toBe('supported');
});

test('insufficient evidence names what is missing; undertrained names the accuracy', () => {
  const few = differenceVerdict({ ...claim, a: [1], b: [0], margin: 0, direction: 'greater' });
  expect(few.reason).toBe('insufficient evidence: 1 seed of the 3 needed');
  const points = trendVerdict({
    ...claim,
    points: [0, 0.5],
    values: [[1, 2]],
    margin: 0,
    direction: 'increasing',
  });
  expect(points.reason).toBe('insufficient evidence: 1 seed of the 3 needed, 2 sweep points of the 4 needed');
  const weak = differenceVerdict({
    ...claim,
    a: [5, 6, 7],
    b: [0, 0, 0],
    margin: 0,
    direction: 'greater',
    accuracies: [0.462, 0.9],
  });
  expect(weak.reason).toBe('inconclusive: models undertrained (46.2 % test accuracy, floor 86 %)');
  const more = differenceVerdict({
    ...claim,
    a: [5, 6, 7],
    b: [0, 0, 0],
    margin: 0,
    direction: 'greater',
    evidence: { minSeeds: 5 },
  });
  expect(more.reason).toBe('insufficient evidence: 3 seeds of the 5 needed');
});

test('the effect is the mean paired difference with its t-interval (checked by hand)', () => {
  // Differences 1, 2, 3: mean 2, sd 1, se 1/√3, t(0.975, 2) = 4.302653: 2 ± 2.484138.
  const row = differenceVerdict({ ...claim, a: [2, 4, 6], b: [1, 2, 3], margin: 0.5, direction: 'greater' });
  expect(row.effect).toBe(2);
  expect(row.low).toBeCloseTo(2 - 2.484138, 5);
  expect(row.high).toBeCloseTo(2 + 2.484138, 5);
  expect(row.verdict).toBe('inconclusive');
});
