// A training step for sequential CNNs on the wasm backend that bypasses tfjs' tape: each layer's
// forward and backward pass is one SIMD kernel call on the whole batch (assembly/kernels.ts), the
// softmax cross-entropy a plain loop, and Adam the `adam` kernel with FusedAdam's arithmetic.
// Through tfjs a step of the Figure 1 CNN at batch 32 makes about 136 kernel calls, each with
// its bookkeeping (the tape, Identity, Reshape, Cast, a tensor per result); this makes 32
// and keeps weights, moments, activations and gradients in scratch memory of the backend's heap
// from step to step, writing the weights back into the model's variables when asked.
// Supported: conv2d (relu or linear, 'valid' or 'same' padding, any strides), max and average pooling
// ('valid'), global average pooling, flatten, dropout, dense (relu or linear), relu and linear
// activations, and softmax as the last layer, trained by Adam. Anything else: `undefined`, and
// the caller trains through tfjs.
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { AdamScalars, FusedAdam } from './fused-adam';
import { address, simdKernels, type SimdKernels } from './simd-module';
import { convGeometry, poolGeometry, type Conv2DInfo } from './wasm-kernel-utils';

const f32 = Math.fround;

/** A layer's output shape without the batch axis: [height, width, channels] or [units]. */
type Shape = number[];

/** One trainable weight: its value, gradient and Adam moments in scratch memory (byte addresses). */
interface Param {
  variable: tf.Variable;
  size: number;
  value: number;
  grad: number;
  m: number;
  v: number;
}

/** Byte addresses a layer works on: input, output and their gradients (dx 0: not needed). */
interface Buffers {
  x: number;
  y: number;
  dx: number;
  dy: number;
  params: Param[];
  /** The largest batch a step will get. */
  batchSize: number;
}

interface LayerPass {
  forward(n: number): void;
  backward(n: number): void;
}

interface LayerPlan {
  outShape: Shape;
  /** The output is the input itself (flatten, linear): no memory of its own. */
  sameOutput?: boolean;
  /** The backward pass is elementwise, so the input gradient may overwrite the output gradient. */
  gradInPlace?: boolean;
  variables: tf.LayerVariable[];
  build(buffers: Buffers, scratch: Scratch): LayerPass;
  /** A convolution's plan joined with the max pooling over tiles `pool` right above it. */
  joinPool?(pool: Conv2DInfo): LayerPlan;
  /** A max pooling over tiles: its geometry, for joinPool. */
  tiles?: Conv2DInfo;
}

/** Scratch memory on the backend's heap, freed all at once. */
class Scratch {
  private readonly blocks: tf.TensorInfo[] = [];

  constructor(private readonly backend: BackendWasm) {}

  /** `floats` float32 values (zeroed); their byte address. */
  alloc(floats: number): number {
    const block = this.backend.makeOutput([Math.max(floats, 1)], 'float32');
    this.blocks.push(block);
    const at = address(this.backend, block);
    this.view(at, floats).fill(0);
    return at;
  }

  /** A view of `floats` values at `at`, taken anew each time: a growing heap detaches older views. */
  view(at: number, floats: number): Float32Array {
    const { HEAPU8 } = this.backend.wasm as unknown as { HEAPU8: Uint8Array };
    return new Float32Array(HEAPU8.buffer, at, floats);
  }

  free(): void {
    for (const block of this.blocks) this.backend.disposeData(block.dataId, true);
    this.blocks.length = 0;
  }
}

const size = (shape: Shape) => shape.reduce((a, b) => a * b, 1);

/** `geometry` with its first entry (the batch size) set to n. */
function forBatch(geometry: number[], n: number): number[] {
  geometry[0] = n;
  return geometry;
}

/**
 * Conv2D, and Dense as a 1×1 convolution of a 1×1 image. `gradReady`: dy arrives already masked
 * by the ReLU, with the bias gradient summed (by the max pooling above it: convPoolPlan).
 */
