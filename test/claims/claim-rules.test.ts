// The Problem 2 verdicts from synthetic measurements: each flips when its numbers do.
import { FEWER_PARAMETERS_CLAIM, parametersVerdicts } from '../../src/kinds/claims/parameters-claim';
import { smallShiftRetention } from '../../src/kinds/claims/pooling-claim';

const conv = { name: 'figure1', parameters: 2390, accuracy: [0.95, 0.96, 0.94] };
const dense = (units: number, accuracy: number[]) => ({
  name: `dense 784-${units}-10`,
  parameters: 785 * units + (units + 1) * 10,
  accuracy,
});

test('parameters: same budget compares with the closest dense network; the smallest reaching one sets the ratio', () => {
  const [sameBudget, fewer] = parametersVerdicts(
    conv,
    [dense(64, [0.97, 0.97, 0.97]), dense(3, [0.8, 0.82, 0.79]), dense(16, [0.95, 0.965, 0.95])],
    2,
  );
  expect(sameBudget.measure).toContain('dense 784-3-10 (2395');
  expect(sameBudget.verdict).toBe('supported');
  expect(fewer.claim).toBe(FEWER_PARAMETERS_CLAIM);
  // every seed's accuracy is reached by the 16-unit network: 12,730 ÷ 2,390 = 5.33, beyond 2 in every seed
  expect(fewer.effect).toBeCloseTo(12730 / 2390 - 2, 8);
  expect(fewer.verdict).toBe('supported');
  // seed 2 needing the 64-unit network instead (21.3×) spreads the seeds too far for a t-interval over 3
  const [, spread] = parametersVerdicts(
    conv,
    [dense(64, [0.97, 0.97, 0.97]), dense(16, [0.95, 0.955, 0.95])],
    2,
  );
  expect(spread.effect).toBeCloseTo((2 * 12730 + 50890) / 3 / 2390 - 2, 8);
  expect(spread.verdict).toBe('inconclusive');
});

test('parameters: a dense network as small as the convolution reaching its accuracy → not supported; too small a sweep → inconclusive', () => {
  const rows = parametersVerdicts(conv, [dense(3, [0.97, 0.97, 0.97]), dense(16, [0.98, 0.98, 0.98])], 2);
  expect(rows.map((r) => r.verdict)).toEqual(['not supported', 'not supported']);
  const small = parametersVerdicts(conv, [dense(3, [0.8, 0.8, 0.8]), dense(4, [0.85, 0.85, 0.85])], 2);
  expect(small[1].verdict).toBe('inconclusive');
  expect(small[1].measure).toContain('none did, so the largest (3190) gives a lower bound');
});

test('pooling: accuracy kept at small shifts is the mean over both axes at 1..small px ÷ the unshifted accuracy', () => {
  const point = (shift: number, horizontal: number, vertical: number) => ({
    network: 'n',
    seed: 1,
    shift,
    horizontal,
    vertical,
    images: 100,
  });
  const points = [
    point(-2, 0.5, 0.6),
    point(-1, 0.8, 0.7),
    point(0, 0.9, 0.9),
    point(1, 0.7, 0.8),
    point(2, 0.6, 0.5),
  ];
  expect(smallShiftRetention(points, 1)).toBeCloseTo(0.75 / 0.9, 12);
  expect(smallShiftRetention(points, 2)).toBeCloseTo(0.65 / 0.9, 12);
});
