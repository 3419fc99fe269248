// MaxPool's gradient on the wasm backend, replacing the shipped kernel (a slow generic loop) by a
// SIMD kernel (assembly/kernels.ts). The gradient goes to the first cell holding its window's
// maximum, as the cpu backend does. (The shipped MaxPool itself is as fast as ours: kept.)
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { address, simdKernels } from './simd-module';
import { poolGeometry } from './wasm-kernel-utils';

export function maxPoolGrad({
  inputs,
  backend,
  attrs,
}: {
  inputs: tf.NamedTensorInfoMap;
  backend: BackendWasm;
  attrs: tf.MaxPoolGradAttrs;
}): tf.TensorInfo {
  const { dy, input } = inputs as { dy: tf.TensorInfo; input: tf.TensorInfo };
  const { filterSize, strides, pad, dimRoundingMode } = attrs;
  const info = tf.backend_util.computePool2DInfo(
    input.shape as never,
    filterSize,
    strides,
    1,
    pad,
    dimRoundingMode,
  );
  const dx = backend.makeOutput(input.shape, 'float32');
  simdKernels(backend).maxPoolGrad(
    address(backend, input),
    address(backend, dx),
    address(backend, dy),
    ...poolGeometry(info),
  );
  return dx;
}
