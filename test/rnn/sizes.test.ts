// Sizes checked against each other: a mismatch is a clear error naming the field and what was expected.
import type { z } from 'zod';
import { lstmGradientsExperiment, lstmProblemOf } from '../../src/kinds/bptt/lstm-gradients';
import { rnnGradientsExperiment } from '../../src/kinds/bptt/rnn-gradients';

function issues(schema: z.ZodType, config: unknown): string[] {
  const parsed = schema.safeParse(config);
  return parsed.success
    ? []
    : parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
}

const I2 = [
  [1, 0],
  [0, 1],
];
const rnn = () => ({
  parameters: {
    W: [
      [1, -1],
      [0, 2],
    ],
    U: I2,
    V: [
      [-1, 1],
      [0, 0],
    ],
    b: [-1, 1],
    c: [1, 0],
  },
  x: [
    [-1, 1],
    [-0.5, 0],
    [0, -2],
  ],
  loss: { type: 'homework' },
});
const lstm = () => ({
  parameters: {
    shared: {
      W: [
        [1, -1],
        [0, 2],
      ],
      U: I2,
      b: [-1, 1],
    },
    V: [
      [-1, 1],
      [0, 0],
    ],
    c: [1, 0],
  },
  x: [
    [-1, 1],
    [-0.5, 0],
    [0, -2],
  ],
  loss: { type: 'homework' },
});

describe('rnn-gradients sizes', () => {
  const check = (edit: (c: ReturnType<typeof rnn>) => void) => {
    const config = rnn();
    edit(config);
    return issues(rnnGradientsExperiment.schema, config);
  };

  test('a consistent config passes', () => expect(check(() => {})).toEqual([]));

  test.each<[string, (c: any) => void, string]>([
    [
      'W not square',
      (c) =>
        (c.parameters.W = [
          [1, 2, 3],
          [4, 5, 6],
        ]),
      'parameters.W: expected a square hidden × hidden matrix, got 2×3',
    ],
    [
      'ragged rows',
      (c) => (c.parameters.W = [[1, 2], [3]]),
      'parameters.W.1: expected 2 entries like row 0, got 1',
    ],
    [
      'U rows',
      (c) => (c.parameters.U = [[1, 0]]),
      'parameters.U: expected 2 rows (one per hidden unit, as W is 2×2), got 1',
    ],
    [
      'V columns',
      (c) =>
        (c.parameters.V = [
          [1, 2, 3],
          [4, 5, 6],
        ]),
      'parameters.V: expected 2 columns (one per hidden unit, as W is 2×2), got 2×3',
    ],
    [
      'b',
      (c) => (c.parameters.b = [1, 2, 3]),
      'parameters.b: expected 2 entries (one per hidden unit, as W is 2×2), got 3',
    ],
    [
      'c',
      (c) => (c.parameters.c = [1]),
      'parameters.c: expected 2 entries (one per output, as V has 2 rows), got 1',
    ],
    [
      'h0',
      (c) => ((c.parameters as any).h0 = [0]),
      'parameters.h0: expected 2 entries (one per hidden unit, as W is 2×2), got 1',
    ],
    ['x', (c) => (c.x[2] = [0, -2, 1]), 'x.2: expected 2 entries (one per input, as U has 2 columns), got 3'],
    [
      'homework loss needs 2 outputs',
      (c) => Object.assign(c.parameters, { V: [[-1, 1]], c: [1] }),
      'loss: the homework loss reads y(T)[0] and y(T)[1], so V needs at least 2 rows (outputs), got 1',
    ],
    [
      'target step',
      (c) => (c.loss = { type: 'cross-entropy', targets: [{ step: 4, class: 0 }] }),
      'loss.targets.0.step: expected a step from 1 to 3 (x has 3 steps), got 4',
    ],
    [
      'target class',
      (c) => (c.loss = { type: 'cross-entropy', targets: [{ step: 3, class: 2 }] }),
      'loss.targets.0.class: expected a class from 0 to 1 (V has 2 rows), got 2',
    ],
    [
      'update name',
      (c) => (c.update = { parameters: ['B'], learningRate: 0.1 }),
      'update.parameters.0: unknown parameter "B"; expected one of W, U, V, b, c, h0',
    ],
  ])('%s', (_name, edit, message) => expect(check(edit)).toContain(message));
});

describe('lstm-gradients sizes', () => {
  const check = (edit: (c: any) => void) => {
    const config = lstm();
    edit(config);
    return issues(lstmGradientsExperiment.schema, config);
  };

  test('a consistent config passes, and the shorthand ties every unit', () => {
    expect(check(() => {})).toEqual([]);
    const problem = lstmProblemOf(lstmGradientsExperiment.schema.parse(lstm()));
    expect(problem.ties['shared.W']).toEqual(['forget.W', 'input.W', 'output.W', 'cell.W']);
  });

  test.each<[string, (c: any) => void, string]>([
    [
      'a unit without parameters',
      (c) => (c.parameters = { forget: c.parameters.shared, V: c.parameters.V, c: c.parameters.c }),
      'parameters.input: missing: give input its own {W, U, b}, or give a shared {W, U, b} for the units without one',
    ],
    [
      'an unused shared block',
      (c) =>
        Object.assign(c.parameters, {
          forget: c.parameters.shared,
          input: c.parameters.shared,
          output: c.parameters.shared,
          cell: c.parameters.shared,
        }),
      'parameters.shared: unused: every unit (forget, input, output, cell) has its own W, U, b',
    ],
    [
      'a unit W of another size',
      (c) => (c.parameters.forget = { W: [[1]], U: [[1, 0]], b: [1] }),
      'parameters.forget.W: expected 2×2 like parameters.shared.W, got 1×1',
    ],
    [
      'a unit U with other inputs',
      (c) => (c.parameters.output = { W: I2, U: [[1], [0]], b: [1, 1] }),
      'parameters.output.U: expected 2 columns (inputs) like parameters.shared.U, got 1',
    ],
    [
      'a unit b',
      (c) => (c.parameters.cell = { W: I2, U: I2, b: [1] }),
      'parameters.cell.b: expected 2 entries (one per hidden unit, as parameters.shared.W is 2×2), got 1',
    ],
    [
      's0',
      (c) => (c.parameters.s0 = [0.1, 0.1, 0.1]),
      'parameters.s0: expected 2 entries (one per hidden unit, as parameters.shared.W is 2×2), got 3',
    ],
    [
      'V columns',
      (c) => (c.parameters.V = [[1], [2]]),
      'parameters.V: expected 2 columns (one per hidden unit, as parameters.shared.W is 2×2), got 2×1',
    ],
    [
      'x',
      (c) => (c.x[0] = [1]),
      'x.0: expected 2 entries (one per input, as parameters.shared.U has 2 columns), got 1',
    ],
    [
      'an update that moves one parameter twice',
      (c) => (c.update = { parameters: ['shared.b', 'forget.b'], learningRate: 0.1 }),
      'update.parameters.1: "forget.b" moves forget.b, which "shared.b" already moves',
    ],
    [
      'an unknown field',
      (c) => (c.parameters.forgett = c.parameters.shared),
      'parameters: Unrecognized key: "forgett"',
    ],
  ])('%s', (_name, edit, message) => expect(check(edit)).toContain(message));
});
