// The attribution methods and their settings, as a config writes them: a method's name alone
// ("saliency") or an object with its settings ({ "method": "integrated-gradients", "steps": 128 }).
// Plain data (zod), so planning checks them without loading tfjs.
import { z } from 'zod';

const positive = z.number().int('expected a positive integer').positive('expected a positive integer');

const saliency = z
  .object({ method: z.literal('saliency') })
  .strict()
  .describe('|∂y_c/∂x|, the largest over channels.');

const gradientXInput = z
  .object({ method: z.literal('gradient-x-input') })
  .strict()
  .describe('∂y_c/∂x · x, summed over channels.');

export const BASELINES = ['black', 'image-mean', 'blurred'] as const;
export type BaselineName = (typeof BASELINES)[number];

const integratedGradients = z
  .object({
    method: z.literal('integrated-gradients'),
    steps: z
      .number()
      .int('expected a whole number of steps')
      .min(2, 'expected at least 2 steps')
      .default(64)
      .describe('Points on the straight path from the baseline to the image (trapezoid rule).'),
    baseline: z
      .enum(BASELINES)
      .default('black')
      .describe(
        'black (all 0), image-mean (every pixel the image mean) or blurred (Gaussian blur of the image).',
      ),
    blurSigma: z
      .number()
      .positive('expected a positive number of pixels')
      .default(4)
      .describe('Baseline "blurred": the Gaussian blur σ in pixels.'),
  })
  .strict()
  .describe('(x − x′) · the mean gradient along the path from the baseline x′ to x, summed over channels.');

const smoothgrad = z
  .object({
    method: z.literal('smoothgrad'),
    samples: positive.default(50).describe('Noisy copies per image.'),
    noise: z
      .number()
      .positive('expected a positive fraction')
      .max(1, 'expected a fraction of at most 1')
      .default(0.15)
      .describe("Gaussian noise σ as a fraction of the image's range (max − min pixel)."),
    seed: z.number().int().nonnegative().default(0).describe('Seed of the noise.'),
  })
  .strict()
  .describe('The mean of |∂y_c/∂x| over noisy copies of the image (largest over channels).');

const gradCam = z
  .object({
    method: z.literal('grad-cam'),
    layer: z
      .string()
      .min(1)
      .optional()
      .describe('Name of the convolution layer (default: the last Conv2D layer).'),
  })
  .strict()
  .describe(
    'ReLU(Σ_k α_k A_k) of a convolution layer A, α_k the spatial mean of ∂y_c/∂A_k, upsampled bilinearly to pixels.',
  );

const occlusion = z
  .object({
    method: z.literal('occlusion'),
    patch: positive.default(8).describe('Side of the square patch in pixels.'),
    stride: positive.default(1).describe('Step between patch positions in pixels.'),
    fill: z
      .union([z.number().min(0).max(1), z.literal('image-mean')])
      .default(0)
      .describe('What the patch holds: a pixel value in 0..1 (0 = black) or "image-mean".'),
  })
  .strict()
  .describe(
    'y_c(x) − y_c(x with the patch), each pixel the mean over the patch placements that cover it (0 where none does).',
  );

const baselineFill = z
  .union([z.number().min(0).max(1), z.literal('image-mean')])
  .default(0)
  .describe('The baseline a removed feature takes: a pixel value in 0..1 (0 = black) or "image-mean".');
const patchSide = (fallback: number) =>
  positive
    .default(fallback)
    .describe('Side of the square patches the image is cut into (its features), in pixels.');
const seedField = z
  .number()
  .int()
  .nonnegative()
  .default(0)
  .describe('Seed of the random draws (with the image index).');

const featureAblation = z
  .object({ method: z.literal('feature-ablation'), patch: patchSide(4), fill: baselineFill })
  .strict()
  .describe("y_c(x) − y_c(x with one patch from the baseline), each pixel its patch's value.");

