// An ONNX model run by onnxruntime-web (WebAssembly, one thread, inside the worker thread that
// runs the job; its .wasm file is found in node_modules, nothing is fetched). The classifier
// takes probelab's pixels (channels last, 0..1), converts them to what the model takes (its
// layout, scale and per-channel normalisation) and returns softmax probabilities.
import type * as Ort from 'onnxruntime-web';
import { softmax } from '../tf/fused-network';
import type { Classifier, ImageShape } from './classifier';
import { OnnxFileError, type OnnxSpec } from './onnx-file';

/** Images per run: the activations of 256 small-CNN images stay a few MB. */
export const ONNX_BATCH = 256;

function runtime(): typeof Ort {
  const ort = require('onnxruntime-web') as typeof Ort;
  // Its multi-threaded mode would start web workers of its own: one thread per pool worker instead.
  ort.env.wasm.numThreads = 1;
  ort.env.logLevel = 'error';
  return ort;
}

/** Pixels of `count` images (channels last, 0..1) as the model's input values, in its layout. */
export function modelInput(
  pixels: Float32Array,
  count: number,
  shape: ImageShape,
  spec: OnnxSpec,
): Float32Array {
  const { rows, cols, channels } = shape;
  const plane = rows * cols;
  const [low, high] = spec.scale;
  const a = spec.std.map((s) => (high - low) / s);
  const b = spec.mean.map((m, c) => (low - m) / spec.std[c]);
  const out = new Float32Array(count * plane * channels);
  for (let n = 0; n < count; n++) {
    const from = n * plane * channels;
    for (let p = 0; p < plane; p++)
      for (let c = 0; c < channels; c++) {
        const at = spec.layout === 'NCHW' ? from + c * plane + p : from + p * channels + c;
        out[at] = a[c] * pixels[from + p * channels + c] + b[c];
      }
  }
  return out;
}

/** The model's outputs of `count` images as probabilities, count × classes. */
function toProbabilities(
  values: Float32Array,
  count: number,
  spec: OnnxSpec,
  out: Float32Array,
  at: number,
): void {
  const { classes } = spec;
  if (spec.outputKind === 'probabilities') {
    out.set(values, at * classes);
    return;
  }
  const p = new Float64Array(classes);
  for (let n = 0; n < count; n++) {
    if (spec.outputKind === 'logits') softmax(values, n * classes, classes, p);
    else for (let j = 0; j < classes; j++) p[j] = Math.exp(values[n * classes + j]);
    out.set(p, (at + n) * classes);
  }
}

/** A classifier over onnxruntime-web; `file` names the model in every error. */
export async function onnxRuntimeClassifier(
  file: string,
  bytes: Uint8Array,
  spec: OnnxSpec,
  shape: ImageShape,
): Promise<Classifier> {
  const ort = runtime();
  let session: Ort.InferenceSession;
  try {
    session = await ort.InferenceSession.create(bytes, { executionProviders: ['wasm'] });
  } catch (error) {
    throw new OnnxFileError(`${file}: onnxruntime-web cannot load the model (${(error as Error).message})`);
  }
  const dims = (n: number) =>
    spec.layout === 'NCHW'
      ? [n, shape.channels, shape.rows, shape.cols]
      : [n, shape.rows, shape.cols, shape.channels];
  const values = shape.rows * shape.cols * shape.channels;
  return {
    classes: spec.classes,
    input: shape,
    async probabilities(pixels, count) {
      const out = new Float32Array(count * spec.classes);
      for (let start = 0; start < count; start += ONNX_BATCH) {
        const n = Math.min(ONNX_BATCH, count - start);
        const x = modelInput(pixels.subarray(start * values, (start + n) * values), n, shape, spec);
        const result = await session.run({ [spec.input]: new ort.Tensor('float32', x, dims(n)) });
        const y = result[spec.output];
        if (y.data.length !== n * spec.classes)
          throw new OnnxFileError(
            `${file}: output "${spec.output}" gave ${y.data.length} values (shape [${y.dims.join(', ')}]) for ${n} images; expected ${n} × ${spec.classes} classes`,
          );
        toProbabilities(y.data as Float32Array, n, spec, out, start);
        y.dispose();
      }
      return out;
    },
  };
}
