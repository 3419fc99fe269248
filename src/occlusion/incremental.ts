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
import { address, simdKernels } from '../tf/simd-module';

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

/** Half-open box of rows [r0, r1) and columns [c0, c1). */
interface Box {
  r0: number;
  r1: number;
  c0: number;
  c1: number;
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

/** Output cells of one axis whose window reaches input cells [a, b), clipped to [0, count). */
function reach(
  a: number,
  b: number,
  f: number,
  s: number,
  d: number,
  pad: number,
  count: number,
): [number, number] {
  const first = Math.max(0, Math.ceil((a + pad - (f - 1) * d) / s));
  const last = Math.min(count - 1, Math.floor((b - 1 + pad) / s));
  return [first, last + 1];
}

/** The part of `box` where `work` differs from `clean` (shape h × w × c), or null where nothing does. */
function changedPart(work: Float32Array, clean: Float32Array, shape: Shape3, box: Box): Box | null {
  let r0 = Number.POSITIVE_INFINITY;
  let r1 = -1;
  let c0 = Number.POSITIVE_INFINITY;
  let c1 = -1;
  for (let r = box.r0; r < box.r1; r++) {
    for (let c = box.c0; c < box.c1; c++) {
      const at = (r * shape.w + c) * shape.c;
      for (let k = 0; k < shape.c; k++) {
        if (work[at + k] !== clean[at + k]) {
          if (r < r0) r0 = r;
          r1 = r;
          if (c < c0) c0 = c;
          if (c > c1) c1 = c;
          break;
        }
      }
    }
  }
  return r1 < 0 ? null : { r0, r1: r1 + 1, c0, c1: c1 + 1 };
}

/** Copies `from` into `to` over the box (both h × w × c). */
function copyBox(from: Float32Array, to: Float32Array, shape: Shape3, box: Box): void {
  for (let r = box.r0; r < box.r1; r++) {
    const start = (r * shape.w + box.c0) * shape.c;
    const end = (r * shape.w + box.c1) * shape.c;
    to.set(from.subarray(start, end), start);
  }
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
  try {
    const weights = plan.steps.map((s) => (s.kind === 'conv' ? s.layer.getWeights() : []));
    // Heap views after every allocation (an allocation may grow the heap and detach older views).
    const views = (infos: tf.TensorInfo[]) => infos.map((t) => backend.typedArrayFromHeap(t) as Float32Array);
    const clean = views(cleanInfo);
    const work = views(workInfo);
    const run = (l: number, from: tf.TensorInfo, to: tf.TensorInfo, box: Box) => {
      const s = plan.steps[l];
      const args = [s.in.h, s.in.w, s.in.c, s.out.w] as const;
      if (s.kind === 'conv') {
        const [kernel, bias] = weights[l];
        kernels.convWindow(
          address(backend, from),
          address(backend, kernel),
          bias ? address(backend, bias) : 0,
          address(backend, to),
          ...args,
          s.out.c,
          s.fh,
          s.fw,
          s.sh,
          s.sw,
          s.dh,
          s.dw,
          s.padTop,
          s.padLeft,
          box.r0,
          box.r1,
          box.c0,
          box.c1,
          s.relu,
        );
      } else {
        kernels.poolWindow(
          address(backend, from),
          address(backend, to),
          ...args,
          s.fh,
          s.fw,
          s.sh,
          s.sw,
          s.padTop,
          s.padLeft,
          box.r0,
          box.r1,
          box.c0,
          box.c1,
          s.average,
        );
      }
    };
    clean[0].set(image);
    work[0].set(image);
    for (let l = 0; l < plan.steps.length; l++) {
      const out = shapes[l + 1];
      run(l, cleanInfo[l], cleanInfo[l + 1], { r0: 0, r1: out.h, c0: 0, c1: out.w });
      work[l + 1].set(clean[l + 1]);
    }
    const finalSize = sizes[sizes.length - 1];
    const finals = new Float32Array((patches.length + 1) * finalSize);
    finals.set(clean[clean.length - 1]);
    /** Row of `finals` for each patch: 0 (the clean row) when its change dies out. */
    const rowOf = new Int32Array(patches.length);
    let rows = 1;
    const input = shapes[0];
    patches.forEach((patch, i) => {
      const dirty: Box[] = [];
      const patchBox = {
        r0: patch.row,
        r1: patch.row + patch.rows,
        c0: patch.col,
        c1: patch.col + patch.cols,
      };
      for (let r = patchBox.r0; r < patchBox.r1; r++)
        work[0].fill(fill, (r * input.w + patchBox.c0) * input.c, (r * input.w + patchBox.c1) * input.c);
      dirty.push(patchBox);
      let changed = changedPart(work[0], clean[0], input, patchBox);
      for (let l = 0; l < plan.steps.length && changed; l++) {
        const s = plan.steps[l];
        const [r0, r1] = reach(changed.r0, changed.r1, s.fh, s.sh, s.dh, s.padTop, s.out.h);
        const [c0, c1] = reach(changed.c0, changed.c1, s.fw, s.sw, s.dw, s.padLeft, s.out.w);
        if (r0 >= r1 || c0 >= c1) {
          changed = null;
          break;
        }
        const box = { r0, r1, c0, c1 };
        run(l, workInfo[l], workInfo[l + 1], box);
        dirty.push(box);
        changed = changedPart(work[l + 1], clean[l + 1], s.out, box);
      }
      if (changed) {
        finals.set(work[work.length - 1], rows * finalSize);
        rowOf[i] = rows++;
      }
      dirty.forEach((box, l) => copyBox(clean[l], work[l], shapes[l], box));
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
    for (const t of [...cleanInfo, ...workInfo]) backend.disposeData(t.dataId);
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
