// Problem 7 of the homework (LSTM cell, all units sharing Problem 5's W, U, b): every number of
// ../shared/reference/problems-5-7.md, through the lstm-gradients experiment as
// configs/problem7.json plans it.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import type { ExactResult } from '../../src/kinds/bptt/exact-job';
import { lstmGradientsExperiment, lstmProblemOf } from '../../src/kinds/bptt/lstm-gradients';
import { finiteDifference } from '../../src/rnn/finite-differences';
import { lstmBackward } from '../../src/rnn/lstm-cell';
import { homeworkForgetBiasGradient } from '../../src/rnn/lstm-homework';
import { lstmParametersOf } from '../../src/rnn/problem';
import { expandContext, removeRunFolders, runPlanned } from '../helpers/run-gradient-jobs';

afterAll(removeRunFolders);

function problem7Config() {
  const file = JSON.parse(readFileSync(path.join(__dirname, '../../configs/problem7.json'), 'utf8'));
  const { name: _name, kind: _kind, ...own } = file.experiments[0];
  return lstmGradientsExperiment.schema.parse(own);
}

function expectRelative(actual: number[], expected: number[], tolerance: number): void {
  expect(actual).toHaveLength(expected.length);
  actual.forEach((value, i) =>
    expect(Math.abs(value - expected[i]) / Math.abs(expected[i])).toBeLessThanOrEqual(tolerance),
  );
}

const Y = [
  [0.8336757268618604, 0.16632427313813947],
  [0.8617593428303155, 0.13824065716968442],
  [0.8310422325825494, 0.16895776741745058],
];
const LOSS = 0.2946636237723147;
// The homework's approximate per-step dL/db_f (t = 1, 2, 3) at full precision, as the reference reproduces them…
const HOMEWORK_PER_STEP = [
  [-2.742541945611174e-10, -1.0703386119661122e-5],
  [-2.9135120316312234e-7, -0.000819807080354868],
  [0.00013102251310938526, -0.0175435844932968],
];
// …and as the homework prints them.
const HOMEWORK_PRINTED = [
  [-2.74254195e-10, -1.07033861e-5],
  [-2.91351203e-7, -8.1980708e-4],
  [0.00013102, -0.01754358],
];
const HOMEWORK_TOTAL_PRINTED = [0.00013073, -0.01837409];

describe('Problem 7 (LSTM, 3 steps)', () => {
  const problem = lstmProblemOf(problem7Config());
  const p = lstmParametersOf(problem.parameters);
  const backward = lstmBackward(p, problem.x, problem.loss);

  test('y(t) and L to within 1e-15', () => {
    backward.steps.forEach((step, t) =>
      step.y.forEach((value, i) => expect(Math.abs(value - Y[t][i])).toBeLessThanOrEqual(1e-15)),
    );
    expect(Math.abs(backward.loss - LOSS)).toBeLessThanOrEqual(1e-15);
  });

  test('the homework approximation reproduces the printed per-step values', () => {
    const homework = homeworkForgetBiasGradient(p, backward);
    homework.perStep.forEach((term, t) => expectRelative(term, HOMEWORK_PER_STEP[t], 1e-12));
    // Printed to 9 significant digits (8 for the last step), the total to 8 decimals.
    homework.perStep.forEach((term, t) => expectRelative(term, HOMEWORK_PRINTED[t], t === 2 ? 5e-5 : 1e-8));
    homework.total.forEach((value, i) =>
      expect(Math.abs(value - HOMEWORK_TOTAL_PRINTED[i])).toBeLessThanOrEqual(5e-9),
    );
  });

  test('the true forget-gate-bias gradient agrees with finite differences to 1e-7 relative', () => {
    const exact = backward.gradients.units.forget.b;
    const fd = [0, 1].map((index) => finiteDifference(problem, { parameter: 'forget.b', index }, 3e-4, 4));
    expectRelative(exact, fd, 1e-7);
    // The reference's finite-difference estimate, to its 5 significant digits.
    expectRelative(exact, [2.3666e-5, -4.4021e-3], 5e-5);
  });

  test('the tied gradient (all units moving together) is the sum over units, and finite differences agree', () => {
    const shared = problem.ties['shared.b'];
    expect(shared).toEqual(['forget.b', 'input.b', 'output.b', 'cell.b']);
    const fd = [0, 1].map((index) => finiteDifference(problem, { parameter: 'shared.b', index }, 3e-4, 4));
    const units = backward.gradients.units;
    const sum = [0, 1].map((i) => units.forget.b[i] + units.input.b[i] + units.output.b[i] + units.cell.b[i]);
    expectRelative(sum, fd, 1e-7);
  });

  test('the jobs: homework vs true side by side, and every check within its tolerance', async () => {
    const ran = await runPlanned(lstmGradientsExperiment.expand(problem7Config(), expandContext('problem7')));
    const exact = ran.get('problem7/exact')!;
    const result = exact.result as unknown as ExactResult;
    expect(Math.abs(result.loss - LOSS)).toBeLessThanOrEqual(1e-15);
    const rows = parse(
      readFileSync(path.join(exact.dir, 'tables/forget_bias_homework_vs_true.csv'), 'utf8'),
      { columns: true },
    ) as Record<string, string>[];
    const total = rows.filter((row) => row.step === 'total');
    expect(total.map((row) => row.element)).toEqual(['forget.b[0]', 'forget.b[1]']);
    total.forEach((row, i) => {
      expect(Math.abs(Number(row.homework) - HOMEWORK_TOTAL_PRINTED[i])).toBeLessThanOrEqual(5e-9);
      expect(Number(row.relative_error)).toBeCloseTo(
        Math.abs(Number(row.homework) - Number(row.true)) / Math.abs(Number(row.true)),
        12,
      );
    });
    expectRelative(
      total.map((row) => Number(row.true)),
      backward.gradients.units.forget.b,
      1e-12,
    );
    const check = ran.get('problem7/check')!.result as {
      checks: { check: string; passed: boolean }[];
      homework: { relativeError: number }[];
    };
    expect(check.checks.map((c) => c.passed)).toEqual([true, true]);
    // The printed answer is off by a factor of several: 4.5× and 3.2× relative error.
    expect(check.homework.map((h) => h.relativeError.toFixed(1))).toEqual(['4.5', '3.2']);
  });
});
