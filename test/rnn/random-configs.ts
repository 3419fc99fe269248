// Random gradient experiments for property tests: sizes hidden 1–6, input 1–5, steps 1–8,
// outputs 2–4, normal(0, 1) parameters, either loss; for the LSTM, sometimes the shared shorthand
// with some units overridden. All from a seeded generator, so every run sees the same cases.
import { mulberry32 } from '../../src/random';
import { lstmGradientsExperiment } from '../../src/kinds/bptt/lstm-gradients';
import { rnnGradientsExperiment } from '../../src/kinds/bptt/rnn-gradients';
import type { BpttProblem } from '../../src/rnn/problem';
import { lstmProblemOf } from '../../src/kinds/bptt/lstm-gradients';
import { rnnProblemOf } from '../../src/kinds/bptt/rnn-gradients';

export function randomSource(seed: number) {
  const random = mulberry32(seed);
  const int = (lo: number, hi: number) => lo + Math.floor(random() * (hi - lo + 1));
  // Box–Muller.
  const normal = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const vector = (n: number) => Array.from({ length: n }, normal);
  const matrix = (rows: number, cols: number) => Array.from({ length: rows }, () => vector(cols));
  return { random, int, vector, matrix };
}

type Source = ReturnType<typeof randomSource>;

function sizesAndLoss(r: Source) {
  const sizes = { hidden: r.int(1, 6), inputs: r.int(1, 5), steps: r.int(1, 8), outputs: r.int(2, 4) };
  const loss =
    r.random() < 0.5
      ? { type: 'homework' as const }
      : {
          type: 'cross-entropy' as const,
          targets: Array.from({ length: r.int(1, sizes.steps) }, () => ({
            step: r.int(1, sizes.steps),
            class: r.int(0, sizes.outputs - 1),
          })),
        };
  return { sizes, loss };
}

export function randomRnnProblem(r: Source): BpttProblem {
  const { sizes: s, loss } = sizesAndLoss(r);
  const config = {
    parameters: {
      W: r.matrix(s.hidden, s.hidden),
      U: r.matrix(s.hidden, s.inputs),
      V: r.matrix(s.outputs, s.hidden),
      b: r.vector(s.hidden),
      c: r.vector(s.outputs),
      h0: r.vector(s.hidden),
    },
    x: r.matrix(s.steps, s.inputs),
    loss,
  };
  return rnnProblemOf(rnnGradientsExperiment.schema.parse(config));
}

export function randomLstmProblem(r: Source): BpttProblem {
  const { sizes: s, loss } = sizesAndLoss(r);
  const unit = () => ({
    W: r.matrix(s.hidden, s.hidden),
    U: r.matrix(s.hidden, s.inputs),
    b: r.vector(s.hidden),
  });
  const parameters: Record<string, unknown> = {
    V: r.matrix(s.outputs, s.hidden),
    c: r.vector(s.outputs),
    h0: r.vector(s.hidden),
    s0: r.vector(s.hidden),
  };
  const shared = r.random() < 0.5;
  if (shared) parameters.shared = unit();
  for (const name of ['forget', 'input', 'output', 'cell'])
    if (!shared || r.random() < 0.25) parameters[name] = unit();
  if (shared && ['forget', 'input', 'output', 'cell'].every((name) => parameters[name]))
    delete parameters.cell;
  return lstmProblemOf(
    lstmGradientsExperiment.schema.parse({ parameters, x: r.matrix(s.steps, s.inputs), loss }),
  );
}
