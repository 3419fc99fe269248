// A sequential CNN as a config writes it: `"layers": [{ "type": "conv2d", ... }, ...]`, and the
// homework's Figure 1 network as such a list. Plain data, so that planning can check shapes and
// name the layers without loading tfjs.
import { z } from 'zod';

const positive = z.number().int('expected a positive integer').positive('expected a positive integer');
/** A size as one number (square) or [rows, cols]. */
const size = z
  .union([positive, z.tuple([positive, positive])])
  .describe('A whole number of pixels (square), or [rows, cols].');
const activation = z
  .enum(['relu', 'sigmoid', 'tanh', 'softmax', 'linear'])
  .describe('relu, sigmoid, tanh, softmax or linear (none).');

const conv2d = z
  .object({
    type: z.literal('conv2d'),
    filters: positive.describe('Number of filters (output channels).'),
    kernelSize: size.describe('Kernel size: n (n×n) or [rows, cols].'),
    strides: size.optional().describe('Step between kernel positions (default 1).'),
    padding: z
      .enum(['valid', 'same'])
      .optional()
      .describe('"valid" (default): no padding; "same": zero padding so that stride 1 keeps the size.'),
    activation: activation.optional().describe('Default: linear (none).'),
  })
  .strict()
  .describe('2-D convolution (Glorot-uniform kernel and zero bias from the seed).');

const pooling = (type: 'maxPooling2d' | 'averagePooling2d', what: string) =>
  z
    .object({
      type: z.literal(type),
      poolSize: size.describe('Window size: n (n×n) or [rows, cols].'),
      strides: size.optional().describe('Step between windows (default: the pool size).'),
    })
    .strict()
    .describe(`${what} pooling over windows, no padding.`);

const batchNormalization = z
  .object({
    type: z.literal('batchNormalization'),
    momentum: z
      .number()
      .gt(0)
      .lt(1)
      .optional()
      .describe('Momentum of the moving mean and variance (default 0.99).'),
    epsilon: z.number().positive().optional().describe('Added to the variance (default 0.001).'),
  })
  .strict()
  .describe('Batch normalization over the last axis (channels).');

const dropout = z
  .object({
    type: z.literal('dropout'),
    rate: z.number().min(0).lt(1).describe('Share of inputs dropped in training.'),
  })
  .strict()
  .describe('Dropout (masks drawn from the seed; nothing at inference).');

const flatten = z
  .object({ type: z.literal('flatten') })
  .strict()
  .describe('Flattens height × width × channels.');
const globalAveragePooling2d = z
  .object({ type: z.literal('globalAveragePooling2d') })
  .strict()
  .describe('Mean of each channel over height and width.');
const dense = z
  .object({
    type: z.literal('dense'),
    units: positive.describe('Number of outputs.'),
    activation: activation.optional().describe('Default: linear (none).'),
  })
  .strict()
  .describe('Fully connected layer on a flat input (Glorot-uniform kernel, zero bias).');
const activationLayer = z
  .object({ type: z.literal('activation'), activation })
  .strict()
  .describe('An activation function on its own.');

export const layerSchema = z.discriminatedUnion('type', [
  conv2d,
  pooling('maxPooling2d', 'Max'),
  pooling('averagePooling2d', 'Average'),
  batchNormalization,
  dropout,
  flatten,
  globalAveragePooling2d,
  dense,
  activationLayer,
]);
export type LayerSpec = z.infer<typeof layerSchema>;

export const layersSchema = z
  .array(layerSchema)
  .min(1, 'expected at least one layer')
  .describe(
    'The network, first layer first. The input shape comes from the data; the last layer must give one output per class (softmax is added when the last layer has none). Default: the Figure 1 CNN.',
  );

/** The homework's Figure 1 CNN, with its dropout rate. */
export function figure1Layers(dropoutRate: number): LayerSpec[] {
  const conv = (filters: number): LayerSpec => ({
    type: 'conv2d',
    filters,
    kernelSize: 3,
    activation: 'relu',
  });
  const pool: LayerSpec = { type: 'maxPooling2d', poolSize: 2 };
  return [
    conv(12),
    pool,
    conv(12),
    pool,
    conv(8),
    pool,
    { type: 'flatten' },
    { type: 'dropout', rate: dropoutRate },
    { type: 'dense', units: 10, activation: 'softmax' },
  ];
}

/** Keras' class name of each layer type. */
export const KERAS_CLASS: Record<LayerSpec['type'], string> = {
  conv2d: 'Conv2D',
  maxPooling2d: 'MaxPooling2D',
  averagePooling2d: 'AveragePooling2D',
  batchNormalization: 'BatchNormalization',
  dropout: 'Dropout',
  flatten: 'Flatten',
  globalAveragePooling2d: 'GlobalAveragePooling2D',
  dense: 'Dense',
  activation: 'Activation',
};

/** Keras' default name of a layer class: Conv2D → conv2d, MaxPooling2D → max_pooling2d. */
export function kerasBaseName(className: string): string {
  // Keras' to_snake_case.
  return className
    .replace(/(.)([A-Z][a-z]+)/g, '$1_$2')
    .replace(/([a-z])([A-Z])/g, '$1_$2')
    .toLowerCase();
}

/** Names as Keras gives them in a fresh session: conv2d, conv2d_1, max_pooling2d, ... */
export function kerasNames(classNames: readonly string[]): string[] {
  const seen = new Map<string, number>();
  return classNames.map((className) => {
    const base = kerasBaseName(className);
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    return n === 0 ? base : `${base}_${n}`;
  });
}

export const pair = (value: number | [number, number]): [number, number] =>
  typeof value === 'number' ? [value, value] : value;