function convPlan(
  k: SimdKernels,
  info: Conv2DInfo,
  relu: boolean,
  variables: tf.LayerVariable[],
  gradReady = false,
): LayerPlan {
  const geometry = convGeometry(info);
  const { outHeight, outWidth, outChannels, inChannels, filterHeight, filterWidth } = info;
  return {
    outShape: [outHeight, outWidth, outChannels],
    variables,
    build({ x, y, dx, dy, params: [kernel, bias] }, scratch) {
      const transposed = dx ? scratch.alloc(kernel.size) : 0;
      const cells = filterHeight * filterWidth;
      // At stride 1 the input gradient is the forward convolution of dy (padded by the filter's
      // size less the forward padding) with the filter turned by 180°: the forward kernel pairs
      // output cells, and runs faster than the gathering conv2dInputGrad.
      const byForward = info.strideHeight === 1 && info.strideWidth === 1;
      const backwardGeometry = [
        0,
        outHeight,
        outWidth,
        outChannels,
        info.inHeight,
        info.inWidth,
        inChannels,
        filterHeight,
        filterWidth,
        1,
        1,
        1,
        1,
        filterHeight - 1 - info.padInfo.top,
        filterWidth - 1 - info.padInfo.left,
      ];
      return {
        forward: (n) =>
          k.conv2dForward(x, kernel.value, bias?.value ?? 0, y, ...forBatch(geometry, n), +relu),
        backward(n) {
          if (!gradReady && (relu || bias))
            k.reluGradSumRows(y, dy, bias?.grad ?? 0, n * outHeight * outWidth, outChannels, +relu);
          k.conv2dFilterGrad(x, dy, kernel.grad, ...forBatch(geometry, n));
          if (!dx) return;
          k.transposeFilter(kernel.value, transposed, cells, inChannels, outChannels, +byForward);
          if (byForward) k.conv2dForward(dy, transposed, 0, dx, ...forBatch(backwardGeometry, n), 0);
          else k.conv2dInputGrad(dy, transposed, dx, ...forBatch(geometry, n));
        },
      };
    },
  };
}

function poolPlan(k: SimdKernels, info: Conv2DInfo, average: boolean): LayerPlan {
  const geometry = poolGeometry(info);
  return {
    outShape: [info.outHeight, info.outWidth, info.outChannels],
    variables: [],
    build: ({ x, y, dx, dy }) => ({
      forward: (n) => k.pool2dForward(x, y, ...forBatch(geometry, n), +average),
      backward(n) {
        if (!dx) return;
        if (average) k.avgPoolGrad(dx, dy, ...forBatch(geometry, n));
        else k.maxPoolGrad(x, dx, dy, ...forBatch(geometry, n));
      },
    }),
  };
}

/**
 * A convolution and the max pooling over tiles (windows = strides, 'valid') above it: the pooling
 * records where each maximum came from, so its gradient needs no comparisons, and that gradient
 * comes out masked by the convolution's ReLU with its bias gradient summed in the same pass.
 */
function convPoolPlan(
  k: SimdKernels,
  conv: Conv2DInfo,
  relu: boolean,
  variables: tf.LayerVariable[],
  pool: Conv2DInfo,
): LayerPlan {
  const convLayer = convPlan(k, conv, relu, variables, true);
  const { outHeight, outWidth, outChannels, filterHeight, filterWidth } = pool;
  const geometry = [
    conv.outHeight,
    conv.outWidth,
    outChannels,
    outHeight,
    outWidth,
    filterHeight,
    filterWidth,
  ];
  return {
    outShape: [outHeight, outWidth, outChannels],
    variables,
    build(buffers, scratch) {
      const { y, dy, batchSize, params } = buffers;
      // The convolution's output, and then (no longer needed) its gradient.
      const convOut = scratch.alloc(batchSize * conv.outHeight * conv.outWidth * outChannels);
      const where = scratch.alloc(batchSize * outHeight * outWidth * outChannels);
      const inner = convLayer.build({ ...buffers, y: convOut, dy: convOut }, scratch);
      const biasGrad = params[1]?.grad ?? 0;
      return {
        forward(n) {
          inner.forward(n);
          k.maxPoolTiles(convOut, y, where, n, ...geometry);
        },
        backward(n) {
          k.maxPoolTilesGrad(y, where, dy, convOut, biasGrad, n, ...geometry, +relu);
          inner.backward(n);
        },
      };
    },
  };
}

const passThrough = (shape: Shape): LayerPlan => ({
  outShape: shape,
  sameOutput: true,
  gradInPlace: true,
  variables: [],
  build: () => ({ forward() {}, backward() {} }),
});

