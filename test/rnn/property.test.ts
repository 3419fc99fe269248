// Property tests: on random sizes and parameters, exact BPTT agrees with float64 central finite
// differences for every element of every parameter (and tie) of both cells.
//
// Relative error |a − b| / max(|a|, |b|, 1e-5) (src/rnn/relative-error.ts), within 1e-6. Why the
// floor 1e-5: finite differences of a loss of size 1–10 carry an absolute error of about 1e-11
// (rounding ε|L|/h plus the stencil's truncation), so no element smaller than ~1e-5 can be
// resolved to 1e-6 relative; those elements (vanishing gradients, tiny per-step terms) are held to
// 1e-11 absolute instead, still far below any error a wrong formula makes.
import { finiteDifference } from '../../src/rnn/finite-differences';
import { allElements, getElement } from '../../src/rnn/parameters';
import type { BpttProblem } from '../../src/rnn/problem';
import { problemGradients } from '../../src/rnn/problem';
import { relativeError } from '../../src/rnn/relative-error';
import { randomLstmProblem, randomRnnProblem, randomSource } from './random-configs';

const CASES = 50;
const TOLERANCE = 1e-6;
const FLOOR = 1e-5;
// The defaults of the finite-difference check (src/experiments/bptt/config.ts).
const STEP = 3e-4;
const POINTS = 4;

function worstError(problem: BpttProblem): { error: number; where: string } {
  const { gradients } = problemGradients(problem);
  let worst = { error: 0, where: '' };
  for (const element of allElements(problem.parameters, problem.ties)) {
    const exact = getElement(gradients[element.parameter], element.index);
    const error = relativeError(exact, finiteDifference(problem, element, STEP, POINTS), FLOOR);
    if (error > worst.error) worst = { error, where: `${element.parameter}#${element.index}` };
  }
  return worst;
}

describe.each([
  ['RNN', randomRnnProblem, 1],
  ['LSTM', randomLstmProblem, 2],
])('%s: exact BPTT vs finite differences', (_cell, makeProblem, seed) => {
  test(`${CASES} random problems agree to ${TOLERANCE} relative for every parameter`, () => {
    const r = randomSource(seed);
    const failures: string[] = [];
    for (let i = 0; i < CASES; i++) {
      const problem = makeProblem(r);
      const { error, where } = worstError(problem);
      if (error > TOLERANCE)
        failures.push(
          `case ${i} (${problem.x.length} steps, ${Object.keys(problem.ties).length} ties): ${error.toExponential(2)} at ${where}`,
        );
    }
    expect(failures).toEqual([]);
  });
});
