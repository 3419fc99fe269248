// Shape inference of a `layers` list before anything is built: each layer's output shape, its
// Keras name and class, or a FieldError naming the layer and field that does not fit.
import { FieldError } from '../config-errors';
import { KERAS_CLASS, kerasNames, pair, type LayerSpec } from './layers';

/** Output shape without the batch axis: [height, width, channels] or [units]. */
export type Shape = number[];

export interface PlannedLayer {
  name: string;
  className: string;
  outputShape: Shape;
}

const show = (shape: Shape) => shape.join('×');

/** Keras' output length of a window sliding over `size` (tfjs' conv_util.computeOutputLength). */
function slide(size: number, window: number, stride: number, padding: 'valid' | 'same'): number {
  return padding === 'same' ? Math.ceil(size / stride) : Math.ceil((size - window + 1) / stride);
}

function windowed(
  layer: Extract<LayerSpec, { type: 'conv2d' | 'maxPooling2d' | 'averagePooling2d' }>,
  input: Shape,
  at: number,
): Shape {
  const [rows, cols, channels] = input;
  const isConv = layer.type === 'conv2d';
  const [kr, kc] = pair(isConv ? layer.kernelSize : layer.poolSize);
  const [sr, sc] = pair(layer.strides ?? (isConv ? 1 : layer.poolSize));
  const padding = isConv ? (layer.padding ?? 'valid') : 'valid';
  if (padding === 'valid' && (kr > rows || kc > cols)) {
    const field = isConv ? 'kernelSize' : 'poolSize';
    const what = isConv ? 'kernel' : 'pooling window';
    throw new FieldError(
      ['layers', at, field],
      `a ${kr}×${kc} ${what} does not fit the ${rows}×${cols} input of this layer (padding "valid")`,
    );
  }
  return [slide(rows, kr, sr, padding), slide(cols, kc, sc, padding), isConv ? layer.filters : channels];
}

export function outputShape(layer: LayerSpec, input: Shape, at: number): Shape {
  const needsImage = () => {
    if (input.length !== 3)
      throw new FieldError(
        ['layers', at, 'type'],
        `"${layer.type}" needs an image input (height × width × channels), but the layer before gives a flat vector of ${input[0]} values`,
      );
  };
  switch (layer.type) {
    case 'conv2d':
    case 'maxPooling2d':
    case 'averagePooling2d':
      needsImage();
      return windowed(layer, input, at);
    case 'globalAveragePooling2d':
      needsImage();
      return [input[2]];
    case 'flatten':
      return [input.reduce((a, b) => a * b, 1)];
    case 'dense':
      if (input.length !== 1)
        throw new FieldError(
          ['layers', at, 'type'],
          `"dense" needs a flat input, but the layer before gives ${show(input)}: put { "type": "flatten" } or { "type": "globalAveragePooling2d" } before it`,
        );
      return [layer.units];
    case 'batchNormalization':
    case 'dropout':
    case 'activation':
      return input;
  }
}

/** Whether the network already ends in softmax (the last layer with an activation has it). */
function endsInSoftmax(layers: readonly LayerSpec[]): boolean {
  for (let i = layers.length - 1; i >= 0; i--) {
    const layer = layers[i];
    if (layer.type === 'activation' || layer.type === 'dense' || layer.type === 'conv2d')
      return layer.activation === 'softmax';
  }
  return false;
}

/** The layers as built: the given ones, plus a softmax activation when the network does not end in one. */
export function completeLayers(layers: readonly LayerSpec[]): LayerSpec[] {
  return endsInSoftmax(layers) ? [...layers] : [...layers, { type: 'activation', activation: 'softmax' }];
}

/**
 * Every layer of the built network (softmax added when absent) with its Keras name and output
 * shape, for images of `input` = [rows, cols, channels] and `classes` classes.
 */
export function planLayers(layers: readonly LayerSpec[], input: Shape, classes: number): PlannedLayer[] {
  const complete = completeLayers(layers);
  const names = kerasNames(complete.map((l) => KERAS_CLASS[l.type]));
  let shape = input;
  const planned = complete.map((layer, at) => {
    shape = outputShape(layer, shape, at);
    if (shape.some((d) => d < 1))
      throw new FieldError(
        ['layers', at],
        `this layer's output would be empty (${show(shape)}) for its ${show(input)} input`,
      );
    return { name: names[at], className: KERAS_CLASS[layer.type], outputShape: shape };
  });
  const last = layers.length - 1;
  if (shape.length !== 1)
    throw new FieldError(
      ['layers', last],
      `the network ends with a ${show(shape)} output; expected a flat vector of one output per class (${classes}): end with { "type": "flatten" } and a dense layer of ${classes} units`,
    );
  if (shape[0] !== classes) {
    const lastDense = layers.map((l) => l.type).lastIndexOf('dense');
    throw new FieldError(
      lastDense >= 0 ? ['layers', lastDense, 'units'] : ['layers', last],
      `the network gives ${shape[0]} outputs; expected one per class (${classes})`,
    );
  }
  return planned;
}
