// Conv2D's gradient with respect to its filter on the wasm backend, which does not ship it
// ("Kernel 'Conv2DBackpropFilter' not registered for backend 'wasm'").
// dW [kh·kw·Ci, Co] = patchesᵀ [kh·kw·Ci, B·oh·ow] × dy [B·oh·ow, Co]: one matmul on the backend.
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { asShape, heap, im2colTransposed, runWasmKernel } from './wasm-kernel-utils';

export function conv2DBackpropFilter({
  inputs,
  backend,
  attrs,
}: {
  inputs: tf.NamedTensorInfoMap;
  backend: BackendWasm;
  attrs: tf.Conv2DBackpropFilterAttrs;
}): tf.TensorInfo {
  const { x, dy } = inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } = attrs;
  if (dataFormat !== 'NHWC')
    throw new Error(`Conv2DBackpropFilter on wasm supports only NHWC, got ${dataFormat}`);
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as never,
    filterShape,
    strides,
    1,
    pad,
    dimRoundingMode,
    false,
    'channelsLast',
  );
  const rows = info.batchSize * info.outHeight * info.outWidth;
  const columns = info.filterHeight * info.filterWidth * info.inChannels;
  const patches = backend.makeOutput([1, columns, rows], 'float32');
  im2colTransposed(heap(backend, x), info, heap(backend, patches));
  const product = runWasmKernel(
    'BatchMatMul',
    backend,
    { a: patches, b: asShape(dy, [1, rows, info.outChannels]) },
    { transposeA: false, transposeB: false },
  );
  const dW = backend.makeOutput(filterShape, 'float32');
  heap(backend, dW).set(heap(backend, product));
  backend.disposeData(patches.dataId);
  backend.disposeData(product.dataId);
  return dW;
}
