// The layers of the Figure 1 CNN that the probes picture (names as src/models/cnn.ts gives them).
// Kept here as plain data, so that planning knows every file a probe job will publish without
// loading tfjs; the jobs check the model they load against it.

/** The three convolution layers: 12 filters of 3×3×1, 12 of 3×3×12, 8 of 3×3×12. */
export const CONV_LAYERS = ['conv2d', 'conv2d_1', 'conv2d_2'] as const;

/** Every convolution and pooling layer, in order (the feature maps of Figures 4–5). */
export const PROBED_LAYERS = [
  'conv2d',
  'max_pooling2d',
  'conv2d_1',
  'max_pooling2d_1',
  'conv2d_2',
  'max_pooling2d_2',
] as const;

/** `figures/<this>.png`: a name that sorts in network order, e.g. `layer1_conv2d`. */
export function layerFileName(layer: string, position: number): string {
  return `layer${position + 1}_${layer}`;
}

export function checkLayers(found: readonly string[], expected: readonly string[], what: string): void {
  if (found.length !== expected.length || found.some((name, i) => name !== expected[i])) {
    throw new Error(
      `${what}: the model has layers [${found.join(', ')}], expected [${expected.join(', ')}] (the Figure 1 CNN)`,
    );
  }
}
