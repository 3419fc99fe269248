// Seeded training of a Sequential model with our own loop, so that shuffling and dropout masks
// come from the job's seed (tfjs' fit() shuffles with Math.random, and a seeded Dropout layer
// repeats one mask on every batch). Metrics per epoch follow Keras: running means over the
// epoch's batches for the training set, a full pass without dropout for validation.
import * as tf from '@tensorflow/tfjs';
import { firstNonFiniteWeight } from './weights-check';
import type { Dataset, Split } from '../data/datasets';
import { imagesTensor } from '../data/batches';
import { gatherPixels, pixelsPerImage } from '../data/pixels';
import { inputChannels, predictBatch } from './predict';
import { deriveSeed, mulberry32, shuffleInPlace } from '../random';
import { adamOptimizer } from '../tf/fused-adam';
import { FusedTraining } from '../tf/fused-training';
import type { TrainingSpec } from './training-spec';

export interface EpochMetrics {
  epoch: number;
  loss: number;
  accuracy: number;
  valLoss: number | null;
  valAccuracy: number | null;
  seconds: number;
}

export const EPSILON = 1e-7; // Keras clips probabilities to [ε, 1 − ε] before the log.

export function makeOptimizer(spec: TrainingSpec): tf.Optimizer {
  switch (spec.optimizer) {
    case 'adam':
      return adamOptimizer(spec.learningRate, 0.9, 0.999, EPSILON);
    case 'sgd':
      return tf.train.sgd(spec.learningRate);
    case 'rmsprop':
      return tf.train.rmsprop(spec.learningRate, 0.9, 0, EPSILON);
  }
}

export function crossEntropy(probs: tf.Tensor, oneHot: tf.Tensor): tf.Scalar {
  return tf.neg(
    tf.mean(tf.sum(tf.mul(oneHot, tf.log(tf.clipByValue(probs, EPSILON, 1 - EPSILON))), -1)),
  ) as tf.Scalar;
}

/**
 * Forward pass in training mode, with dropout masks from our generator (inverted dropout, as
 * Keras), through the first `layerCount` layers (default all; the claims measure a layer's input).
 */
export function forwardTraining(
  model: tf.LayersModel,
  x: tf.Tensor,
  random: () => number,
  layerCount = model.layers.length,
): tf.Tensor {
  let h = x;
  for (const layer of model.layers.slice(0, layerCount)) {
    if (layer.getClassName() === 'Dropout') {
      const rate = (layer.getConfig() as { rate: number }).rate;
      if (rate > 0) {
        const keep = Float32Array.from({ length: h.size }, () => (random() >= rate ? 1 / (1 - rate) : 0));
        h = tf.mul(h, tf.tensor(keep, h.shape));
      }
    } else {
      // Batch normalization normalises with the batch's statistics and updates its moving ones.
      h = layer.apply(h, { training: layer.getClassName() === 'BatchNormalization' }) as tf.Tensor;
    }
  }
  return h;
}

/**
 * Mean loss and accuracy of the model (no dropout) on images [start, end) of the split, predicted
 * as the probes predict (predictBatch: the fused network where it applies); the loss is Keras'
 * clipped cross-entropy, summed in float64.
 */
export function evaluate(
  model: tf.LayersModel,
  split: Split,
  rows: number,
  cols: number,
  indices?: number[],
  batchSize = 1000,
): { loss: number; accuracy: number } {
  const all = indices ?? Array.from({ length: split.count }, (_, i) => i);
  const channels = inputChannels(model);
  const pixels = rows * cols * channels;
  const buffer = new Float32Array(Math.min(batchSize, all.length) * pixels);
  let lossSum = 0;
  let correct = 0;
  for (let start = 0; start < all.length; start += batchSize) {
    const batch = all.slice(start, start + batchSize);
    gatherPixels(split, pixels, batch, buffer);
    const probs = predictBatch(model, buffer, batch.length, rows, cols, channels);
    const classes = probs.length / batch.length;
    batch.forEach((image, b) => {
      const label = split.labels[image];
      let best = 0;
      for (let c = 1; c < classes; c++) if (probs[b * classes + c] > probs[b * classes + best]) best = c;
      if (best === label) correct++;
      lossSum -= Math.log(Math.min(Math.max(probs[b * classes + label], EPSILON), 1 - EPSILON));
    });
  }
  return { loss: lossSum / all.length, accuracy: correct / all.length };
}

export interface TrainOptions {
  seed: number;
  /** false: through tfjs' tape even where the fused step applies (benchmarks compare both). */
  fusedStep?: boolean;
  onEpoch?: (metrics: EpochMetrics) => void;
  /** Called after every step with its batch's mean loss (the claims time steps and measure the loss's spread by it). */
  onBatch?: (loss: number, epoch: number) => void;
  signal?: AbortSignal;
}

/** Splits off the last `validationSplit` share of the training set for validation, as Keras does. */
export function validationIndices(
  count: number,
  validationSplit: number,
): { train: number[]; validation: number[] } {
  const cut = Math.floor(count * (1 - validationSplit));
  const all = Array.from({ length: count }, (_, i) => i);
  return { train: all.slice(0, cut), validation: all.slice(cut) };
}

