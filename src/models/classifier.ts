// What a forward-only probe needs of a model: the class probabilities of a batch of images.
// Occlusion maps, population and adversarial patches, the shift test, deletion/insertion
// faithfulness and the gradient-free attribution methods depend on this and nothing more, so they
// run on any model: a tfjs layers model (through the fused network where it covers the model) or
// an ONNX model (through onnxruntime-web, src/models/onnx-classifier.ts).
import type * as tf from '@tensorflow/tfjs';
import { predictBatch } from './predict';

/** The images a classifier takes: rows × cols × channels values per image, channels last. */
export interface ImageShape {
  rows: number;
  cols: number;
  /** 1 (grayscale) or 3 (RGB). */
  channels: number;
}

export interface Classifier {
  readonly classes: number;
  readonly input: ImageShape;
  /**
   * Class probabilities of `count` images, count × classes, row-major. `pixels` holds the images
   * back to back, each rows × cols × channels values in 0..1, channels last (as the data sets
   * give them); an implementation converts them to what its model takes.
   */
  probabilities(pixels: Float32Array, count: number): Promise<Float32Array>;
  /**
   * The tfjs model behind the classifier, for what needs more than forward passes (gradients,
   * incremental occlusion, layer activations); absent for a model that only runs forward.
   */
  readonly layersModel?: tf.LayersModel;
}

/** The number of classes of a model whose one output is [n, classes]. */
export function layersModelClasses(model: tf.LayersModel): number {
  const shape = model.outputs[0].shape;
  if (model.outputs.length !== 1 || shape.length !== 2 || !shape[1])
    throw new Error(
      `expected a model with one output of shape [n, classes]; this one gives ${model.outputs.map((o) => `[${o.shape.join(', ')}]`).join(', ')}`,
    );
  return shape[1];
}

/** A tfjs layers model as a classifier: predictBatch (the fused network where it covers the model, else tfjs' predict). */
export function layersClassifier(model: tf.LayersModel, input: ImageShape): Classifier {
  const classes = layersModelClasses(model);
  return {
    classes,
    input,
    layersModel: model,
    // Synchronous underneath: the promise only wraps the result, so a probe loop pays one microtask per batch.
    probabilities: async (pixels, count) =>
      predictBatch(model, pixels, count, input.rows, input.cols, input.channels),
  };
}

/** The tfjs model of a classifier, for `what` (a method or probe that needs gradients or layers); a clear error for a forward-only model. */
export function requireLayersModel(classifier: Classifier, what: string): tf.LayersModel {
  if (!classifier.layersModel)
    throw new Error(
      `${what} needs a tfjs layers model (gradients or layer outputs); this model only runs forward`,
    );
  return classifier.layersModel;
}
