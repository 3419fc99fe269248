// Training settings of the Figure 1 CNN; every field can be set in a config.
import { z } from 'zod';
import { BACKEND_NAMES, type BackendName } from '../tf/backend-name';

export const backendSchema = z.enum(BACKEND_NAMES);
export type { BackendName };

/** Training settings as a config gives them: any subset, no defaults filled in. */
export const trainingOverridesSchema = z
  .object({
    optimizer: z.enum(['adam', 'sgd', 'rmsprop']).optional(),
    learningRate: z.number().positive().optional(),
    batchSize: z.number().int().positive().optional(),
    epochs: z.number().int().positive().optional(),
    dropout: z.number().min(0).lt(1).optional(),
    /** Share of the training set held out for validation curves (the last part, as Keras does). */
    validationSplit: z.number().min(0).lt(1).optional(),
  })
  .strict();

/**
 * The defaults: Keras' Adam (1e-3) at batch 32 with dropout 0.2, 12 epochs — on the full MNIST
 * they reach the homework's accuracy (docs/results.md has the measured figures).
 */
export const TRAINING_DEFAULTS = {
  optimizer: 'adam',
  learningRate: 0.001,
  batchSize: 32,
  epochs: 12,
  dropout: 0.2,
  validationSplit: 0.1,
} as const;

/** Complete training settings: overrides on top of the defaults. */
export const trainingSpecSchema = trainingOverridesSchema.transform((given) => ({
  ...TRAINING_DEFAULTS,
  ...stripUndefined(given),
}));
export type TrainingSpec = z.infer<typeof trainingSpecSchema>;

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
