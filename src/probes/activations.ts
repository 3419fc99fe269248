// What each convolution, pooling and batch-normalization layer of a model outputs for given
// images: one model with those layers' outputs as its outputs (so any layer graph works, not
// only a chain), run in inference mode (dropout does nothing, batch normalization uses its
// moving statistics).
import * as tf from '@tensorflow/tfjs';
import { inputChannels } from '../models/predict';
import { FEATURE_MAP_CLASSES } from './probed-layers';

export interface LayerActivation {
  layer: string;
  /** Keras class name, e.g. Conv2D, MaxPooling2D, AveragePooling2D or BatchNormalization. */
  type: string;
  height: number;
  width: number;
  channels: number;
  /** images × height × width × channels, row-major (channels last, as tfjs keeps them). */
  values: Float32Array;
}

const isFeatureMapLayer = (layer: tf.layers.Layer) => FEATURE_MAP_CLASSES.has(layer.getClassName());

/**
 * Activations of `count` images (pixels 0..1, rows × cols each) after every layer `select` picks
 * (default: every conv, pooling and batch-norm layer). A flat output (dense) counts as 1×1×units.
 */
export function layerActivations(
  model: tf.LayersModel,
  pixels: Float32Array,
  count: number,
  rows: number,
  cols: number,
  select: (layer: tf.layers.Layer) => boolean = isFeatureMapLayer,
): LayerActivation[] {
  const recorded = model.layers.filter(select);
  if (recorded.length === 0) return [];
  const probe = tf.model({
    inputs: model.inputs,
    outputs: recorded.map((layer) => layer.output as tf.SymbolicTensor),
  });
  const channels = inputChannels(model);
  return tf.tidy(() => {
    const x = tf.tensor4d(pixels.subarray(0, count * rows * cols * channels), [count, rows, cols, channels]);
    const outputs = probe.predict(x, { batchSize: count }) as tf.Tensor | tf.Tensor[];
    return (Array.isArray(outputs) ? outputs : [outputs]).map((h, i) => {
      const [height, width, channels] = (h.rank === 2 ? [1, 1, h.shape[1]] : h.shape.slice(1)) as number[];
      const layer = recorded[i];
      return {
        layer: layer.name,
        type: layer.getClassName(),
        height,
        width,
        channels,
        values: Float32Array.from(h.dataSync()),
      };
    });
  });
}

/** One channel of one image of an activation, as a height × width matrix. */
export function channelMap(activation: LayerActivation, image: number, channel: number): Float32Array {
  const { height, width, channels, values } = activation;
  const map = new Float32Array(height * width);
  const base = image * height * width * channels;
  for (let p = 0; p < height * width; p++) map[p] = values[base + p * channels + channel];
  return map;
}
