// An ONNX graph that is a chain of Conv, Relu, MaxPool/AveragePool, Flatten, Gemm and a last
// Softmax (what torch.onnx.export writes for an nn.Sequential of those) rebuilt as a tfjs layers
// model with the same weights, so that it runs on the fused network (and occlusion maps on the
// incremental path), several times faster than onnxruntime-web. Weights change layout on the way:
// ONNX convolutions are out × in × rows × cols, tfjs' rows × cols × in × out, and ONNX flattens
// channels first where tfjs flattens channels last, so the first dense layer's rows are permuted.
// A pixel scale or normalisation before a first 'valid' convolution is folded into its weights.
import * as tf from '@tensorflow/tfjs';
import type { onnx } from 'onnx-proto';
import type { ImageShape } from './classifier';
import type { OnnxSpec } from './onnx-file';
import { attributeOf, floatInitializer, type OnnxGraph } from './onnx-graph';

interface Weights {
  kernel: Float32Array;
  kernelShape: number[];
  bias: Float32Array;
}

/** A layer of the rebuilt model, with its weights in tfjs' layout; a ReLU after a convolution or dense layer becomes its activation. */
type Step =
  | {
      type: 'conv2d';
      kernelSize: number[];
      strides: number[];
      padding: 'valid' | 'same';
      activation: string;
      weights: Weights;
    }
  | { type: 'dense'; activation: string; weights: Weights }
  | { type: 'maxPooling2d' | 'averagePooling2d'; poolSize: number[]; strides: number[] }
  | { type: 'flatten' }
  | { type: 'activation'; activation: string };

/** What flows between layers: an image (rows × cols × channels, channels last) or a flat vector. */
type Value =
  | { kind: 'image'; rows: number; cols: number; channels: number }
  | { kind: 'flat'; size: number; from?: Value };

class Unmapped extends Error {}

const ints = (node: onnx.INodeProto, name: string, fallback: number[]): number[] => {
  const value = attributeOf(node, name);
  return Array.isArray(value) ? value : fallback;
};
const int = (node: onnx.INodeProto, name: string, fallback: number): number => {
  const value = attributeOf(node, name);
  return typeof value === 'number' ? value : fallback;
};
const same = (a: readonly number[], b: readonly number[]) =>
  a.length === b.length && a.every((v, i) => v === b[i]);

function weightsOf(graph: OnnxGraph, node: onnx.INodeProto, at: number) {
  const name = node.input?.[at];
  if (!name) return undefined;
  const tensor = floatInitializer(graph, name);
  if (!tensor) throw new Unmapped(`${node.opType} ${node.name}: "${name}" is not a float32 constant`);
  return tensor;
}

function imageOf(value: Value, node: onnx.INodeProto) {
  if (value.kind !== 'image') throw new Unmapped(`${node.opType} after a flatten`);
  return value;
}

/** 'valid' for no padding, 'same' for the symmetric padding that keeps the size at stride 1. */
function paddingOf(node: onnx.INodeProto, kernel: number[], strides: number[]): 'valid' | 'same' {
  const autoPad = node.attribute?.find((a) => a.name === 'auto_pad');
  if (autoPad && String(autoPad.s ? new TextDecoder().decode(autoPad.s) : '') !== 'NOTSET')
    throw new Unmapped(`${node.opType}: auto_pad`);
  const pads = ints(node, 'pads', [0, 0, 0, 0]);
  if (pads.every((p) => p === 0)) return 'valid';
  const half = kernel.map((k) => (k - 1) / 2);
  if (same(strides, [1, 1]) && same(pads, [half[0], half[1], half[0], half[1]])) return 'same';
  throw new Unmapped(`${node.opType}: padding ${pads.join(',')}`);
}

function convStep(graph: OnnxGraph, node: onnx.INodeProto, value: Value): [Step, Value] {
  const input = imageOf(value, node);
  const w = weightsOf(graph, node, 1)!;
  const [out, channels, kh, kw] = w.dims;
  if (
    int(node, 'group', 1) !== 1 ||
    !same(ints(node, 'dilations', [1, 1]), [1, 1]) ||
    channels !== input.channels
  )
    throw new Unmapped(`Conv ${node.name}: groups, dilation or channels`);
  const strides = ints(node, 'strides', [1, 1]);
  const padding = paddingOf(node, [kh, kw], strides);
  const kernel = new Float32Array(w.values.length);
  for (let o = 0; o < out; o++)
    for (let c = 0; c < channels; c++)
      for (let y = 0; y < kh; y++)
        for (let x = 0; x < kw; x++)
          kernel[((y * kw + x) * channels + c) * out + o] = w.values[((o * channels + c) * kh + y) * kw + x];
  const bias = weightsOf(graph, node, 2)?.values ?? new Float32Array(out);
  const size = (n: number, k: number, s: number) => (padding === 'same' ? n : Math.floor((n - k) / s) + 1);
  const next: Value = {
    kind: 'image',
    rows: size(input.rows, kh, strides[0]),
    cols: size(input.cols, kw, strides[1]),
    channels: out,
  };
  const weights = { kernel, kernelShape: [kh, kw, channels, out], bias };
  return [{ type: 'conv2d', kernelSize: [kh, kw], strides, padding, activation: 'linear', weights }, next];
}

