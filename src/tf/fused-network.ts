// A sequential CNN as SIMD kernel calls on whole batches (assembly/kernels.ts), bypassing tfjs:
// each layer's forward and backward pass is one kernel call, with weights, activations and
// gradients in scratch memory of the wasm backend's heap. The fused training step
// (fused-training.ts) and the fused input gradients of attribution (fused-input-gradients.ts)
// run on it. Through tfjs a Figure 1 step at batch 32 makes about 136 kernel calls, each with its
// bookkeeping (the tape, Identity, Reshape, Cast, a tensor per result); this makes 32.
// Supported: conv2d (relu or linear, 'valid' or 'same' padding, any strides), max and average pooling
// ('valid'), global average pooling, flatten, dropout, batch normalization (fused-batch-norm.ts),
// dense (relu or linear), relu and linear activations, and softmax as the last layer (its output
// here is the logits). Anything else:
// `undefined`, and the caller goes through tfjs.
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { batchNormPlan } from './fused-batch-norm';
import { type LayerPass, type LayerPlan, type Param, Scratch, type Shape, size } from './fused-layer';
import { simdKernels, type SimdKernels } from './simd-module';
import { convGeometry, poolGeometry, type Conv2DInfo } from './wasm-kernel-utils';

const f32 = Math.fround;

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
      // output cells, and runs faster than the gathering conv2dInputGrad. Not for one input
      // channel (an image's, for attribution): that convolution would have one output channel to
      // vectorise over, where conv2dInputGrad vectorises over dy's channels.
      const byForward = info.strideHeight === 1 && info.strideWidth === 1 && inChannels > 1;
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
          if (kernel.grad) k.conv2dFilterGrad(x, dy, kernel.grad, ...forBatch(geometry, n));
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

/**
 * Forward only (inference): a convolution and the max pooling over tiles above it as one kernel
 * call per batch, image by image, so the convolution's output never leaves the cache; its cells
 * no pooling window covers are not computed.
 */
