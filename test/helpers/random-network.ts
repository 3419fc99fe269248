// Random sequential CNNs (conv blocks with strides, paddings, pooling, then a flat head with
// dropout, ending in softmax) as layer arguments, for tests of the fused network against tfjs.
import * as tf from '@tensorflow/tfjs';

export type LayerArgs = { className: string; config: Record<string, unknown> };

/** Generators drawing from `random` (a seeded generator, so a test's networks are the same each run). */
export function randomNetworks(random: () => number) {
  const int = (lo: number, hi: number) => lo + Math.floor(random() * (hi - lo + 1));
  const pick = <T>(...options: T[]): T => options[Math.floor(random() * options.length)];
  /**
   * A random sequential CNN for rows × cols images: conv blocks, then a flat head ending in
   * softmax; with `batchNorm`, batch normalization after each convolution and dense layer.
   */
  function randomNetwork(rows: number, cols: number, classes: number, batchNorm = false): LayerArgs[] {
    // Momentum and epsilon far from Keras' defaults, so that a mix-up between them shows.
    const normalize = () => {
      if (batchNorm)
        layers.push({ className: 'batchNormalization', config: { momentum: 0.8, epsilon: 0.01 } });
    };
    const layers: LayerArgs[] = [];
    let [h, w] = [rows, cols];
    for (let block = int(1, 3); block > 0; block--) {
      const kernel = [int(1, Math.min(4, h)), int(1, Math.min(4, w))];
      const strides = random() < 0.4 ? [int(1, 3), int(1, 3)] : [1, 1];
      const padding = pick('valid', 'same');
      const filters = int(1, 14);
      const activation = pick('relu', 'linear');
      layers.push({
        className: 'conv2d',
        config: { filters, kernelSize: kernel, strides, padding, activation },
      });
      normalize();
      [h, w] =
        padding === 'same'
          ? [Math.ceil(h / strides[0]), Math.ceil(w / strides[1])]
          : [Math.ceil((h - kernel[0] + 1) / strides[0]), Math.ceil((w - kernel[1] + 1) / strides[1])];
      if (activation === 'linear' && random() < 0.5)
        layers.push({ className: 'activation', config: { activation: 'relu' } });
      if (random() < 0.6 && h >= 2 && w >= 2) {
        const poolSize = [int(1, 2), int(1, 2)];
        const poolStrides = pick(poolSize, [int(1, 2), int(1, 2)]);
        layers.push({
          className: pick('maxPooling2d', 'averagePooling2d'),
          config: { poolSize, strides: poolStrides },
        });
        [h, w] = [
          Math.ceil((h - poolSize[0] + 1) / poolStrides[0]),
          Math.ceil((w - poolSize[1] + 1) / poolStrides[1]),
        ];
      }
    }
    layers.push({ className: pick('flatten', 'globalAveragePooling2d'), config: {} });
    if (random() < 0.5) layers.push({ className: 'dropout', config: { rate: pick(0, 0.3) } });
    if (random() < 0.5) {
      layers.push({ className: 'dense', config: { units: int(2, 12), activation: pick('relu', 'linear') } });
      normalize();
    }
    if (random() < 0.5) layers.push({ className: 'dropout', config: { rate: 0.25 } });
    if (random() < 0.5)
      layers.push({ className: 'dense', config: { units: classes, activation: 'softmax' } });
    else {
      layers.push({ className: 'dense', config: { units: classes } });
      layers.push({ className: 'activation', config: { activation: 'softmax' } });
    }
    return layers;
  }
  return { int, pick, randomNetwork };
}

/** The network of `layers` for rows × cols × channels inputs, with `weights` when given. */
export function buildNetwork(
  layers: LayerArgs[],
  rows: number,
  cols: number,
  weights: Float32Array[],
  channels = 1,
): tf.Sequential {
  const model = tf.sequential();
  layers.forEach(({ className, config }, i) => {
    const make = (tf.layers as unknown as Record<string, (c: object) => tf.layers.Layer>)[className];
    model.add(make(i === 0 ? { ...config, inputShape: [rows, cols, channels] } : config));
  });
  if (weights.length > 0) model.setWeights(weights.map((w, i) => tf.tensor(w, model.getWeights()[i].shape)));
  return model;
}

/**
 * Random weights for the network of `layers` (built once on the current backend to read their
 * shapes): moving variances in [0.5, 1.5), since they must be positive; everything else in
 * [−0.5, 0.5).
 */
export function randomWeights(
  layers: LayerArgs[],
  rows: number,
  cols: number,
  random: () => number,
  channels = 1,
): Float32Array[] {
  const built = buildNetwork(layers, rows, cols, [], channels);
  const weights = built.weights.map((w) =>
    Float32Array.from({ length: w.shape.reduce((a: number, b) => a * (b ?? 1), 1) }, () =>
      w.name.includes('moving_variance') ? random() + 0.5 : random() - 0.5,
    ),
  );
  built.dispose();
  return weights;
}
