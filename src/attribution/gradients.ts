// Gradients of one output per input, ∂y_t/∂x, for many inputs: one pass of the fused network
// (src/tf/fused-input-gradients.ts) or else one tfjs gradient call per chunk of at most
// `batchSize` inputs (the batched call is what makes SmoothGrad and integrated gradients fast). The inputs of a batch are independent in inference mode, so the gradient of
// Σ_i y_i[t_i] with respect to the batch holds each input's own gradient.
import * as tf from '@tensorflow/tfjs';
import { fusedInputGradients } from '../tf/fused-input-gradients';

/** Images back to back, channels last: count × rows × cols × channels values. */
export interface ImageBatch {
  pixels: Float32Array;
  count: number;
  rows: number;
  cols: number;
  /** Default 1. */
  channels?: number;
}

export const channelsOf = (batch: ImageBatch): number => batch.channels ?? 1;
export const valuesPerImage = (batch: ImageBatch): number => batch.rows * batch.cols * channelsOf(batch);

/** Classes of a model whose output is [n, classes]; anything else cannot be attributed. */
export function outputClasses(model: tf.LayersModel): number {
  const shape = model.outputs[0].shape;
  if (model.outputs.length !== 1 || shape.length !== 2 || !shape[1])
    throw new Error(
      `attribution needs a model with one output of shape [n, classes]; this one gives ${model.outputs.map((o) => `[${o.shape.join(', ')}]`).join(', ')}`,
    );
  return shape[1];
}

/** The model's output (as given: probabilities when it ends in softmax) of inputs [n, rows, cols, channels], in inference mode. */
export function modelOutput(model: tf.LayersModel, x: tf.Tensor): tf.Tensor2D {
  return model.apply(x, { training: false }) as tf.Tensor2D;
}

/** y_t of every input: count values. */
export function targetOutputs(
  model: tf.LayersModel,
  batch: ImageBatch,
  targets: ArrayLike<number>,
): Float32Array {
  const classes = outputClasses(model);
  const out = new Float32Array(batch.count);
  const size = valuesPerImage(batch);
  const chunk = 1024;
  for (let start = 0; start < batch.count; start += chunk) {
    const end = Math.min(batch.count, start + chunk);
    const y = tf.tidy(() => {
      const x = tf.tensor4d(batch.pixels.subarray(start * size, end * size), [
        end - start,
        batch.rows,
        batch.cols,
        channelsOf(batch),
      ]);
      return modelOutput(model, x);
    });
    const values = y.dataSync();
    y.dispose();
    for (let i = start; i < end; i++) out[i] = values[(i - start) * classes + targets[i]];
  }
  return out;
}

/** ∂y_{t_i}/∂x_i for every input i, same layout as the inputs; at most `batchSize` inputs per gradient call. */
export function inputGradients(
  model: tf.LayersModel,
  batch: ImageBatch,
  targets: ArrayLike<number>,
  batchSize: number,
): Float32Array {
  const classes = outputClasses(model);
  checkTargets(targets, batch.count, classes);
  const fused = fusedInputGradients(model, batch.pixels, targets, batch.count, batchSize);
  if (fused) return fused;
  const size = valuesPerImage(batch);
  const out = new Float32Array(batch.count * size);
  for (let start = 0; start < batch.count; start += batchSize) {
    const end = Math.min(batch.count, start + batchSize);
    const g = tf.tidy(() => {
      const x = tf.tensor4d(batch.pixels.subarray(start * size, end * size), [
        end - start,
        batch.rows,
        batch.cols,
        channelsOf(batch),
      ]);
      const mask = tf.oneHot(tf.tensor1d(Array.from(targets).slice(start, end), 'int32'), classes);
      return tf.grad((input: tf.Tensor) => tf.sum(tf.mul(modelOutput(model, input), mask)))(x);
    });
    out.set(g.dataSync() as Float32Array, start * size);
    g.dispose();
  }
  return out;
}

export function checkTargets(targets: ArrayLike<number>, count: number, classes: number): void {
  if (targets.length !== count) throw new Error(`expected ${count} target classes, got ${targets.length}`);
  for (let i = 0; i < targets.length; i++) {
    const t = targets[i];
    if (!Number.isInteger(t) || t < 0 || t >= classes)
      throw new Error(`target ${i}: expected a class 0..${classes - 1}, got ${t}`);
  }
}

/** Per pixel, the largest |value| over channels: count × rows × cols. */
export function maxAbsOverChannels(
  values: Float32Array,
  count: number,
  pixels: number,
  channels: number,
): Float32Array {
  const out = new Float32Array(count * pixels);
  for (let p = 0; p < count * pixels; p++) {
    let m = 0;
    for (let c = 0; c < channels; c++) m = Math.max(m, Math.abs(values[p * channels + c]));
    out[p] = m;
  }
  return out;
}

/** Per pixel, the sum over channels: count × rows × cols. */
export function sumOverChannels(
  values: Float32Array,
  count: number,
  pixels: number,
  channels: number,
): Float32Array {
  if (channels === 1) return values;
  const out = new Float32Array(count * pixels);
  for (let p = 0; p < count * pixels; p++) {
    let s = 0;
    for (let c = 0; c < channels; c++) s += values[p * channels + c];
    out[p] = s;
  }
  return out;
}