function poolStep(node: onnx.INodeProto, value: Value): [Step, Value] {
  const input = imageOf(value, node);
  const kernel = ints(node, 'kernel_shape', []);
  const strides = ints(node, 'strides', [1, 1]);
  if (kernel.length !== 2 || int(node, 'ceil_mode', 0) !== 0 || paddingOf(node, kernel, strides) !== 'valid')
    throw new Unmapped(`${node.opType} ${node.name}: padding or ceil mode`);
  if (!same(ints(node, 'dilations', [1, 1]), [1, 1])) throw new Unmapped(`${node.opType}: dilation`);
  const type = node.opType === 'MaxPool' ? 'maxPooling2d' : 'averagePooling2d';
  const size = (n: number, k: number, s: number) => Math.floor((n - k) / s) + 1;
  return [
    { type, poolSize: kernel, strides },
    {
      kind: 'image',
      rows: size(input.rows, kernel[0], strides[0]),
      cols: size(input.cols, kernel[1], strides[1]),
      channels: input.channels,
    },
  ];
}

/** Gemm as a dense layer; after a flatten of an image, its rows reordered from channels-first to channels-last. */
function denseStep(graph: OnnxGraph, node: onnx.INodeProto, value: Value): [Step, Value] {
  if (value.kind !== 'flat') throw new Unmapped('Gemm on an image');
  if (
    int(node, 'transA', 0) !== 0 ||
    (attributeOf(node, 'alpha') !== undefined && attributeOf(node, 'alpha') !== 1) ||
    (attributeOf(node, 'beta') !== undefined && attributeOf(node, 'beta') !== 1)
  )
    throw new Unmapped(`Gemm ${node.name}: alpha, beta or transA`);
  const b = weightsOf(graph, node, 1)!;
  const transposed = int(node, 'transB', 0) === 1;
  const [units, inputs] = transposed ? b.dims : [b.dims[1], b.dims[0]];
  if (inputs !== value.size)
    throw new Unmapped(`Gemm ${node.name}: ${inputs} inputs after ${value.size} values`);
  const image = value.from?.kind === 'image' ? value.from : undefined;
  // tfjs' flat index j = (r · cols + c) · channels + ch; ONNX's = (ch · rows + r) · cols + c.
  const onnxIndex = (j: number) => {
    if (!image) return j;
    const ch = j % image.channels;
    const cell = (j - ch) / image.channels;
    return ch * image.rows * image.cols + cell;
  };
  const kernel = new Float32Array(inputs * units);
  for (let j = 0; j < inputs; j++)
    for (let u = 0; u < units; u++)
      kernel[j * units + u] = b.values[transposed ? u * inputs + onnxIndex(j) : onnxIndex(j) * units + u];
  const bias = weightsOf(graph, node, 2)?.values ?? new Float32Array(units);
  if (bias.length !== units) throw new Unmapped(`Gemm ${node.name}: a broadcast bias`);
  const weights = { kernel, kernelShape: [inputs, units], bias };
  return [
    { type: 'dense', activation: 'linear', weights },
    { kind: 'flat', size: units },
  ];
}

/** `activation` after the last step: that step's own when it is a convolution or dense layer without one, else a layer of its own. */
function withActivation(steps: Step[], activation: string): void {
  const last = steps.at(-1);
  if (last && (last.type === 'conv2d' || last.type === 'dense') && last.activation === 'linear')
    last.activation = activation;
  else steps.push({ type: 'activation', activation });
}

