// Incremental occlusion (after Krypton, SIGMOD 2019): a patch changes only a window of each
// layer's input, so each occluded copy recomputes just that window of each convolution and
// pooling layer, on top of the clean image's activations, with the SIMD window kernels of
// assembly/kernels.ts. After each layer the window shrinks to the cells whose values really
// changed (ReLU and max pooling often absorb a patch); a copy whose change dies out gets the
// clean image's probabilities. The layers from the first one that mixes all positions
// (flatten, dense, global pooling, ...) run on tfjs, batched over the copies.
// Supported as leading layers: Conv2D (ReLU or no activation, any strides, padding, dilation),
// MaxPooling2D, AveragePooling2D without padding, Dropout; other models (or other backends)
// return null and are predicted whole.
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { address, simdKernels, type SimdKernels } from '../tf/simd-module';

interface Shape3 {
  h: number;
  w: number;
  c: number;
}

interface Geometry {
  fh: number;
  fw: number;
  sh: number;
  sw: number;
  dh: number;
  dw: number;
  padTop: number;
  padLeft: number;
}

type Step =
  | ({ kind: 'conv'; layer: tf.layers.Layer; relu: number; in: Shape3; out: Shape3 } & Geometry)
  | ({ kind: 'pool'; average: number; in: Shape3; out: Shape3 } & Geometry);

interface Plan {
  steps: Step[];
  tail: tf.layers.Layer[];
}

const pair = (v: number | number[] | undefined, fallback: number): [number, number] =>
  v === undefined ? [fallback, fallback] : Array.isArray(v) ? [v[0], v[1] ?? v[0]] : [v, v];

function spatialStep(layer: tf.layers.Layer, shape: Shape3): Step | null | 'skip' {
  const config = layer.getConfig() as Record<string, unknown>;
  const className = layer.getClassName();
  if (className === 'Dropout') return 'skip';
  if (config.dataFormat !== undefined && config.dataFormat !== 'channelsLast') return null;
  const inShape: [number, number, number, number] = [1, shape.h, shape.w, shape.c];
  if (className === 'Conv2D') {
    const activation = config.activation;
    if (activation !== 'relu' && activation !== 'linear') return null;
    const [kh, kw] = pair(config.kernelSize as number | number[], 1);
    const filters = config.filters as number;
    const info = tf.backend_util.computeConv2DInfo(
      inShape,
      [kh, kw, shape.c, filters],
      pair(config.strides as number | number[], 1),
      pair(config.dilationRate as number | number[], 1),
      config.padding as 'valid' | 'same',
      undefined,
      false,
      'channelsLast',
    );
    return {
      kind: 'conv',
      layer,
      relu: activation === 'relu' ? 1 : 0,
      in: shape,
      out: { h: info.outHeight, w: info.outWidth, c: filters },
      ...geometry(info),
    };
  }
  if (className === 'MaxPooling2D' || className === 'AveragePooling2D') {
    const poolSize = pair(config.poolSize as number | number[], 2);
    const info = tf.backend_util.computePool2DInfo(
      inShape,
      poolSize,
      pair((config.strides as number | number[] | null) ?? poolSize, 1),
      1,
      config.padding as 'valid' | 'same',
    );
    const average = className === 'AveragePooling2D' ? 1 : 0;
    if (average && (info.padInfo.top || info.padInfo.left || info.padInfo.bottom || info.padInfo.right))
      return null; // the backends divide a padded window's sum differently
    return {
      kind: 'pool',
      average,
      in: shape,
      out: { h: info.outHeight, w: info.outWidth, c: shape.c },
      ...geometry(info),
    };
  }
  return null;
}

function geometry(info: tf.backend_util.Conv2DInfo): Geometry {
  return {
    fh: info.filterHeight,
    fw: info.filterWidth,
    sh: info.strideHeight,
    sw: info.strideWidth,
    dh: info.dilationHeight,
    dw: info.dilationWidth,
    padTop: info.padInfo.top,
    padLeft: info.padInfo.left,
  };
}

const plans = new WeakMap<tf.LayersModel, Plan | null>();

