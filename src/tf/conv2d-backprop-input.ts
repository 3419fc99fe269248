// Conv2D's gradient with respect to its input on the wasm backend, replacing the shipped
// kernel (a plain loop, the slowest step of training there):
// patch gradients [B·oh·ow, kh·kw·Ci] = dy [B·oh·ow, Co] × Wᵀ [Co, kh·kw·Ci] on the backend's
// matmul, then summed back into image positions (col2im).
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { asShape, col2imAdd, heap, runWasmKernel } from './wasm-kernel-utils';

export function conv2DBackpropInput({
  inputs,
  backend,
  attrs,
}: {
  inputs: tf.NamedTensorInfoMap;
  backend: BackendWasm;
  attrs: tf.Conv2DBackpropInputAttrs;
}): tf.TensorInfo {
  const { dy, filter } = inputs as { dy: tf.TensorInfo; filter: tf.TensorInfo };
  const { strides, pad, dataFormat, dimRoundingMode, inputShape } = attrs;
  if (dataFormat !== 'NHWC')
    throw new Error(`Conv2DBackpropInput on wasm supports only NHWC, got ${dataFormat}`);
  const info = tf.backend_util.computeConv2DInfo(
    inputShape,
    filter.shape as never,
    strides,
    1,
    pad,
    dimRoundingMode,
    false,
    'channelsLast',
  );
  const rows = info.batchSize * info.outHeight * info.outWidth;
  const columns = info.filterHeight * info.filterWidth * info.inChannels;
  // Wᵀ transposed here (it is small): the wasm matmul is several times slower transposing itself.
  const filterT = backend.makeOutput([1, info.outChannels, columns], 'float32');
  const w = heap(backend, filter);
  const wT = heap(backend, filterT);
  for (let k = 0; k < columns; k++)
    for (let o = 0; o < info.outChannels; o++) wT[o * columns + k] = w[k * info.outChannels + o];
  const patchGrads = runWasmKernel(
    'BatchMatMul',
    backend,
    { a: asShape(dy, [1, rows, info.outChannels]), b: filterT },
    { transposeA: false, transposeB: false },
  );
  backend.disposeData(filterT.dataId);
  const dx = backend.makeOutput(inputShape, 'float32');
  col2imAdd(heap(backend, patchGrads), info, heap(backend, dx));
  backend.disposeData(patchGrads.dataId);
  return dx;
}
