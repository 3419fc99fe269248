// The two networks the batch normalization claims compare: a plain CNN (by default Figure 1)
// and the same CNN with batch normalization after each convolution (the convolution's
// activation moved behind it: conv → batch norm → relu, as configs/architectures.json has it).
import { z } from 'zod';
import { figure1Layers, layersSchema, type LayerSpec } from '../models/layers';

export type Network = 'plain' | 'batch-norm';
export const NETWORKS: readonly Network[] = ['plain', 'batch-norm'];

export const plainLayersField = layersSchema
  .optional()
  .describe(
    'The plain network, without batch normalization (default: Figure 1, with the training dropout rate); the compared network has batch normalization after each conv2d.',
  );

export const batchSizesField = (defaults: number[], what: string) =>
  z
    .array(z.number().int('expected a whole batch size').positive('expected a batch size ≥ 1'))
    .min(2, 'expected at least two batch sizes to compare')
    .refine((sizes) => sizes.every((size, i) => i === 0 || size > sizes[i - 1]), {
      message: 'expected batch sizes in increasing order, each once',
    })
    .default(defaults)
    .describe(what);

/** The plain network with a batch normalization layer after every conv2d. */
export function withBatchNormalization(layers: readonly LayerSpec[]): LayerSpec[] {
  return layers.flatMap((layer): LayerSpec[] => {
    if (layer.type !== 'conv2d') return [layer];
    const { activation, ...linear } = layer;
    const after: LayerSpec[] =
      activation && activation !== 'linear' ? [{ type: 'activation', activation }] : [];
    return [linear, { type: 'batchNormalization' }, ...after];
  });
}

/** The layers of each network, from the configured plain one (by default Figure 1 with the training's dropout). */
export function networkLayers(
  plain: readonly LayerSpec[] | undefined,
  dropout: number,
  network: Network,
): LayerSpec[] {
  const base = plain ? [...plain] : figure1Layers(dropout);
  return network === 'plain' ? base : withBatchNormalization(base);
}

/**
 * Rough milliseconds of one training step of the Figure 1 CNN on wasm, one thread, measured on
 * the 2-core machine (batch 2: 0.9 / 3.0 ms, batch 32: 3.9 / 36 ms, batch 128: 26 / 183 ms).
 */
export function stepMilliseconds(network: Network, batchSize: number): number {
  return network === 'plain' ? 0.8 + 0.2 * batchSize : 2 + 1.4 * batchSize;
}