/** Inverted dropout, as the tfjs path does it: one draw per value, in order, from the step's generator. */
function dropoutPlan(shape: Shape, rate: number, random: () => () => number): LayerPlan {
  const values = size(shape);
  const scale = f32(1 / (1 - rate));
  return {
    outShape: shape,
    gradInPlace: true,
    variables: [],
    build({ x, y, dx, dy }, scratch) {
      let mask = new Float32Array(0);
      return {
        forward(n) {
          const draw = random();
          const count = n * values;
          if (mask.length < count) mask = new Float32Array(count);
          const input = scratch.view(x, count);
          const output = scratch.view(y, count);
          for (let i = 0; i < count; i++) {
            const keep = draw() >= rate ? scale : 0;
            mask[i] = keep;
            output[i] = f32(input[i] * keep);
          }
        },
        backward(n) {
          const count = n * values;
          const gradIn = scratch.view(dx, count);
          const gradOut = scratch.view(dy, count);
          for (let i = 0; i < count; i++) gradIn[i] = f32(gradOut[i] * mask[i]);
        },
      };
    },
  };
}

function reluPlan(k: SimdKernels, shape: Shape): LayerPlan {
  const values = size(shape);
  return {
    outShape: shape,
    gradInPlace: true,
    variables: [],
    build: ({ x, y, dy }) => ({
      forward: (n) => k.relu(x, y, n * values),
      backward: (n) => k.reluGrad(y, dy, n * values),
    }),
  };
}

type Config = Record<string, unknown>;

const isPair = (value: unknown, n: number) => Array.isArray(value) && value.every((v) => v === n);

/**
 * The plan of one layer for inputs of `shape`, or undefined when the fused step cannot train it.
 * `last`: the model's last layer, where softmax (left to the loss) is allowed.
 */
function planLayer(
  k: SimdKernels,
  layer: tf.layers.Layer,
  shape: Shape,
  last: boolean,
  random: () => () => number,
): LayerPlan | undefined {
  const config = layer.getConfig() as Config;
  const activation = config.activation as string | undefined;
  const softmaxHere = activation === 'softmax' && last;
  const plainActivation = activation === 'relu' || activation === 'linear' || softmaxHere;
  const variables = layer.trainableWeights;
  const image = shape.length === 3;
  switch (layer.getClassName()) {
    case 'Conv2D': {
      if (!image || !plainActivation || config.dataFormat !== 'channelsLast') return undefined;
      if (config.padding !== 'valid' && config.padding !== 'same') return undefined;
      // tfjs has no gradient for dilated convolutions to test ours against.
      if (!isPair(config.dilationRate, 1)) return undefined;
      const [kh, kw] = config.kernelSize as number[];
      const info = tf.backend_util.computeConv2DInfo(
        [1, ...shape] as [number, number, number, number],
        [kh, kw, shape[2], config.filters as number],
        config.strides as [number, number],
        1,
        config.padding,
        undefined,
        false,
        'channelsLast',
      );
      const relu = activation === 'relu';
      return {
        ...convPlan(k, info, relu, variables),
        joinPool: (pool) => convPoolPlan(k, info, relu, variables, pool),
      };
    }
    case 'Dense': {
      if (image || !plainActivation) return undefined;
      const info = tf.backend_util.computeConv2DInfo(
        [1, 1, 1, shape[0]],
        [1, 1, shape[0], config.units as number],
        1,
        1,
        'valid',
      );
      const plan = convPlan(k, info, activation === 'relu', variables);
      return { ...plan, outShape: [config.units as number] };
    }
    case 'MaxPooling2D':
    case 'AveragePooling2D': {
      if (!image || config.padding !== 'valid' || config.dataFormat !== 'channelsLast') return undefined;
      const info = tf.backend_util.computePool2DInfo(
        [1, ...shape] as [number, number, number, number],
        config.poolSize as [number, number],
        config.strides as [number, number],
        1,
        'valid',
      );
      const average = layer.getClassName() === 'AveragePooling2D';
      const tiled = info.strideHeight === info.filterHeight && info.strideWidth === info.filterWidth;
      return { ...poolPlan(k, info, average), tiles: !average && tiled ? info : undefined };
    }
    case 'GlobalAveragePooling2D': {
      if (!image || config.dataFormat !== 'channelsLast') return undefined;
      const [h, w] = shape;
      const info = tf.backend_util.computePool2DInfo(
        [1, ...shape] as [number, number, number, number],
        [h, w],
        [h, w],
        1,
        'valid',
      );
      return { ...poolPlan(k, info, true), outShape: [shape[2]] };
    }
    case 'Flatten':
      return passThrough([size(shape)]);
    case 'Dropout': {
      const rate = config.rate as number;
      if (config.noiseShape != null) return undefined;
      return rate > 0 ? dropoutPlan(shape, rate, random) : passThrough(shape);
    }
    case 'Activation':
      if (activation === 'relu') return reluPlan(k, shape);
      return activation === 'linear' || softmaxHere ? passThrough(shape) : undefined;
    default:
      return undefined;
  }
}

