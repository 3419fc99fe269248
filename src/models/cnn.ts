// Sequential CNNs from a `layers` list (src/models/layers.ts) — by default the homework's Figure 1
// network — with Keras' layer names and Keras' default initialisation (Glorot-uniform kernels,
// zero biases) drawn from the job's own seed.
import * as tf from '@tensorflow/tfjs';
import { deriveSeed, mulberry32 } from '../random';
import { figure1Layers, pair, type LayerSpec } from './layers';
import { completeLayers, planLayers } from './shapes';

export interface CnnOptions {
  rows?: number;
  cols?: number;
  channels?: number;
  dropout: number;
  seed: number;
}

export function buildFigure1Cnn({
  rows = 28,
  cols = 28,
  channels = 1,
  dropout,
  seed,
}: CnnOptions): tf.LayersModel {
  return buildCnn(figure1Layers(dropout), { rows, cols, channels, classes: 10, seed, name: 'figure1_cnn' });
}

export interface BuildOptions {
  rows: number;
  cols: number;
  /** Input channels: 1 (grayscale, the default) or 3 (RGB). */
  channels?: number;
  classes: number;
  seed: number;
  name?: string;
}

/** `extra` carries the input shape of the first layer. */
function tfjsLayer(spec: LayerSpec, name: string, extra: { inputShape?: number[] }): tf.layers.Layer {
  switch (spec.type) {
    case 'conv2d':
      return tf.layers.conv2d({
        name,
        ...extra,
        filters: spec.filters,
        kernelSize: pair(spec.kernelSize),
        strides: pair(spec.strides ?? 1),
        padding: spec.padding ?? 'valid',
        activation: spec.activation ?? 'linear',
      });
    case 'maxPooling2d':
      return tf.layers.maxPooling2d({
        name,
        ...extra,
        poolSize: pair(spec.poolSize),
        strides: pair(spec.strides ?? spec.poolSize),
      });
    case 'averagePooling2d':
      return tf.layers.averagePooling2d({
        name,
        ...extra,
        poolSize: pair(spec.poolSize),
        strides: pair(spec.strides ?? spec.poolSize),
      });
    case 'batchNormalization':
      return tf.layers.batchNormalization({ name, ...extra, momentum: spec.momentum, epsilon: spec.epsilon });
    case 'dropout':
      return tf.layers.dropout({ name, ...extra, rate: spec.rate });
    case 'flatten':
      return tf.layers.flatten({ name, ...extra });
    case 'globalAveragePooling2d':
      return tf.layers.globalAveragePooling2d({ name, ...extra });
    case 'dense':
      return tf.layers.dense({ name, ...extra, units: spec.units, activation: spec.activation ?? 'linear' });
    case 'activation':
      return tf.layers.activation({ name, ...extra, activation: spec.activation });
  }
}

/**
 * The network of a `layers` list for rows × cols × channels images, softmax added when absent,
 * initialised from the seed. Shapes are checked first (planLayers), so a bad list fails with the
 * layer and field named, not inside tfjs.
 */
export function buildCnn(layers: readonly LayerSpec[], options: BuildOptions): tf.LayersModel {
  const { rows, cols, channels = 1, classes, seed, name = 'cnn' } = options;
  const planned = planLayers(layers, [rows, cols, channels], classes);
  const model = tf.sequential({
    name,
    layers: completeLayers(layers).map((spec, i) =>
      tfjsLayer(spec, planned[i].name, i === 0 ? { inputShape: [rows, cols, channels] } : {}),
    ),
  });
  initialiseGlorotUniform(model, seed);
  return model;
}

const GLOROT_CLASSES = new Set(['Conv2D', 'Dense']);

/** Glorot-uniform kernels and zero biases from a seeded generator (tfjs' own initialisers ignore seeds in places). */
export function initialiseGlorotUniform(model: tf.LayersModel, seed: number): void {
  const random = mulberry32(deriveSeed(seed, 'init'));
  for (const layer of model.layers) {
    // Only kernels and biases: batch normalization keeps its own start (γ = 1, β = 0, mean 0, variance 1).
    if (!GLOROT_CLASSES.has(layer.getClassName())) continue;
    const weights = layer.getWeights();
    const fresh = weights.map((w) =>
      w.shape.length === 1 ? tf.zeros(w.shape) : glorotUniform(w.shape, random),
    );
    layer.setWeights(fresh);
    fresh.forEach((t) => t.dispose());
  }
}

/** A kernel of `shape` (…, fan-in channels, fan-out channels) drawn Glorot-uniform from `random`. */
export function glorotUniform(shape: number[], random: () => number): tf.Tensor {
  const receptive = shape.slice(0, -2).reduce((a, b) => a * b, 1);
  const fanIn = receptive * shape[shape.length - 2];
  const fanOut = receptive * shape[shape.length - 1];
  const limit = Math.sqrt(6 / (fanIn + fanOut));
  const size = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(
    Float32Array.from({ length: size }, () => (random() * 2 - 1) * limit),
    shape,
  );
}

export interface LayerSummary {
  layer: string;
  type: string;
  outputShape: string;
  params: number;
}

/** The rows of Keras' model.summary(): name, type, output shape with None for the batch, parameter count. */
export function summarise(model: tf.LayersModel): LayerSummary[] {
  return model.layers.map((layer) => {
    const shape = layer.outputShape as (number | null)[];
    return {
      layer: layer.name,
      type: layer.getClassName(),
      outputShape: `(${shape.map((d) => d ?? 'None').join(', ')})`,
      params: layer.countParams(),
    };
  });
}
