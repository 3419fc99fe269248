// A model with batch normalization evaluated as if it were training: each batch normalization
// layer normalises with the mean and variance of the batch in front of it instead of its moving
// averages (P1(4): "the test result might be worse if the test batch is small"). Dropout does
// nothing, as at inference, and the moving averages are left untouched (tfjs' own training mode
// would update them and draw dropout masks).
import * as tf from '@tensorflow/tfjs';
import type { Split } from '../data/datasets';
import { imagesTensor } from '../data/batches';
import { gatherPixels } from '../data/pixels';

/** One batch normalization layer's parameters; γ and β are absent when the layer has none. */
interface NormParameters {
  axis: number;
  epsilon: number;
  gamma?: tf.Tensor;
  beta?: tf.Tensor;
}

function normParameters(layer: tf.layers.Layer): NormParameters {
  const config = layer.getConfig() as { axis?: number | number[]; epsilon?: number };
  const axis = Array.isArray(config.axis) ? config.axis : [config.axis ?? -1];
  const rank = (layer.inputSpec?.[0]?.ndim ?? (layer.input as tf.SymbolicTensor).shape.length) as number;
  if (axis.length !== 1 || (axis[0] !== -1 && axis[0] !== rank - 1))
    throw new Error(
      `layer "${layer.name}": batch statistics are computed over every axis but the last; this layer normalises over axis ${JSON.stringify(config.axis)}`,
    );
  const weight = (name: string) => layer.weights.find((w) => w.originalName.endsWith(`/${name}`))?.read();
  return { axis: rank - 1, epsilon: config.epsilon ?? 1e-3, gamma: weight('gamma'), beta: weight('beta') };
}

/** The layers of a chain (Sequential, or a functional model whose layers follow one another), input layer left out. */
function chainLayers(model: tf.LayersModel): tf.layers.Layer[] {
  const layers = model.layers.filter((layer) => layer.getClassName() !== 'InputLayer');
  for (const [i, layer] of layers.entries()) {
    const inbound = layer.inboundNodes.flatMap((node) => node.inboundLayers);
    const expected = i === 0 ? [] : [layers[i - 1]];
    const fromInput = i === 0 && inbound.every((l) => l.getClassName() === 'InputLayer');
    if (!fromInput && (inbound.length !== 1 || inbound[0] !== expected[0]))
      throw new Error(
        `model "${model.name}": batch statistics need a chain of layers, but layer "${layer.name}" does not take the previous layer's output alone`,
      );
  }
  return layers;
}

/**
 * The model's output for `x` with every batch normalization layer using the statistics of `x`
 * (mean and biased variance over every axis but the channels, as in training). Call inside tidy.
 */
export function predictWithBatchStatistics(model: tf.LayersModel, x: tf.Tensor): tf.Tensor {
  let h = x;
  for (const layer of chainLayers(model)) {
    const type = layer.getClassName();
    if (type === 'Dropout') continue;
    if (type === 'BatchNormalization') {
      const { axis, epsilon, gamma, beta } = normParameters(layer);
      const axes = Array.from({ length: axis }, (_, i) => i);
      const { mean, variance } = tf.moments(h, axes);
      h = tf.batchNorm(h, mean, variance, beta, gamma, epsilon);
    } else h = layer.apply(h, { training: false }) as tf.Tensor;
  }
  return h;
}

export interface BatchEvaluation {
  accuracy: number;
  /** Mean cross-entropy (probabilities clipped to [1e-7, 1 − 1e-7], as Keras does). */
  loss: number;
  images: number;
}

/**
 * Accuracy and loss on the whole split, in batches of `batchSize` in index order, with batch
 * statistics; the last batch is smaller when batchSize does not divide the split.
 */
export function evaluateWithBatchStatistics(
  model: tf.LayersModel,
  split: Split,
  rows: number,
  cols: number,
  batchSize: number,
): BatchEvaluation {
  const pixels = rows * cols;
  const buffer = new Float32Array(Math.min(batchSize, split.count) * pixels);
  const indices = Array.from({ length: split.count }, (_, i) => i);
  let lossSum = 0;
  let correct = 0;
  for (let start = 0; start < split.count; start += batchSize) {
    const batch = indices.slice(start, start + batchSize);
    gatherPixels(split, pixels, batch, buffer);
    const labels = Int32Array.from(batch, (i) => split.labels[i]);
    const sums = tf.tidy(() => {
      const probs = predictWithBatchStatistics(model, imagesTensor(buffer, batch.length, rows, cols));
      const y = tf.tensor1d(labels, 'int32');
      const picked = tf.sum(tf.mul(probs, tf.oneHot(y, probs.shape[1]!)), -1);
      const loss = tf.sum(tf.neg(tf.log(tf.clipByValue(picked, 1e-7, 1 - 1e-7))));
      const hits = tf.sum(tf.cast(tf.equal(tf.argMax(probs, -1), y), 'float32'));
      return tf.stack([loss, hits]);
    });
    const [loss, hits] = sums.dataSync() as Float32Array;
    sums.dispose();
    lossSum += loss;
    correct += hits;
  }
  return { accuracy: correct / split.count, loss: lossSum / split.count, images: split.count };
}