/** The model's number of outputs, checked to cover every label of the data. */
function outputClasses(model: tf.LayersModel, data: Dataset): number {
  const classes = model.outputs[0].shape.at(-1) as number;
  for (const [name, split] of [
    ['training', data.train],
    ['test', data.test],
  ] as const) {
    const label = split.labels.find((l) => l >= classes);
    if (label !== undefined)
      throw new Error(
        `${data.name}: the ${name} set has label ${label}, but the model has ${classes} outputs`,
      );
  }
  return classes;
}

/**
 * A training that diverged (a NaN or infinite loss or weight): the same seed and data diverge the
 * same way, so the job fails as it is, not retried (see NOT_RETRIED_CODES in runner/transient.ts).
 */
export class NonFiniteTrainingError extends Error {
  override name = 'NonFiniteTrainingError';
  readonly code = 'ERR_NON_FINITE';
}

function nonFiniteLoss(loss: number, epoch: number, batch: number): NonFiniteTrainingError {
  return new NonFiniteTrainingError(
    `training diverged: the loss is ${loss} in epoch ${epoch}, batch ${batch}; lower the learning rate or check the data`,
  );
}

/** Stops at the end of an epoch whose weights hold a NaN or infinity, naming the weight. */
function checkWeightsFinite(model: tf.LayersModel, epoch: number): void {
  const bad = firstNonFiniteWeight(
    model.weights.map((w) => ({ name: w.originalName, values: w.read().dataSync() as Float32Array })),
  );
  if (bad)
    throw new NonFiniteTrainingError(
      `training diverged: weight "${bad.name}" holds ${bad.value} at index ${bad.index} after epoch ${epoch}; lower the learning rate or check the data`,
    );
}

export function train(
  model: tf.LayersModel,
  data: Dataset,
  spec: TrainingSpec,
  { seed, onEpoch, onBatch, signal, fusedStep = true }: TrainOptions,
): EpochMetrics[] {
  const { rows, cols, channels } = data;
  const pixels = pixelsPerImage(data);
  const classes = outputClasses(model, data);
  const optimizer = makeOptimizer(spec);
  const shuffleRandom = mulberry32(deriveSeed(seed, 'shuffle'));
  const dropoutRandom = mulberry32(deriveSeed(seed, 'dropout'));
  const { train: trainIdx, validation } = validationIndices(data.train.count, spec.validationSplit);
  const order = Uint32Array.from(trainIdx);
  const buffer = new Float32Array(spec.batchSize * pixels);
  const history: EpochMetrics[] = [];
  // Models of the layers it supports train by the fused step (wasm, Adam); others through tfjs.
  const fused = fusedStep
    ? FusedTraining.create(model, optimizer, { batchSize: spec.batchSize, clip: EPSILON })
    : undefined;
  try {
    for (let epoch = 1; epoch <= spec.epochs; epoch++) {
      const started = performance.now();
      shuffleInPlace(order, shuffleRandom);
      let lossSum = 0;
      let correct = 0;
      for (let start = 0; start < order.length; start += spec.batchSize) {
        if (signal?.aborted) throw signal.reason ?? new Error('aborted');
        const batch = order.subarray(start, start + spec.batchSize);
        gatherPixels(data.train, pixels, batch, buffer);
        const labels = Int32Array.from(batch, (i) => data.train.labels[i]);
        const batchNumber = start / spec.batchSize + 1;
        if (fused) {
          const step = fused.step(buffer, labels, batch.length, dropoutRandom);
          if (!Number.isFinite(step.loss)) throw nonFiniteLoss(step.loss, epoch, batchNumber);
          lossSum += step.loss;
          correct += step.hits;
          onBatch?.(step.loss / batch.length, epoch);
          continue;
        }
        const hits = tf.tidy(() => {
          const x = imagesTensor(buffer, batch.length, rows, cols, channels);
          const y = tf.tensor1d(labels, 'int32');
          let hitCount: tf.Tensor | undefined;
          const loss = optimizer.minimize(() => {
            const probs = forwardTraining(model, x, dropoutRandom);
            // Kept past minimize's own tidy, then freed by ours.
            hitCount = tf.keep(tf.sum(tf.cast(tf.equal(tf.argMax(probs, -1), y), 'float32')));
            return crossEntropy(probs, tf.oneHot(y, classes));
          }, true)!;
          const both = tf.stack([tf.mul(loss, batch.length), hitCount!]);
          hitCount!.dispose();
          return both;
        });
        const [batchLoss, batchHits] = hits.dataSync() as Float32Array;
        hits.dispose();
        if (!Number.isFinite(batchLoss)) throw nonFiniteLoss(batchLoss, epoch, batchNumber);
        lossSum += batchLoss;
        correct += batchHits;
        onBatch?.(batchLoss / batch.length, epoch);
      }
      fused?.writeWeights();
      checkWeightsFinite(model, epoch);
      const val = validation.length > 0 ? evaluate(model, data.train, rows, cols, validation) : null;
      const metrics: EpochMetrics = {
        epoch,
        loss: lossSum / order.length,
        accuracy: correct / order.length,
        valLoss: val?.loss ?? null,
        valAccuracy: val?.accuracy ?? null,
        seconds: (performance.now() - started) / 1000,
      };
      history.push(metrics);
      onEpoch?.(metrics);
    }
  } finally {
    fused?.dispose();
    optimizer.dispose();
  }
  return history;
}