const shapleySampling = z
  .object({
    method: z.literal('shapley-sampling'),
    patch: patchSide(7),
    samples: positive.default(25).describe('Random orders of the patches.'),
    fill: baselineFill,
    seed: seedField,
  })
  .strict()
  .describe(
    "Shapley values of the patches, the mean over random orders of each patch's marginal change of y_c as the patches are added to the baseline; each pixel its patch's value.",
  );

const kernelShap = z
  .object({
    method: z.literal('kernel-shap'),
    patch: patchSide(4),
    samples: positive
      .default(300)
      .describe('Coalitions of patches evaluated (sizes drawn by the Shapley kernel).'),
    fill: baselineFill,
    seed: seedField,
  })
  .strict()
  .describe(
    "KernelSHAP: the least-squares fit of y_c on which patches a copy keeps, constrained to add up to y_c(x) − y_c(baseline); each pixel its patch's value.",
  );

const rise = z
  .object({
    method: z.literal('rise'),
    masks: positive.default(1000).describe('Random masks.'),
    cells: positive.default(7).describe('Cells of the random grid across the larger side of the image.'),
    keep: z
      .number()
      .gt(0, 'expected a probability above 0')
      .lt(1, 'expected a probability below 1')
      .default(0.5)
      .describe('Probability that a cell of the grid is kept.'),
    fill: baselineFill,
    seed: seedField,
  })
  .strict()
  .describe('RISE: Σ y_c(x ⊙ M) M over random smooth masks M, ÷ (masks × keep).');

export const methodObjectSchema = z.discriminatedUnion('method', [
  saliency,
  gradientXInput,
  integratedGradients,
  smoothgrad,
  gradCam,
  occlusion,
  featureAblation,
  shapleySampling,
  kernelShap,
  rise,
]);

/** Perturbation methods of many predictions per image: run when an experiment names them. */
const PERTURBATION_METHODS = ['feature-ablation', 'shapley-sampling', 'kernel-shap', 'rise'] as const;

export const METHOD_NAMES = [
  'saliency',
  'gradient-x-input',
  'integrated-gradients',
  'smoothgrad',
  'grad-cam',
  'occlusion',
  ...PERTURBATION_METHODS,
] as const;
export type MethodName = (typeof METHOD_NAMES)[number];

/** The methods an attribution experiment runs when it names none: the gradient methods and occlusion. */
export const DEFAULT_METHODS: readonly MethodName[] = METHOD_NAMES.filter(
  (name) => !(PERTURBATION_METHODS as readonly string[]).includes(name),
);

/** The methods that need only the model's outputs: they run on any model, ONNX models included. */
export const FORWARD_ONLY_METHODS = ['occlusion', ...PERTURBATION_METHODS] as const;

/** A method in a config: its name (default settings) or an object with `method` and settings. */
export const methodSchema = z
  .union([
    z.enum(METHOD_NAMES, {
      error: `expected one of ${METHOD_NAMES.join(', ')}, or an object { "method": ..., settings }`,
    }),
    methodObjectSchema,
  ])
  .transform((m) => (typeof m === 'string' ? methodObjectSchema.parse({ method: m }) : m));

export type MethodSettings = z.output<typeof methodObjectSchema>;
export type MethodInput = z.input<typeof methodSchema>;

/** A method with every default filled in (`"saliency"` or a partial object). */
export function methodSettings(input: MethodInput): MethodSettings {
  return methodSchema.parse(input);
}

/**
 * A method and the settings that differ from its defaults, as one path segment:
 * `saliency`, `integrated-gradients_steps=128_baseline=blurred`.
 */
export function methodLabel(settings: MethodSettings): string {
  const defaults = methodObjectSchema.parse({ method: settings.method }) as Record<string, unknown>;
  const changed = Object.entries(settings)
    .filter(([key, value]) => key !== 'method' && defaults[key] !== value)
    .map(([key, value]) => `_${key}=${String(value).replace(/[\\/:*?"<>|,\s]+/g, '-')}`);
  return settings.method + changed.join('');
}
