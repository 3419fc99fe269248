// Conv2D's gradient with respect to its filter on the wasm backend, which does not ship it
// ("Kernel 'Conv2DBackpropFilter' not registered for backend 'wasm'"): a direct SIMD kernel
// (assembly/kernels.ts) for any stride, padding and dilation.
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { address, simdKernels } from './simd-module';
import { convGeometry } from './wasm-kernel-utils';

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
  const dW = backend.makeOutput(filterShape, 'float32');
  simdKernels(backend).conv2dFilterGrad(
    address(backend, x),
    address(backend, dy),
    address(backend, dW),
    ...convGeometry(info),
  );
  return dW;
}
