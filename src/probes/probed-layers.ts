// Which layers of a model the probes picture, from the layer list planning knows (a `layers`
// list's Keras names, or a model file's topology), so that planning can name every file a
// probe job will publish without loading tfjs.
import type { PlannedLayer } from '../models/shapes';

/** Layers whose kernels `filters` draws. */
export const CONV_CLASSES: ReadonlySet<string> = new Set(['Conv2D']);

/** Layers whose outputs `feature-maps` draws: every convolution, pooling and batch normalization. */
export const FEATURE_MAP_CLASSES: ReadonlySet<string> = new Set([
  'Conv2D',
  'MaxPooling2D',
  'AveragePooling2D',
  'BatchNormalization',
]);

export function layersOfClasses(layers: readonly PlannedLayer[], classes: ReadonlySet<string>): string[] {
  return layers.filter((l) => classes.has(l.className)).map((l) => l.name);
}

/** `figures/<this>.png`: a name that sorts in network order, e.g. `layer1_conv2d`. */
export function layerFileName(layer: string, position: number): string {
  return `layer${position + 1}_${layer}`;
}
