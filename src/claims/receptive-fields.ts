// Receptive fields of a sequential CNN's spatial layers (Problem 2(4)): the theoretical one from
// kernel sizes and strides, and the measured one — the bounding box of the input pixels where the
// gradient of one central unit (summed over its channels) is non-zero, united over a batch of
// images. One image alone would under-count: max pooling passes the gradient to one position of
// each window and a ReLU at zero passes none, so the union over many images (test digits and
// uniform noise) is what shows every pixel that can reach the unit.
import type * as tf from '@tensorflow/tfjs';
import { maskBounds } from '../occlusion/region';

export interface LayerField {
  name: string;
  className: string;
  /** Output [height, width] of the layer. */
  outputSize: [number, number];
  /** Theoretical receptive field [rows, cols] in input pixels. */
  theoretical: [number, number];
  /** Measured: rows × cols of the region where some image's gradient is non-zero; 0 when none is. */
  measured: [number, number];
  /** Pixels of that region with a non-zero gradient for some image. */
  measuredPixels: number;
}

const extent = ([first, last]: [number, number]) => last - first + 1;
const asPair = (v: unknown): [number, number] =>
  Array.isArray(v) ? [v[0], v[1]] : [v as number, v as number];

/** Kernel (or pool) size and stride of a layer from its tfjs config; size 1, stride 1 for the layers that keep positions. */
function windowOf(layer: tf.layers.Layer): { size: [number, number]; stride: [number, number] } {
  const config = layer.getConfig() as Record<string, unknown>;
  const className = layer.getClassName();
  if (className === 'Conv2D') return { size: asPair(config.kernelSize), stride: asPair(config.strides ?? 1) };
  if (className === 'MaxPooling2D' || className === 'AveragePooling2D')
    return { size: asPair(config.poolSize), stride: asPair(config.strides ?? config.poolSize) };
  return { size: [1, 1], stride: [1, 1] };
}

/** The layers with a spatial output (height × width × channels), in order, and each one's theoretical field. */
export function theoreticalFields(
  model: tf.LayersModel,
): { layer: tf.layers.Layer; field: [number, number] }[] {
  const field: [number, number] = [1, 1];
  const jump: [number, number] = [1, 1];
  const result: { layer: tf.layers.Layer; field: [number, number] }[] = [];
  for (const layer of model.layers) {
    const shape = layer.outputShape as (number | null)[];
    if (shape.length !== 4) break; // flatten, global pooling, dense: no positions any more
    const { size, stride } = windowOf(layer);
    for (const axis of [0, 1]) {
      field[axis] += (size[axis] - 1) * jump[axis];
      jump[axis] *= stride[axis];
    }
    result.push({ layer, field: [field[0], field[1]] });
  }
  return result;
}

/**
 * Each spatial layer's theoretical and measured receptive field for `images` ([n, rows, cols, 1],
 * values as the model sees them). The unit is the layer's output at (⌊height/2⌋, ⌊width/2⌋), all
 * channels summed; the gradients are taken in inference mode (no dropout).
 */
export function receptiveFields(tfjs: typeof tf, model: tf.LayersModel, images: tf.Tensor4D): LayerField[] {
  const [, rows, cols] = images.shape;
  return theoreticalFields(model).map(({ layer, field }) => {
    const [, height, width] = layer.outputShape as number[];
    const [cr, cc] = [Math.floor(height / 2), Math.floor(width / 2)];
    const mask = tfjs.tidy(() => {
      const upTo = tfjs.model({ inputs: model.inputs, outputs: layer.output as tf.SymbolicTensor });
      const unitSum = (x: tf.Tensor) =>
        (upTo.apply(x, { training: false }) as tf.Tensor4D).slice([0, cr, cc, 0], [-1, 1, 1, -1]).sum();
      const gradient = tfjs.grad(unitSum)(images);
      return gradient.abs().max(0).reshape([rows, cols]).greater(0).dataSync() as Uint8Array;
    });
    const bounds = maskBounds(mask, rows, cols);
    return {
      name: layer.name,
      className: layer.getClassName(),
      outputSize: [height, width],
      theoretical: field,
      measured: bounds.rows && bounds.cols ? [extent(bounds.rows), extent(bounds.cols)] : [0, 0],
      measuredPixels: bounds.pixels,
    };
  });
}
