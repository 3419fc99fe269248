// What each convolution and pooling layer of a model outputs for given images: the model's
// layers applied one by one (inference mode, so dropout does nothing), recording every
// Conv2D and MaxPooling2D output.
import * as tf from '@tensorflow/tfjs';

export interface LayerActivation {
  layer: string;
  /** Keras class name: Conv2D or MaxPooling2D. */
  type: string;
  height: number;
  width: number;
  channels: number;
  /** images × height × width × channels, row-major (channels last, as tfjs keeps them). */
  values: Float32Array;
}

const RECORDED = new Set(['Conv2D', 'MaxPooling2D']);

/** Activations of `count` images (pixels 0..1, rows × cols each) after every conv and pooling layer. */
export function layerActivations(
  model: tf.LayersModel,
  pixels: Float32Array,
  count: number,
  rows: number,
  cols: number,
): LayerActivation[] {
  const out: LayerActivation[] = [];
  tf.tidy(() => {
    let h: tf.Tensor = tf.tensor4d(pixels.subarray(0, count * rows * cols), [count, rows, cols, 1]);
    for (const layer of model.layers) {
      h = layer.apply(h, { training: false }) as tf.Tensor;
      const type = layer.getClassName();
      if (!RECORDED.has(type)) continue;
      const [, height, width, channels] = h.shape as number[];
      out.push({ layer: layer.name, type, height, width, channels, values: Float32Array.from(h.dataSync()) });
    }
  });
  return out;
}

/** One channel of one image of an activation, as a height × width matrix. */
export function channelMap(activation: LayerActivation, image: number, channel: number): Float32Array {
  const { height, width, channels, values } = activation;
  const map = new Float32Array(height * width);
  const base = image * height * width * channels;
  for (let p = 0; p < height * width; p++) map[p] = values[base + p * channels + channel];
  return map;
}
