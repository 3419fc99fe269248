// Domain code: the attribution kinds (src/kinds/attribution*) call it; nothing here imports a kind.
//
// The one entry point of attribution: a classifier (src/models/classifier.ts), a batch of images, a target class per image
// and a method with its settings → float32 pixel maps [n, height, width]. Everything else
// (the `attribution` experiment, faithfulness curves, the sanity check, the benchmark) calls this.
//
// y_c is the model's output for class c as the model gives it (Captum's convention): for
// probelab's trained models, which end in softmax, the probability of class c, not the logit.
// Every method runs in float32 on the thread's tfjs backend, in inference mode (dropout off,
// batch normalization on its moving statistics). Gradient methods need the classifier's tfjs
// model; forward-only methods (occlusion) run on any classifier, ONNX models included.
import { type Classifier, requireLayersModel } from '../models/classifier';
import { gradCamMaps } from './grad-cam';
import { gradientXInputMaps } from './gradient-x-input';
import type { ImageBatch } from './gradients';
import { integratedGradientsMaps, type Completeness } from './integrated-gradients';
import { featureAblationMaps } from './feature-ablation';
import { kernelShapMaps } from './kernel-shap';
import { occlusionAttributionMaps } from './occlusion';
import { riseMaps } from './rise';
import { shapleySamplingMaps } from './shapley-sampling';
import { saliencyMaps } from './saliency';
import { type FORWARD_ONLY_METHODS, methodSettings, type MethodInput, type MethodSettings } from './settings';
import { smoothgradMaps } from './smoothgrad';

export type { ImageBatch } from './gradients';
export type { Completeness } from './integrated-gradients';
export {
  methodLabel,
  methodSettings,
  type MethodInput,
  type MethodName,
  type MethodSettings,
} from './settings';

export interface AttributeOptions {
  /** Most inputs per gradient call (SmoothGrad's samples and IG's steps count one each); default 256. */
  batchSize?: number;
  /**
   * A stable identity per image (e.g. its test index), default its position in the batch.
   * SmoothGrad draws an image's noise from its key and the seed, so the map of an image does not
   * depend on which batch it comes in.
   */
  keys?: readonly number[];
}

export interface Attribution {
  /** count × rows × cols, row-major. */
  maps: Float32Array;
  count: number;
  rows: number;
  cols: number;
  /** Integrated gradients only: the completeness check per image. */
  completeness?: Completeness[];
}

export const DEFAULT_BATCH_SIZE = 256;

/** Pixel maps of `method` for each image of `batch` and its target class. */
export async function attribute(
  classifier: Classifier,
  batch: ImageBatch,
  targets: ArrayLike<number>,
  method: MethodInput,
  options: AttributeOptions = {},
): Promise<Attribution> {
  const settings = methodSettings(method);
  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
  if (!Number.isInteger(batchSize) || batchSize < 1)
    throw new Error(`batchSize: expected a positive integer, got ${batchSize}`);
  const keys = options.keys ?? Array.from({ length: batch.count }, (_, i) => i);
  if (keys.length !== batch.count) throw new Error(`expected ${batch.count} keys, got ${keys.length}`);
  const shape = { count: batch.count, rows: batch.rows, cols: batch.cols };
  // Forward-only methods run on any classifier; gradient methods need its tfjs model.
  switch (settings.method) {
    case 'occlusion':
      return { ...shape, maps: await occlusionAttributionMaps(classifier, batch, targets, settings) };
    case 'feature-ablation':
      return { ...shape, maps: await featureAblationMaps(classifier, batch, targets, settings, batchSize) };
    case 'shapley-sampling':
      return {
        ...shape,
        maps: await shapleySamplingMaps(classifier, batch, targets, settings, keys, batchSize),
      };
    case 'kernel-shap':
      return { ...shape, maps: await kernelShapMaps(classifier, batch, targets, settings, keys, batchSize) };
    case 'rise':
      return { ...shape, maps: await riseMaps(classifier, batch, targets, settings, keys, batchSize) };
    default:
      return { ...shape, ...gradientMaps(classifier, batch, targets, settings, keys, batchSize) };
  }
}

type GradientSettings = Exclude<MethodSettings, { method: (typeof FORWARD_ONLY_METHODS)[number] }>;

function gradientMaps(
  classifier: Classifier,
  batch: ImageBatch,
  targets: ArrayLike<number>,
  settings: GradientSettings,
  keys: readonly number[],
  batchSize: number,
): { maps: Float32Array; completeness?: Completeness[] } {
  const model = requireLayersModel(classifier, settings.method);
  switch (settings.method) {
    case 'saliency':
      return { maps: saliencyMaps(model, batch, targets, batchSize) };
    case 'gradient-x-input':
      return { maps: gradientXInputMaps(model, batch, targets, batchSize) };
    case 'integrated-gradients':
      return integratedGradientsMaps(model, batch, targets, settings, batchSize);
    case 'smoothgrad':
      return { maps: smoothgradMaps(model, batch, targets, settings, keys, batchSize) };
    case 'grad-cam':
      return { maps: gradCamMaps(model, batch, targets, settings.layer, batchSize) };
  }
}

/**
 * The maps of a batch and the wall-clock milliseconds they took: the one way a method's time is
 * measured, for methods.csv and for the trust table alike (a batch of a chunk's images in one
 * call, so per-call set-up is shared as it is in use).
 */
export async function timedAttribution(
  classifier: Classifier,
  batch: ImageBatch,
  targets: ArrayLike<number>,
  method: MethodInput,
  options: AttributeOptions = {},
): Promise<Attribution & { ms: number }> {
  const started = performance.now();
  const result = await attribute(classifier, batch, targets, method, options);
  return { ...result, ms: performance.now() - started };
}
