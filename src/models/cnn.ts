// The network of the homework's Figure 1, with Keras' layer names and Keras' default
// initialisation (Glorot-uniform kernels, zero biases) drawn from the job's own seed.
import * as tf from '@tensorflow/tfjs';
import { deriveSeed, mulberry32 } from '../random';

export interface CnnOptions {
  rows?: number;
  cols?: number;
  dropout: number;
  seed: number;
}

export function buildFigure1Cnn({ rows = 28, cols = 28, dropout, seed }: CnnOptions): tf.LayersModel {
  const conv = (name: string, filters: number, inputShape?: number[]) =>
    tf.layers.conv2d({
      name,
      filters,
      kernelSize: 3,
      activation: 'relu',
      ...(inputShape ? { inputShape } : {}),
    });
  const pool = (name: string) => tf.layers.maxPooling2d({ name, poolSize: 2 });
  const model = tf.sequential({
    name: 'figure1_cnn',
    layers: [
      conv('conv2d', 12, [rows, cols, 1]),
      pool('max_pooling2d'),
      conv('conv2d_1', 12),
      pool('max_pooling2d_1'),
      conv('conv2d_2', 8),
      pool('max_pooling2d_2'),
      tf.layers.flatten({ name: 'flatten' }),
      tf.layers.dropout({ name: 'dropout', rate: dropout }),
      tf.layers.dense({ name: 'dense', units: 10, activation: 'softmax' }),
    ],
  });
  initialiseGlorotUniform(model, seed);
  return model;
}

/** Glorot-uniform kernels and zero biases from a seeded generator (tfjs' own initialisers ignore seeds in places). */
export function initialiseGlorotUniform(model: tf.LayersModel, seed: number): void {
  const random = mulberry32(deriveSeed(seed, 'init'));
  for (const layer of model.layers) {
    const weights = layer.getWeights();
    if (weights.length === 0) continue;
    const fresh = weights.map((w) => {
      if (w.shape.length === 1) return tf.zeros(w.shape);
      const receptive = w.shape.slice(0, -2).reduce((a, b) => a * b, 1);
      const fanIn = receptive * w.shape[w.shape.length - 2];
      const fanOut = receptive * w.shape[w.shape.length - 1];
      const limit = Math.sqrt(6 / (fanIn + fanOut));
      const values = Float32Array.from({ length: w.size }, () => (random() * 2 - 1) * limit);
      return tf.tensor(values, w.shape);
    });
    layer.setWeights(fresh);
    fresh.forEach((t) => t.dispose());
  }
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