/** The model's leading spatial layers as window steps, and the layers after them; null if none. */
function planOf(model: tf.LayersModel): Plan | null {
  if (plans.has(model)) return plans.get(model)!;
  const input = model.inputs[0].shape;
  let shape: Shape3 = { h: input[1]!, w: input[2]!, c: input[3]! };
  const steps: Step[] = [];
  let at = 0;
  for (; at < model.layers.length; at++) {
    const step = spatialStep(model.layers[at], shape);
    if (step === 'skip') continue;
    if (!step) break;
    steps.push(step);
    shape = step.out;
  }
  // Dropout layers just before the tail are part of it (identity when predicting).
  while (at > 0 && model.layers[at - 1].getClassName() === 'Dropout') at--;
  const plan = steps.length ? { steps, tail: model.layers.slice(at) } : null;
  plans.set(model, plan);
  return plan;
}

/** Into out[at], out[at + 1] (half-open): the output cells of one axis whose window reaches input cells [a, b), clipped to [0, count). */
function reach(
  out: Int32Array,
  at: number,
  a: number,
  b: number,
  f: number,
  s: number,
  d: number,
  pad: number,
  count: number,
): void {
  out[at] = Math.max(0, Math.ceil((a + pad - (f - 1) * d) / s));
  out[at + 1] = Math.min(count - 1, Math.floor((b - 1 + pad) / s)) + 1;
}

/** Writes to `y` the step's output at rows [r0, r1) × columns [c0, c1), computed from `x` (byte addresses). */
type WindowRun = (x: number, y: number, r0: number, r1: number, c0: number, c1: number) => void;

function windowRun(backend: BackendWasm, kernels: SimdKernels, s: Step): WindowRun {
  if (s.kind === 'pool') {
    return (x, y, r0, r1, c0, c1) =>
      kernels.poolWindow(
        x,
        y,
        s.in.h,
        s.in.w,
        s.in.c,
        s.out.w,
        s.fh,
        s.fw,
        s.sh,
        s.sw,
        s.padTop,
        s.padLeft,
        r0,
        r1,
        c0,
        c1,
        s.average,
      );
  }
  const [kernel, bias] = s.layer.getWeights();
  const w = address(backend, kernel);
  const b = bias ? address(backend, bias) : 0;
  return (x, y, r0, r1, c0, c1) =>
    kernels.convWindow(
      x,
      w,
      b,
      y,
      s.in.h,
      s.in.w,
      s.in.c,
      s.out.w,
      s.out.c,
      s.fh,
      s.fw,
      s.sh,
      s.sw,
      s.dh,
      s.dw,
      s.padTop,
      s.padLeft,
      r0,
      r1,
      c0,
      c1,
      s.relu,
    );
}

export interface Occlusion {
  /** Top-left pixel of the patch and its size in rows and columns. */
  row: number;
  col: number;
  rows: number;
  cols: number;
}

/**
 * Class probabilities of the image [h, w, c] and of its copies with each patch set to `fill`:
 * row 0 the clean image, row i + 1 patch i. Null when the backend is not wasm or the model does
 * not start with layers this method supports (predict the copies whole then).
 */