/** Whether a plan's layer ends in softmax (left to the loss). */
function endsInSoftmax(layer: tf.layers.Layer): boolean {
  return (layer.getConfig() as Config).activation === 'softmax';
}

export interface FusedTrainingOptions {
  /** The largest batch a step will get. */
  batchSize: number;
  /** Probabilities are clipped to [clip, 1 − clip] before the log, as Keras does. */
  clip: number;
}

export interface StepResult {
  /** The sum over the batch of each image's cross-entropy. */
  loss: number;
  /** Images whose most probable class is their label. */
  hits: number;
}

export class FusedTraining {
  private random: () => number = () => 0;

  private constructor(
    private readonly scratch: Scratch,
    private readonly passes: LayerPass[],
    private readonly params: Param[],
    private readonly adam: AdamScalars,
    private readonly kernels: SimdKernels,
    private readonly input: { at: number; values: number },
    private readonly logits: { at: number; grad: number; classes: number },
    private readonly clip: number,
  ) {}

  /**
   * The fused step for this model and optimizer, or undefined when it does not apply: another
   * backend or optimizer, or a layer it does not support (see the header).
   */
  static create(
    model: tf.LayersModel,
    optimizer: tf.Optimizer,
    { batchSize, clip }: FusedTrainingOptions,
  ): FusedTraining | undefined {
    // Not `instanceof`: tf.Optimizer answers it for any object with an optimizer's methods.
    if (tf.getBackend() !== 'wasm' || Object.getPrototypeOf(optimizer) !== FusedAdam.prototype)
      return undefined;
    if (model.inputs.length !== 1 || model.outputs.length !== 1) return undefined;
    const backend = tf.backend() as BackendWasm;
    const kernels = simdKernels(backend);
    const inputShape = model.inputs[0].shape.slice(1) as Shape;
    const layers = model.layers;
    if (layers.length === 0 || !endsInSoftmax(layers[layers.length - 1])) return undefined;
    if (inputShape.length !== 3 || layers.some((l) => !l.trainable)) return undefined;
    let training: FusedTraining | undefined;
    const random = () => training!.random;
    const plans: LayerPlan[] = [];
    let shape = inputShape;
    for (const [i, layer] of layers.entries()) {
      const plan = planLayer(kernels, layer, shape, i === layers.length - 1, random);
      if (!plan) return undefined;
      const below = plans.at(-1);
      if (plan.tiles && below?.joinPool) plans[plans.length - 1] = below.joinPool(plan.tiles);
      else plans.push(plan);
      shape = plan.outShape;
    }
    if (shape.length !== 1) return undefined;

    const scratch = new Scratch(backend);
    const values = [inputShape, ...plans.map((p) => p.outShape)].map((s) => size(s) * batchSize);
    // Activations: each layer's output, unless it is its input.
    const acts = [scratch.alloc(values[0])];
    plans.forEach((plan, i) => acts.push(plan.sameOutput ? acts[i] : scratch.alloc(values[i + 1])));
    // Gradients, from the last layer back; the first layer's input needs none.
    const grads: number[] = new Array(plans.length + 1);
    grads[plans.length] = scratch.alloc(values[plans.length]);
    for (let i = plans.length - 1; i >= 0; i--)
      grads[i] = plans[i].gradInPlace ? grads[i + 1] : i > 0 ? scratch.alloc(values[i]) : 0;

    const params: Param[] = [];
    const passes = plans.map((plan, i) => {
      const own = plan.variables.map((layerVariable) => {
        const variable = layerVariable.read() as tf.Variable;
        const n = variable.size;
        const param: Param = {
          variable,
          size: n,
          value: scratch.alloc(n),
          grad: scratch.alloc(n),
          m: scratch.alloc(n),
          v: scratch.alloc(n),
        };
        scratch.view(param.value, n).set(variable.dataSync() as Float32Array);
        return param;
      });
      params.push(...own);
      return plan.build(
        { x: acts[i], y: acts[i + 1], dx: grads[i], dy: grads[i + 1], params: own, batchSize },
        scratch,
      );
    });
    const { learningRate, beta1, beta2, epsilon } = (optimizer as FusedAdam).scalars;
    training = new FusedTraining(
      scratch,
      passes,
      params,
      new AdamScalars(learningRate, beta1, beta2, epsilon),
      kernels,
      { at: acts[0], values: size(inputShape) },
      { at: acts[plans.length], grad: grads[plans.length], classes: shape[0] },
      clip,
    );
    return training;
  }

