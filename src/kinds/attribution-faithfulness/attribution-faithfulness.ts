// `attribution-faithfulness`: which attribution map to trust (issue 17 §2). For every probed
// model, method and chunk of test images, one `attribution-faithfulness-chunk` job draws the
// deletion and insertion curves (maps from src/attribution/methods.ts, one batched predict per
// image for both curves) and, unless `sanity` is false, one `attribution-sanity-chunk` job runs
// the cascading model-parameter randomisation. A seeded random order (`random`) goes through
// both as the baseline. One `attribution-faithfulness` job per experiment gathers every chunk
// into the tables, the overlaid curves and trust.csv, which the report's section
// "Which attribution to trust" reads.
import { z } from 'zod';
import { FieldError } from '../../config-errors';
import { methodSchema } from '../../attribution/settings';
import { selectImages } from '../../occlusion/images';
import { testLabels } from '../../occlusion/test-labels';
import { RANDOM_METHOD } from '../../attribution/faithfulness/trust';
import { checkMethod, evaluations, methodLabels } from '../attribution/attribution';
import { faithfulnessChunkJob, faithfulnessJob, sanityChunkJob } from './attribution-faithfulness-jobs';
import { type PlannedJob, defineExperiment } from '../../jobs/kind';
import { modelReferences, modelSourceField, probedModels, withModel } from '../../jobs/model-source';
import { imagesSchema } from '../occlusion/occlusion';
import { labelSegment, probeDataFields, probeSetting } from '../../jobs/probe-setting';
import {
  chunkNeed,
  type FaithfulnessChunkParams,
  type FaithfulnessMethod,
  type FaithfulnessParams,
} from './params';

const positive = z.number().int('expected a positive integer').positive('expected a positive integer');

export const faithfulnessConfigSchema = z
  .object({
    model: modelSourceField,
    images: imagesSchema.default({ first: 100 }),
    methods: z
      .array(methodSchema)
      .min(1)
      .describe(
        'Attribution methods (a name, or { "method": ..., settings }); the random order is added as "random".',
      ),
    target: z
      .enum(['label', 'predicted'])
      .default('label')
      .describe('The class whose probability the curves follow: the true label or the predicted class.'),
    steps: positive
      .max(784)
      .default(20)
      .describe('Points of each curve after the first: 20 removes or adds 5 % of the pixels a step.'),
    baseline: z
      .union([z.number().min(0).max(1), z.enum(['image-mean', 'dataset-mean'])])
      .default(0)
      .describe(
        'What a removed pixel becomes, and what insertion starts from: a pixel value in 0..1 (0 = black), "image-mean" or "dataset-mean".',
      ),
    random: z
      .boolean()
      .default(true)
      .describe('Add the seeded random order ("random") as the baseline method.'),
    sanity: z
      .boolean()
      .default(true)
      .describe('Run the model-parameter randomisation check (Adebayo et al., 2018).'),
    sanityThreshold: z
      .number()
      .gt(0)
      .lte(1)
      .default(0.9)
      .describe(
        "A method fails the sanity check when the mean Spearman ρ of its |map| with the trained model's is still this or more after every layer is randomised.",
      ),
    seed: z
      .number()
      .int()
      .nonnegative()
      .default(0)
      .describe('Seed of the random order and of the randomised weights.'),
    imagesPerJob: positive.default(10).describe('Images per pool job.'),
    ...probeDataFields,
  })
  .strict();
export type FaithfulnessConfig = z.infer<typeof faithfulnessConfigSchema>;

export const FAITHFULNESS_FILES = [
  'tables/trust.csv',
  'tables/ranking.csv',
  'tables/faithfulness.csv',
  'tables/per_image.csv',
  'tables/curves.csv',
  'tables/sanity.csv',
  'figures/deletion.svg',
  'figures/deletion.png',
  'figures/insertion.svg',
  'figures/insertion.png',
  'figures/sanity.svg',
  'figures/sanity.png',
];

/** The configured methods (checked as the attribution kind checks them), then the random order. */
function methodsOf(config: FaithfulnessConfig): FaithfulnessMethod[] {
  const labels = methodLabels(config.methods);
  const methods: FaithfulnessMethod[] = config.methods.map((settings, m) => ({ label: labels[m], settings }));
  if (config.random) methods.push({ label: RANDOM_METHOD, settings: null });
  return methods;
}

/** Layer classes with weights, whose randomisation costs a map each in the sanity check. */
const WEIGHTED = new Set(['Conv2D', 'Dense', 'BatchNormalization']);

export const faithfulnessExperiment = defineExperiment<FaithfulnessConfig>({
  kind: 'attribution-faithfulness',
  description:
    'Ranks attribution methods by deletion and insertion curves and a model-randomisation sanity check.',
  schema: faithfulnessConfigSchema,
  references: (config) => modelReferences(config.model),
  expand(config, ctx): PlannedJob[] {
    const setting = probeSetting(config, ctx);
    const data = testLabels(setting.data);
    const indices = selectImages(config.images, data.labels);
    const methods = methodsOf(config);
    const models = probedModels(config.model, ctx, setting.data, { forwardOnly: true });
    if (config.sanity && models.some((m) => m.forwardOnly))
      throw new FieldError(
        ['sanity'],
        'the sanity check randomises the layers of a tfjs model, which an ONNX model does not give; set "sanity": false',
      );
    const chunks = Math.ceil(indices.length / config.imagesPerJob);
    const jobs: PlannedJob[] = [];
    const needs: Record<string, string> = {};
    for (const model of models) {
      const weighted = model.layers?.filter((l) => WEIGHTED.has(l.className)).length ?? 4;
      for (const [m, method] of methods.entries()) {
        if (method.settings) checkMethod(method.settings, m, model, data.rows, data.cols);
        // Seconds per image: the maps (a gradient evaluation ≈ 0.4 ms) and the curves' predict.
        const perMap =
          0.002 + (method.settings ? evaluations(method.settings, data.rows, data.cols) * 4e-4 : 0);
        const base = `${ctx.prefix}/${model.label}/${labelSegment(method.label)}`;
        for (let c = 0; c < chunks; c++) {
          const params: FaithfulnessChunkParams = {
            ...setting,
            method,
            indices: indices.slice(c * config.imagesPerJob, (c + 1) * config.imagesPerJob),
            target: config.target,
            steps: config.steps,
            baseline: config.baseline,
            seed: config.seed,
          };
          const images = params.indices.length;
          const plans = [
            ['curves', faithfulnessChunkJob, `${base}/chunk=${c}`, images * (perMap + 0.01)],
            // The random order is the reference, not a candidate: no sanity check of its own.
            ...(config.sanity && method.settings
              ? ([
                  ['sanity', sanityChunkJob, `${base}/sanity/chunk=${c}`, images * perMap * (weighted + 1)],
                ] as const)
              : []),
          ] as const;
          for (const [part, job, key, cost] of plans) {
            needs[chunkNeed(part, model.label, method.label, c)] = key;
            jobs.push(withModel(model, job.plan({ key, params, cost })));
          }
        }
      }
    }
    const params: FaithfulnessParams = {
      models: models.map((m) => m.label),
      methods: methods.map((m) => m.label),
      chunks,
      sanity: config.sanity,
      sanityThreshold: config.sanityThreshold,
      steps: config.steps,
    };
    jobs.push(faithfulnessJob.plan({ key: ctx.prefix, params, needs, cost: 1, publish: FAITHFULNESS_FILES }));
    return jobs;
  },
});