// biome-ignore lint/complexity/noExcessiveLinesPerFunction: the hot loop over patches shares heap views and addresses valid only after the last allocation; split, every piece would take them all again
export function predictIncrementally(
  model: tf.LayersModel,
  image: Float32Array,
  patches: Occlusion[],
  fill: number,
): Float32Array | null {
  if (tf.getBackend() !== 'wasm') return null;
  const plan = planOf(model);
  if (!plan) return null;
  const backend = tf.backend() as BackendWasm;
  const kernels = simdKernels(backend);
  const shapes = [plan.steps[0].in, ...plan.steps.map((s) => s.out)];
  const sizes = shapes.map((s) => s.h * s.w * s.c);
  const cleanInfo = sizes.map((n) => backend.makeOutput([n], 'float32'));
  const workInfo = sizes.map((n) => backend.makeOutput([n], 'float32'));
  const boxInfo = backend.makeOutput([4], 'int32');
  try {
    // Heap views and addresses after every allocation (one may grow the heap and detach older
    // views); nothing is allocated on the heap again until the tail.
    const clean = cleanInfo.map((t) => backend.typedArrayFromHeap(t) as Float32Array);
    const work = workInfo.map((t) => backend.typedArrayFromHeap(t) as Float32Array);
    const cleanAt = cleanInfo.map((t) => address(backend, t));
    const workAt = workInfo.map((t) => address(backend, t));
    const boxAt = address(backend, boxInfo);
    const box = backend.typedArrayFromHeap(boxInfo) as Int32Array;
    const runs = plan.steps.map((s) => windowRun(backend, kernels, s));
    clean[0].set(image);
    work[0].set(image);
    for (let l = 0; l < plan.steps.length; l++) {
      const out = shapes[l + 1];
      runs[l](cleanAt[l], cleanAt[l + 1], 0, out.h, 0, out.w);
      work[l + 1].set(clean[l + 1]);
    }
    const finalSize = sizes[sizes.length - 1];
    const finals = new Float32Array((patches.length + 1) * finalSize);
    finals.set(clean[clean.length - 1]);
    /** Row of `finals` for each patch: 0 (the clean row) when its change dies out. */
    const rowOf = new Int32Array(patches.length);
    let rows = 1;
    const input = shapes[0];
    /** The box each layer's work copy was written in, to restore from the clean copy: r0, r1, c0, c1. */
    const dirty = new Int32Array(4 * shapes.length);
    const restore = (layers: number) => {
      for (let l = 0; l < layers; l++) {
        const d = 4 * l;
        kernels.copyBox(
          cleanAt[l],
          workAt[l],
          shapes[l].w,
          shapes[l].c,
          dirty[d],
          dirty[d + 1],
          dirty[d + 2],
          dirty[d + 3],
        );
      }
    };
    patches.forEach((patch, i) => {
      const r0 = patch.row;
      const c0 = patch.col;
      const r1 = r0 + patch.rows;
      const c1 = c0 + patch.cols;
      for (let r = r0; r < r1; r++)
        work[0].fill(fill, (r * input.w + c0) * input.c, (r * input.w + c1) * input.c);
      dirty[0] = r0;
      dirty[1] = r1;
      dirty[2] = c0;
      dirty[3] = c1;
      let layers = 1;
      let changed = kernels.changedBox(workAt[0], cleanAt[0], input.w, input.c, r0, r1, c0, c1, boxAt) === 1;
      for (let l = 0; l < plan.steps.length && changed; l++) {
        const s = plan.steps[l];
        // The output window the changed input box reaches, written straight into its dirty slot.
        const d = 4 * (l + 1);
        reach(dirty, d, box[0], box[1], s.fh, s.sh, s.dh, s.padTop, s.out.h);
        reach(dirty, d + 2, box[2], box[3], s.fw, s.sw, s.dw, s.padLeft, s.out.w);
        const or0 = dirty[d];
        const or1 = dirty[d + 1];
        const oc0 = dirty[d + 2];
        const oc1 = dirty[d + 3];
        if (or0 >= or1 || oc0 >= oc1) {
          changed = false;
          break;
        }
        runs[l](workAt[l], workAt[l + 1], or0, or1, oc0, oc1);
        layers++;
        changed =
          kernels.changedBox(workAt[l + 1], cleanAt[l + 1], s.out.w, s.out.c, or0, or1, oc0, oc1, boxAt) ===
          1;
      }
      if (changed) {
        finals.set(work[work.length - 1], rows * finalSize);
        rowOf[i] = rows++;
      }
      restore(layers);
    });
    const probs = tailProbabilities(
      plan,
      finals.subarray(0, rows * finalSize),
      rows,
      shapes[shapes.length - 1],
    );
    const classes = probs.length / rows;
    const out = new Float32Array((patches.length + 1) * classes);
    out.set(probs.subarray(0, classes));
    rowOf.forEach((row, i) => out.set(probs.subarray(row * classes, (row + 1) * classes), (i + 1) * classes));
    return out;
  } finally {
    for (const t of [...cleanInfo, ...workInfo, boxInfo]) backend.disposeData(t.dataId);
  }
}

/** The layers after the window steps, on tfjs, over all final activations at once. */
function tailProbabilities(plan: Plan, finals: Float32Array, rows: number, shape: Shape3): Float32Array {
  const probs = tf.tidy(() => {
    let h: tf.Tensor = tf.tensor4d(finals, [rows, shape.h, shape.w, shape.c]);
    for (const layer of plan.tail) h = layer.apply(h) as tf.Tensor;
    return h;
  });
  try {
    return probs.dataSync() as Float32Array;
  } finally {
    probs.dispose();
  }
}
