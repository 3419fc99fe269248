// One gradient-descent step: plain parameters move alone, a tie moves all its members together.
import { gradientDescentStep } from '../../src/rnn/gradient-descent';
import { problemGradients, problemLoss } from '../../src/rnn/problem';
import { randomLstmProblem, randomSource } from './random-configs';

test('a step on a tie keeps its members equal and lowers the loss; a step on one member unties it', () => {
  const r = randomSource(7);
  let problem = randomLstmProblem(r);
  while (!problem.ties['shared.b']) problem = randomLstmProblem(r);
  const { loss, gradients } = problemGradients(problem);
  const members = problem.ties['shared.b'];
  const rate = 1e-3;

  const tied = gradientDescentStep(problem.parameters, problem.ties, gradients, ['shared.b'], rate);
  const expected = (problem.parameters[members[0]] as number[]).map(
    (b, i) => b - rate * (gradients['shared.b'] as number[])[i],
  );
  for (const member of members) expect(tied[member]).toEqual(expected);
  expect(tied.V).toEqual(problem.parameters.V);
  expect(problemLoss(problem, tied)).toBeLessThan(loss);

  const alone = gradientDescentStep(problem.parameters, problem.ties, gradients, [members[0]], rate);
  expect(alone[members[0]]).not.toEqual(problem.parameters[members[0]]);
  for (const member of members.slice(1)) expect(alone[member]).toEqual(problem.parameters[member]);
});