function convPoolInferencePlan(
  k: SimdKernels,
  conv: Conv2DInfo,
  relu: boolean,
  variables: tf.LayerVariable[],
  pool: Conv2DInfo,
): LayerPlan {
  const geometry = [
    ...convGeometry(conv),
    +relu,
    pool.outHeight,
    pool.outWidth,
    pool.filterHeight,
    pool.filterWidth,
  ];
  return {
    outShape: [pool.outHeight, pool.outWidth, pool.outChannels],
    variables,
    build({ x, y, params: [kernel, bias] }, scratch) {
      const work = scratch.alloc(conv.outHeight * conv.outWidth * conv.outChannels);
      return {
        forward: (n) => k.convMaxPool(x, kernel.value, bias?.value ?? 0, y, work, ...forBatch(geometry, n)),
        backward() {
          throw new Error('a forward-only fused network has no backward pass');
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
 * A Conv2D layer's plan (its following pooling layer may join it), or undefined for settings the
 * fused network lacks. `forwardOnly`: no backward pass will run.
 */
function conv2dPlan(
  k: SimdKernels,
  config: Config,
  shape: Shape,
  relu: boolean,
  variables: tf.LayerVariable[],
  forwardOnly: boolean,
): LayerPlan | undefined {
  if (config.dataFormat !== 'channelsLast') return undefined;
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
  return {
    ...convPlan(k, info, relu, variables),
    joinPool: (pool) => (forwardOnly ? convPoolInferencePlan : convPoolPlan)(k, info, relu, variables, pool),
  };
}

/**
 * The plan of one layer for inputs of `shape`, or undefined when the fused network cannot run it.
 * `last`: the model's last layer, where softmax (left to the loss) is allowed. `training`: dropout
 * drops and batch normalization uses the batch's statistics; else both act as at inference.
 * `forwardOnly`: no backward pass will run.
 */
function planLayer(
  k: SimdKernels,
  layer: tf.layers.Layer,
  shape: Shape,
  last: boolean,
  random: () => () => number,
  { training, forwardOnly }: { training: boolean; forwardOnly: boolean },
): LayerPlan | undefined {
  const config = layer.getConfig() as Config;
  const activation = config.activation as string | undefined;
  const softmaxHere = activation === 'softmax' && last;
  const plainActivation = activation === 'relu' || activation === 'linear' || softmaxHere;
  const variables = layer.trainableWeights;
  const image = shape.length === 3;
  switch (layer.getClassName()) {
    case 'Conv2D':
      return image && plainActivation
        ? conv2dPlan(k, config, shape, activation === 'relu', variables, forwardOnly)
        : undefined;
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
    case 'BatchNormalization': {
      const axis = config.axis as number | number[];
      const lastAxis =
        axis === -1 ||
        axis === shape.length ||
        (Array.isArray(axis) && axis.length === 1 && (axis[0] === -1 || axis[0] === shape.length));
      if (!lastAxis || config.center === false || config.scale === false) return undefined;
      const settings = { epsilon: config.epsilon as number, momentum: config.momentum as number, training };
      return batchNormPlan(k, shape, variables, layer.nonTrainableWeights, settings);
    }
    case 'Flatten':
      return passThrough([size(shape)]);
    case 'Dropout': {
      // In inference dropout passes everything, whatever its settings.
      if (!training) return passThrough(shape);
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

/**
 * The softmax of logits z[at, at + classes) into p, in float64 (exp of each logit less the largest,
 * over their sum); returns the index of the largest logit.
 */
export function softmax(z: Float32Array, at: number, classes: number, p: Float64Array): number {
  let best = 0;
  for (let j = 1; j < classes; j++) if (z[at + j] > z[at + best]) best = j;
  let sum = 0;
  for (let j = 0; j < classes; j++) {
    p[j] = Math.exp(z[at + j] - z[at + best]);
    sum += p[j];
  }
  for (let j = 0; j < classes; j++) p[j] /= sum;
  return best;
}

export interface FusedNetworkOptions {
  /** The largest batch a pass will get. */
  batchSize: number;
  /** Dropout as in training, its masks drawn from `random`; false: inference (dropout passes all). */
  training: boolean;
  /** Gradients of the weights too (to train); false: of the activations only. */
  weightGradients: boolean;
  /** The gradient with respect to the input too (training does not need it). */
  inputGradient: boolean;
}

export class FusedNetwork {
  /** Dropout's draws for the next forward pass. */
  random: () => number = () => 0;

  private constructor(
    readonly scratch: Scratch,
    private readonly passes: LayerPass[],
    readonly params: Param[],
    /** Non-trainable weights the passes update (moving statistics), written back with the params. */
    readonly state: Param[],
    readonly kernels: SimdKernels,
    /** The input's address, its gradient's (0 unless asked for) and values per image. */
    readonly input: { at: number; grad: number; values: number },
    /** The logits (the softmax's input) and their gradient. */
    readonly logits: { at: number; grad: number; classes: number },
  ) {}

  /**
   * The model as kernel calls, with its current weights, or undefined when it does not apply:
   * another backend, or a layer it does not support (see the header).
   */
  static create(model: tf.LayersModel, options: FusedNetworkOptions): FusedNetwork | undefined {
    const { batchSize } = options;
    if (tf.getBackend() !== 'wasm') return undefined;
    if (model.inputs.length !== 1 || model.outputs.length !== 1) return undefined;
    const backend = tf.backend() as BackendWasm;
    const kernels = simdKernels(backend);
    const inputShape = model.inputs[0].shape.slice(1) as Shape;
    const layers = model.layers;
    if (layers.length === 0 || !endsInSoftmax(layers[layers.length - 1])) return undefined;
    if (inputShape.length !== 3 || layers.some((l) => !l.trainable)) return undefined;
    let network: FusedNetwork | undefined;
    const { training, weightGradients, inputGradient } = options;
    const mode = { training, forwardOnly: !training && !weightGradients && !inputGradient };
    const random = () => network!.random;
    const plans: LayerPlan[] = [];
    let shape = inputShape;
    for (const [i, layer] of layers.entries()) {
      const plan = planLayer(kernels, layer, shape, i === layers.length - 1, random, mode);
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
    // Gradients, from the last layer back; the first layer's input only when asked for.
    const grads: number[] = new Array(plans.length + 1);
    grads[plans.length] = scratch.alloc(values[plans.length]);
    for (let i = plans.length - 1; i >= 0; i--) {
      const needed = i > 0 || options.inputGradient;
      grads[i] = !needed ? 0 : plans[i].gradInPlace ? grads[i + 1] : scratch.alloc(values[i]);
    }

    const params: Param[] = [];
    const state: Param[] = [];
    const passes = plans.map((plan, i) => {
      const own = plan.variables.map((layerVariable): Param => {
        const variable = layerVariable.read() as tf.Variable;
        const n = variable.size;
        return {
          variable,
          size: n,
          value: scratch.alloc(n),
          grad: options.weightGradients ? scratch.alloc(n) : 0,
        };
      });
      params.push(...own);
      const kept = (plan.state ?? []).map((layerVariable): Param => {
        const variable = layerVariable.read() as tf.Variable;
        return { variable, size: variable.size, value: scratch.alloc(variable.size), grad: 0 };
      });
      state.push(...kept);
      return plan.build(
        { x: acts[i], y: acts[i + 1], dx: grads[i], dy: grads[i + 1], params: own, state: kept, batchSize },
        scratch,
      );
    });
    network = new FusedNetwork(
      scratch,
      passes,
      params,
      state,
      kernels,
      { at: acts[0], grad: grads[0], values: size(inputShape) },
      { at: acts[plans.length], grad: grads[plans.length], classes: shape[0] },
    );
    network.readWeights();
    return network;
  }

  /** Copies the model's current weights (and moving statistics) in. */
  readWeights(): void {
    for (const p of [...this.params, ...this.state])
      this.scratch.view(p.value, p.size).set(p.variable.dataSync() as Float32Array);
  }

  /** The forward pass of the first n images (n × the input's values) up to the logits. */
  forward(images: Float32Array, n: number): void {
    const values = n * this.input.values;
    this.scratch.view(this.input.at, values).set(images.subarray(0, values));
    for (const pass of this.passes) pass.forward(n);
  }

  /** The backward pass from the logits' gradient, which the caller has written. */
  backward(n: number): void {
    for (let i = this.passes.length - 1; i >= 0; i--) this.passes[i].backward(n);
  }

  dispose(): void {
    this.scratch.free();
  }
}
