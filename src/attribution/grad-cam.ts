// Grad-CAM (Selvaraju et al., 2017): for a convolution layer's output A (h′ × w′ × K), the weight
// of channel k is α_k = the spatial mean of ∂y_c/∂A_k, the map is ReLU(Σ_k α_k A_k), and it is
// upsampled bilinearly to the image (half-pixel centres, as PyTorch's align_corners=False).
// The model is run layer by layer, so it must be a chain (a Sequential model, or a functional
// one whose layers follow each other), which is what lets y_c be differentiated in A.
import * as tf from '@tensorflow/tfjs';
import { channelsOf, checkTargets, outputClasses, valuesPerImage, type ImageBatch } from './gradients';

type Layer = tf.layers.Layer;

/** The model's layers in order, without its input layer; throws when they are not a chain. */
export function chainLayers(model: tf.LayersModel): Layer[] {
  const layers = model.layers.filter((l) => l.getClassName() !== 'InputLayer');
  layers.forEach((layer, i) => {
    const nodes = layer.inboundNodes;
    const inbound = nodes.length === 1 ? nodes[0].inboundLayers : [];
    const previous = i === 0 ? undefined : layers[i - 1];
    const follows =
      inbound.length === 1 &&
      (previous ? inbound[0] === previous : inbound[0].getClassName() === 'InputLayer');
    // A Sequential model's first layer has no inbound layer of its own in some tfjs versions.
    if (!follows && !(i === 0 && inbound.length <= 1))
      throw new Error(
        `grad-cam: layer "${layer.name}" does not simply follow "${previous?.name ?? 'the input'}": grad-cam needs a model whose layers form a chain`,
      );
  });
  return layers;
}

/** Index in `layers` of the named layer, or of the last Conv2D layer. */
export function gradCamLayer(layers: Layer[], name: string | undefined): number {
  if (name !== undefined) {
    const index = layers.findIndex((l) => l.name === name);
    if (index < 0)
      throw new Error(
        `grad-cam: the model has no layer "${name}" (its layers: ${layers.map((l) => l.name).join(', ')})`,
      );
    return index;
  }
  const convs = layers.flatMap((l, i) => (l.getClassName() === 'Conv2D' ? [i] : []));
  const index = convs.at(-1) ?? -1;
  if (index < 0) throw new Error('grad-cam: the model has no Conv2D layer; name a layer with "layer"');
  return index;
}

const run = (layers: Layer[], x: tf.Tensor): tf.Tensor =>
  layers.reduce((h, layer) => layer.apply(h, { training: false }) as tf.Tensor, x);

export function gradCamMaps(
  model: tf.LayersModel,
  batch: ImageBatch,
  targets: ArrayLike<number>,
  layerName: string | undefined,
  batchSize: number,
): Float32Array {
  const classes = outputClasses(model);
  checkTargets(targets, batch.count, classes);
  const layers = chainLayers(model);
  const at = gradCamLayer(layers, layerName);
  const head = layers.slice(0, at + 1);
  const tail = layers.slice(at + 1);
  const size = valuesPerImage(batch);
  const pixels = batch.rows * batch.cols;
  const maps = new Float32Array(batch.count * pixels);
  for (let start = 0; start < batch.count; start += batchSize) {
    const end = Math.min(batch.count, start + batchSize);
    const cam = tf.tidy(() => {
      const x = tf.tensor4d(batch.pixels.subarray(start * size, end * size), [
        end - start,
        batch.rows,
        batch.cols,
        channelsOf(batch),
      ]);
      const a = run(head, x);
      if (a.rank !== 4)
        throw new Error(
          `grad-cam: layer "${layers[at].name}" gives outputs of shape [${a.shape.join(', ')}]; expected [n, height, width, channels]`,
        );
      const mask = tf.oneHot(tf.tensor1d(Array.from(targets).slice(start, end), 'int32'), classes);
      const g = tf.grad((h: tf.Tensor) => tf.sum(tf.mul(run(tail, h), mask)))(a);
      const alpha = tf.mean(g, [1, 2], true);
      const weighted = tf.relu(tf.sum(tf.mul(alpha, a), -1, true)) as tf.Tensor4D;
      return tf.image.resizeBilinear(weighted, [batch.rows, batch.cols], false, true);
    });
    maps.set(cam.dataSync() as Float32Array, start * pixels);
    cam.dispose();
  }
  return maps;
}
