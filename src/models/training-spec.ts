// Training settings of the Figure 1 CNN; every field can be set in a config.
import { z } from 'zod';

export const backendSchema = z.enum(['wasm', 'cpu', 'node']);
export type BackendName = z.infer<typeof backendSchema>;

export const trainingSpecSchema = z
  .object({
    optimizer: z.enum(['adam', 'sgd', 'rmsprop']).default('adam'),
    learningRate: z.number().positive().default(0.001),
    batchSize: z.number().int().positive().default(32),
    epochs: z.number().int().positive().default(12),
    dropout: z.number().min(0).lt(1).default(0.2),
    /** Share of the training set held out for validation curves (the last part, as Keras does). */
    validationSplit: z.number().min(0).lt(1).default(0.1),
  })
  .strict();
export type TrainingSpec = z.infer<typeof trainingSpecSchema>;
