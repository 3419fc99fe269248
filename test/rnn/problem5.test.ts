// Problem 5 of the homework: every number of ../shared/reference/problems-5-7.md, through the
// rnn-gradients experiment as configs/problem5.json plans it.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import type { ExactResult } from '../../src/kinds/bptt/exact-job';
import { rnnGradientsExperiment, rnnProblemOf } from '../../src/kinds/bptt/rnn-gradients';
import { finiteDifference } from '../../src/rnn/finite-differences';
import { rnnParametersOf } from '../../src/rnn/problem';
import { rnnBackward, rnnJacobians } from '../../src/rnn/rnn-cell';
import { expandContext, removeRunFolders, runPlanned } from '../helpers/run-gradient-jobs';

afterAll(removeRunFolders);

function problem5Config() {
  const file = JSON.parse(readFileSync(path.join(__dirname, '../../configs/problem5.json'), 'utf8'));
  const { name: _name, kind: _kind, ...own } = file.experiments[0];
  return rnnGradientsExperiment.schema.parse(own);
}

/** |actual − expected| / |expected|, element-wise, must stay within `tolerance`. */
function expectRelative(actual: number[], expected: number[], tolerance: number): void {
  expect(actual).toHaveLength(expected.length);
  actual.forEach((value, i) =>
    expect(Math.abs(value - expected[i]) / Math.abs(expected[i])).toBeLessThanOrEqual(tolerance),
  );
}

// The reference's expected values (float64).
const Y = [
  [0.9492160059666221, 0.05078399403337777],
  [0.9522199490891327, 0.04778005091086727],
  [0.9400112415719738, 0.05998875842802615],
];
const LOSS = 0.255473337380186;
const DL_DB = [0.00010432300703266569, -0.004545272400873721];
const DL_DB_PER_STEP = [
  [3.084056413093537e-8, -1.4446265125488604e-5],
  [4.3652093510630867e-7, -1.0201879872823597e-4],
  [1.0385564553342844e-4, -4.428807337019996e-3],
];
const B_AFTER = [-1.000000208646014, 1.0000090905448018];
const LOSS_AFTER = 0.25547329603987234;

describe('Problem 5 (vanilla RNN, 3 steps)', () => {
  const problem = rnnProblemOf(problem5Config());
  const backward = rnnBackward(rnnParametersOf(problem.parameters), problem.x, problem.loss);

  test('y(t) for every step, to 1e-12 relative', () => {
    backward.steps.forEach((step, t) => expectRelative(step.y, Y[t], 1e-12));
  });

  test('dL/db by BPTT and its per-step contributions, to 1e-12 relative', () => {
    expectRelative(backward.gradients.b, DL_DB, 1e-12);
    backward.dLda.forEach((term, t) => expectRelative(term, DL_DB_PER_STEP[t], 1e-12));
  });

  test('the Jacobians part (3) prints, to its 8 decimals', () => {
    const printed = (actual: number[][], expected: number[][]) =>
      actual.forEach((row, i) =>
        row.forEach((value, j) => expect(Math.abs(value - expected[i][j])).toBeLessThanOrEqual(5e-9)),
      );
    const j = rnnJacobians(rnnParametersOf(problem.parameters), backward);
    printed([j[2].dLdy], [[-1.06381706, -0.88002248]]);
    printed(j[2].dydh, [
      [-0.05639011, 0.05639011],
      [0.05639011, -0.05639011],
    ]);
    printed(j[2].dhdb, [
      [0.01002062, 0],
      [0, 0.42731798],
    ]);
    printed(j[2].dhdhPrev, [
      [0.01002062, -0.01002062],
      [0, 0.85463595],
    ]);
    printed(j[1].dhdb, [
      [0.00420315, 0],
      [0, 0.01138416],
    ]);
    printed(j[0].dhdb, [
      [0.07065082, 0],
      [0, 0.07065082],
    ]);
    // The homework printed dh(3)/dh(2) twice; the reference gives the dh(2)/dh(1) that was meant, to 10 decimals.
    j[1].dhdhPrev.forEach((row, r) =>
      row.forEach((value, c) =>
        expect(
          Math.abs(
            value -
              [
                [0.0042031508, -0.0042031508],
                [0, 0.022768317],
              ][r][c],
          ),
        ).toBeLessThanOrEqual(5e-11),
      ),
    );
  });

  test("the homework's part (2) value is a central difference with step 5e-4, bit for bit", () => {
    expect(finiteDifference(problem, { parameter: 'b', index: 0 }, 5e-4, 2)).toBe(0.00010432302510743341);
  });

  test('the exact job: L and the new loss to 1e-15, the updated b to 1e-12 relative, and its tables', async () => {
    const jobs = rnnGradientsExperiment.expand(problem5Config(), expandContext('problem5'));
    const ran = await runPlanned(jobs);
    const exact = ran.get('problem5/exact')!;
    const result = exact.result as unknown as ExactResult;
    expect(Math.abs(result.loss - LOSS)).toBeLessThanOrEqual(1e-15);
    expect(Math.abs(result.lossAfterUpdate! - LOSS_AFTER)).toBeLessThanOrEqual(1e-15);
    expectRelative(result.gradients.b as number[], DL_DB, 1e-12);

    const table = (file: string) =>
      parse(readFileSync(path.join(exact.dir, file), 'utf8'), { columns: true }) as Record<string, string>[];
    for (const file of exact.job.publish!)
      expect(readFileSync(path.join(exact.dir, file), 'utf8').length).toBeGreaterThan(0);
    const perStep = table('tables/dL_db_per_step.csv');
    expect(perStep.map((row) => row.step)).toEqual(['1', '2', '3', 'total']);
    perStep
      .slice(0, 3)
      .forEach((row, t) =>
        expectRelative([Number(row['dL/db[0]']), Number(row['dL/db[1]'])], DL_DB_PER_STEP[t], 1e-12),
      );
    expectRelative([Number(perStep[3]['dL/db[0]']), Number(perStep[3]['dL/db[1]'])], DL_DB, 1e-12);
    const update = table('tables/update.csv');
    expectRelative(
      update.map((row) => Number(row.after)),
      B_AFTER,
      1e-12,
    );
    const losses = table('tables/loss.csv');
    expect(Math.abs(Number(losses[1].value) - LOSS_AFTER)).toBeLessThanOrEqual(1e-15);
    table('tables/forward.csv').forEach((row, t) =>
      expectRelative([Number(row['y[0]']), Number(row['y[1]'])], Y[t], 1e-12),
    );
    const json = JSON.parse(readFileSync(path.join(exact.dir, 'tables/gradients.json'), 'utf8'));
    expectRelative(json.dLdbPerStep[2], DL_DB_PER_STEP[2], 1e-12);
  });
});