  /**
   * One step on the first `n` images of `images` (n × the model's input size) with their labels;
   * dropout masks drawn from `random`.
   */
  step(images: Float32Array, labels: Int32Array, n: number, random: () => number): StepResult {
    const result = this.computeGradients(images, labels, n, random);
    const scalars = this.adam.current();
    for (const p of this.params) this.kernels.adam(p.value, p.value, p.m, p.v, p.grad, p.size, ...scalars);
    this.adam.advance();
    return result;
  }

  /** The forward and backward pass of `step`, without the update. */
  computeGradients(images: Float32Array, labels: Int32Array, n: number, random: () => number): StepResult {
    this.random = random;
    this.scratch.view(this.input.at, n * this.input.values).set(images.subarray(0, n * this.input.values));
    for (const pass of this.passes) pass.forward(n);
    const result = this.softmaxCrossEntropy(labels, n);
    for (let i = this.passes.length - 1; i >= 0; i--) this.passes[i].backward(n);
    return result;
  }

  /** The last computed gradient of each trainable variable, by the variable's name. */
  gradients(): Map<string, Float32Array> {
    return new Map(this.params.map((p) => [p.variable.name, this.scratch.view(p.grad, p.size).slice()]));
  }

  /**
   * Softmax of the logits, the batch's cross-entropy and its gradient with respect to the logits
   * as tfjs computes it: (p − onehot) / n, and 0 for an image whose probability of its label
   * was clipped (clipByValue passes no gradient there).
   */
  private softmaxCrossEntropy(labels: Int32Array, n: number): StepResult {
    const { at, grad, classes } = this.logits;
    const z = this.scratch.view(at, n * classes);
    const g = this.scratch.view(grad, n * classes);
    const low = f32(this.clip);
    const high = f32(1 - this.clip);
    const p = new Float64Array(classes);
    let loss = 0;
    let hits = 0;
    for (let b = 0; b < n; b++) {
      const row = b * classes;
      let best = 0;
      for (let j = 1; j < classes; j++) if (z[row + j] > z[row + best]) best = j;
      let sum = 0;
      for (let j = 0; j < classes; j++) {
        p[j] = Math.exp(z[row + j] - z[row + best]);
        sum += p[j];
      }
      const label = labels[b];
      const pLabel = f32(p[label] / sum);
      const clipped = pLabel < low || pLabel > high;
      loss -= Math.log(Math.min(Math.max(pLabel, low), high));
      if (best === label) hits++;
      for (let j = 0; j < classes; j++) g[row + j] = clipped ? 0 : (p[j] / sum - (j === label ? 1 : 0)) / n;
    }
    return { loss, hits };
  }

  /** Writes the trained weights into the model's variables (fresh tensors: see FusedAdam on why). */
  writeWeights(): void {
    for (const p of this.params) {
      const tensor = tf.tensor(this.scratch.view(p.value, p.size).slice(), p.variable.shape);
      p.variable.assign(tensor);
      tensor.dispose();
    }
  }

  dispose(): void {
    this.scratch.free();
  }
}
