// The shape of a config file. Each experiment's own fields are validated by its kind's schema
// (see validate.ts); this file holds what every config shares.
import { z } from 'zod';
import { dataSpecSchema } from '../data/spec';
import { backendSchema, trainingOverridesSchema } from '../models/training-spec';
import { BUILT_IN } from './settings';

/** Names become folder names and key segments: keep them plain. */
export const plainName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, {
  error: 'expected a name of letters, digits, ".", "_" and "-" (it names a folder)',
});

export const defaultsSchema = z
  .object({
    data: dataSpecSchema
      .default({ source: 'mnist' })
      .describe('Data set every experiment uses unless it says otherwise.'),
    backend: backendSchema.default('wasm').describe('tfjs backend of the workers.'),
    seeds: z
      .array(z.number().int().nonnegative())
      .min(1)
      .refine((seeds) => new Set(seeds).size === seeds.length, { error: 'expected distinct seeds' })
      .default([1])
      .describe('Seeds every experiment repeats its jobs for.'),
    training: trainingOverridesSchema
      .default({})
      .describe('Training settings that override the built-in ones.'),
    workers: z
      .number()
      .int()
      .positive()
      .optional()
      .describe('Worker threads (default: available cores); --workers overrides.'),
    retries: z
      .number()
      .int()
      .nonnegative()
      .optional()
      .describe(
        `Retries of a failed job before it is recorded as failed (default ${BUILT_IN.retries}); --retries overrides.`,
      ),
    timeoutSeconds: z
      .number()
      .positive()
      .optional()
      .describe('Time limit of one job attempt (default: none); --timeout overrides.'),
    workerMemoryMb: z
      .number()
      .int()
      .min(32)
      .optional()
      .describe(
        "JavaScript heap limit of each worker thread in MB (default: what one job may take, --max-memory, within Node's own limit).",
      ),
    outputDir: z
      .string()
      .min(1)
      .default(BUILT_IN.outputDir)
      .describe('Folder that holds run folders, relative to the working directory; --out overrides.'),
  })
  .strict();
export type Defaults = z.output<typeof defaultsSchema>;

export const sweepSchema = z
  .record(z.string().min(1), z.array(z.unknown()).min(1))
  .refine((sweep) => Object.keys(sweep).length > 0, {
    error: 'expected at least one field with a list of values',
  })
  .describe(
    'Fields (dotted paths allowed, e.g. "training.learningRate") → lists of values, expanded as a grid.',
  );

/** What the runner reads from every experiment before its kind's schema sees the rest. */
export const experimentHeaderSchema = z.looseObject({
  name: plainName.describe('Unique name of the experiment; its outputs are published under it.'),
  kind: z.string().min(1).describe('Experiment kind.'),
  sweep: sweepSchema.optional(),
});

export const configFileSchema = z
  .object({
    $schema: z.string().optional(),
    name: plainName.optional().describe('Name of the run folder (default: the file name without extension).'),
    defaults: defaultsSchema.default(() => defaultsSchema.parse({})),
    experiments: z.array(experimentHeaderSchema).min(1),
  })
  .strict();
