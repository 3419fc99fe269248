// What the `rnn-gradients` and `lstm-gradients` experiments share in their configs: numbers,
// the loss, the update, the checks, and the size checks that name the offending field.
import { z } from 'zod';
import { backendSchema } from '../../models/training-spec';
import type { Matrix } from '../../rnn/linear-algebra';

export const vectorSchema = z.array(z.number()).min(1);
export const matrixSchema = z.array(vectorSchema).min(1);

export const lossSchema = z.discriminatedUnion('type', [
  z
    .object({ type: z.literal('homework') })
    .strict()
    .describe("L = −ln y(T)[0] + (y(T)[1] − 0.5)², the homework's Problem 5 loss."),
  z
    .object({
      type: z.literal('cross-entropy'),
      targets: z
        .array(
          z.object({ step: z.number().int().positive(), class: z.number().int().nonnegative() }).strict(),
        )
        .min(1),
    })
    .strict()
    .describe('L = Σ −ln y(step)[class] over the targets; steps count from 1.'),
]);

export const updateSchema = z
  .object({
    parameters: z
      .array(z.string().min(1))
      .min(1)
      .describe(
        'Names of the parameters to move, e.g. ["b"], ["forget.b"], or ["shared.b"] for every tied b.',
      ),
    learningRate: z.number().positive(),
  })
  .strict();

const finiteDifferencesSchema = z
  .object({
    points: z
      .union([z.literal(2), z.literal(4)])
      .default(4)
      .describe('2: (L(θ+h) − L(θ−h)) / 2h; 4: the fourth-order central stencil.'),
    step: z.number().positive().default(3e-4).describe('The step h.'),
    chunkSize: z.number().int().positive().default(16).describe('Parameter elements per job.'),
    tolerance: z
      .number()
      .positive()
      .default(1e-6)
      .describe('Largest relative error |a − b| / max(|a|, |b|, floor) allowed.'),
    floor: z
      .number()
      .positive()
      .default(1e-5)
      .describe('Below this magnitude an element is compared absolutely: its error is |a − b| / floor.'),
  })
  .strict();

const tfjsSchema = z
  .object({
    backend: backendSchema.optional().describe("The tfjs backend; the config's default backend when absent."),
    tolerance: z
      .number()
      .positive()
      .default(1e-3)
      .describe('Largest relative error |a − b| / max(|a|, |b|, floor) allowed (float32).'),
    floor: z
      .number()
      .positive()
      .default(1e-3)
      .describe('Below this magnitude an element is compared absolutely: its error is |a − b| / floor.'),
  })
  .strict();

export const checksSchema = z
  .object({
    finiteDifferences: z
      .union([z.literal(false), finiteDifferencesSchema])
      .prefault({})
      .describe('Central finite differences in float64, one job per chunk of elements; false to skip.'),
    tfjs: z
      .union([z.literal(false), tfjsSchema])
      .prefault({})
      .describe('The same gradients by tfjs autodiff in float32; false to skip.'),
  })
  .strict();

export type LossConfig = z.infer<typeof lossSchema>;
export type UpdateConfig = z.infer<typeof updateSchema>;
export type ChecksConfig = z.infer<typeof checksSchema>;

export type Path = (string | number)[];
/** Records a size problem at a path of the experiment's config. */
export type Report = (path: Path, message: string) => void;

export interface Size {
  rows: number;
  cols: number;
}

/** Rows all as long as the first; reports ragged rows and answers the matrix's size. */
export function matrixSize(report: Report, path: Path, M: Matrix): Size {
  const cols = M[0].length;
  M.forEach((row, i) => {
    if (row.length !== cols) report([...path, i], `expected ${cols} entries like row 0, got ${row.length}`);
  });
  return { rows: M.length, cols };
}

export function expectLength(
  report: Report,
  path: Path,
  actual: number,
  expected: number,
  why: string,
): void {
  if (actual !== expected) report(path, `expected ${expected} entries (${why}), got ${actual}`);
}

/** The checks every experiment shares once sizes are known: x, the loss and the update. */
export function checkInputsLossUpdate(
  report: Report,
  config: { x: Matrix; loss: LossConfig; update?: UpdateConfig },
  sizes: { inputs: number; inputsWhy: string; outputs: number },
  names: string[],
  membersOf: (name: string) => string[],
): void {
  config.x.forEach((row, t) => expectLength(report, ['x', t], row.length, sizes.inputs, sizes.inputsWhy));
  const steps = config.x.length;
  if (config.loss.type === 'homework' && sizes.outputs < 2) {
    report(
      ['loss'],
      `the homework loss reads y(T)[0] and y(T)[1], so V needs at least 2 rows (outputs), got ${sizes.outputs}`,
    );
  }
  if (config.loss.type === 'cross-entropy') {
    config.loss.targets.forEach((target, i) => {
      if (target.step > steps)
        report(
          ['loss', 'targets', i, 'step'],
          `expected a step from 1 to ${steps} (x has ${steps} step${steps === 1 ? '' : 's'}), got ${target.step}`,
        );
      if (target.class >= sizes.outputs)
        report(
          ['loss', 'targets', i, 'class'],
          `expected a class from 0 to ${sizes.outputs - 1} (V has ${sizes.outputs} rows), got ${target.class}`,
        );
    });
  }
  const moved = new Map<string, string>();
  config.update?.parameters.forEach((name, i) => {
    if (!names.includes(name)) {
      report(['update', 'parameters', i], `unknown parameter "${name}"; expected one of ${names.join(', ')}`);
      return;
    }
    for (const member of membersOf(name)) {
      const earlier = moved.get(member);
      if (earlier)
        report(['update', 'parameters', i], `"${name}" moves ${member}, which "${earlier}" already moves`);
      moved.set(member, name);
    }
  });
}