/** The steps of a chain of supported nodes, from the input to the output. */
function stepsOf(graph: OnnxGraph, spec: OnnxSpec, shape: ImageShape): Step[] {
  if (spec.layout !== 'NCHW') throw new Unmapped('an NHWC input');
  let value: Value = { kind: 'image', rows: shape.rows, cols: shape.cols, channels: shape.channels };
  let current = spec.input;
  const steps: Step[] = [];
  for (const node of graph.node) {
    if (node.input?.[0] !== current)
      throw new Unmapped(`${node.opType} ${node.name} is not the next link of a chain`);
    current = node.output?.[0] ?? '';
    const op = node.opType ?? '';
    if (op === 'Dropout' || op === 'Identity') continue;
    if (op === 'Relu') withActivation(steps, 'relu');
    else if (op === 'Conv') [steps[steps.length], value] = convStep(graph, node, value);
    else if (op === 'MaxPool' || op === 'AveragePool') [steps[steps.length], value] = poolStep(node, value);
    else if (op === 'Flatten') {
      if (int(node, 'axis', 1) !== 1) throw new Unmapped('Flatten of another axis');
      if (value.kind === 'image') {
        steps.push({ type: 'flatten' });
        value = { kind: 'flat', size: value.rows * value.cols * value.channels, from: value };
      }
    } else if (op === 'Gemm') [steps[steps.length], value] = denseStep(graph, node, value);
    else if (
      (op === 'Softmax' || op === 'LogSoftmax') &&
      current === spec.output &&
      int(node, 'axis', -1) % 2 !== 0
    )
      continue;
    else throw new Unmapped(`the operation ${op}`);
  }
  if (current !== spec.output) throw new Unmapped('a chain that does not end at the output');
  if (value.kind !== 'flat' || value.size !== spec.classes) throw new Unmapped('an output of another size');
  if (spec.outputKind === 'probabilities' && graph.node.at(-1)?.opType !== 'Softmax')
    throw new Unmapped('probabilities not from a Softmax');
  withActivation(steps, 'softmax');
  return steps;
}

/**
 * Folds the input's scale and normalisation, x' = a_c·x + b_c per channel, into the first
 * layer: exact for a 'valid' convolution (every input it reads is a pixel), refused otherwise
 * (a padded border would be the normalised 0, not the pixel 0).
 */
function foldInput(steps: Step[], spec: OnnxSpec): void {
  const [low, high] = spec.scale;
  const a = spec.std.map((s) => (high - low) / s);
  const b = spec.mean.map((m, c) => (low - m) / spec.std[c]);
  if (a.every((v) => v === 1) && b.every((v) => v === 0)) return;
  const first = steps[0];
  if (first?.type !== 'conv2d' || first.padding !== 'valid')
    throw new Unmapped('a scaled or normalised input before a layer other than a valid convolution');
  const { kernel, kernelShape, bias } = first.weights;
  const [kh, kw, channels, out] = kernelShape;
  for (let y = 0; y < kh; y++)
    for (let x = 0; x < kw; x++)
      for (let c = 0; c < channels; c++)
        for (let o = 0; o < out; o++) {
          const at = ((y * kw + x) * channels + c) * out + o;
          bias[o] += kernel[at] * b[c];
          kernel[at] *= a[c];
        }
}

/**
 * The graph as a tfjs Sequential model ending in softmax, or why it cannot be: `reason` names
 * the first node or setting the fused network does not cover.
 */
export function sequentialModel(
  graph: OnnxGraph,
  spec: OnnxSpec,
  shape: ImageShape,
): { model: tf.LayersModel } | { reason: string } {
  let steps: Step[];
  try {
    steps = stepsOf(graph, spec, shape);
    foldInput(steps, spec);
  } catch (error) {
    if (error instanceof Unmapped) return { reason: error.message };
    throw error;
  }
  const model = tf.sequential();
  for (const [i, step] of steps.entries()) {
    const layer = layerOf(step, i === 0 ? { inputShape: [shape.rows, shape.cols, shape.channels] } : {});
    model.add(layer);
    if ('weights' in step)
      tf.tidy(() =>
        layer.setWeights([
          tf.tensor(step.weights.kernel, step.weights.kernelShape),
          tf.tensor1d(step.weights.bias),
        ]),
      );
  }
  return { model };
}

/** `extra` carries the input shape of the first layer (no InputLayer: the fused network takes the model's layers as they come). */
function layerOf(step: Step, extra: { inputShape?: number[] }): tf.layers.Layer {
  switch (step.type) {
    case 'conv2d': {
      const { kernelSize, strides, padding, activation } = step;
      const filters = step.weights.kernelShape[3];
      return tf.layers.conv2d({
        ...extra,
        filters,
        kernelSize,
        strides,
        padding,
        activation: activation as 'relu',
      });
    }
    case 'dense':
      return tf.layers.dense({
        ...extra,
        units: step.weights.kernelShape[1],
        activation: step.activation as 'relu',
      });
    case 'maxPooling2d':
      return tf.layers.maxPooling2d({
        poolSize: step.poolSize as [number, number],
        strides: step.strides as [number, number],
      });
    case 'averagePooling2d':
      return tf.layers.averagePooling2d({
        poolSize: step.poolSize as [number, number],
        strides: step.strides as [number, number],
      });
    case 'flatten':
      return tf.layers.flatten(extra);
    case 'activation':
      return tf.layers.activation({ ...extra, activation: step.activation as 'relu' });
  }
}
