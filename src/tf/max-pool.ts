// MaxPool and its gradient on the wasm backend, replacing the shipped kernels (the gradient is a
// slow generic loop there) by one SIMD kernel (assembly/kernels.ts). The gradient goes to the
// first cell holding its window's maximum, as the cpu backend does.
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { address, simdKernels } from './simd-module';
import { poolGeometry } from './wasm-kernel-utils';

type PoolAttrs = Pick<tf.MaxPoolAttrs, 'filterSize' | 'strides' | 'pad' | 'dimRoundingMode'>;

function poolInfo(shape: number[], { filterSize, strides, pad, dimRoundingMode }: PoolAttrs) {
  return tf.backend_util.computePool2DInfo(shape as never, filterSize, strides, 1, pad, dimRoundingMode);
}

export function maxPool({
  inputs,
  backend,
  attrs,
}: {
  inputs: tf.NamedTensorInfoMap;
  backend: BackendWasm;
  attrs: tf.MaxPoolAttrs;
}): tf.TensorInfo {
  const { x } = inputs as { x: tf.TensorInfo };
  const info = poolInfo(x.shape, attrs);
  const y = backend.makeOutput(info.outShape, 'float32');
  simdKernels(backend).maxPool(address(backend, x), address(backend, y), 0, ...poolGeometry(info));
  return y;
}

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
  const info = poolInfo(input.shape, attrs);
  const dx = backend.makeOutput(input.shape, 'float32');
  simdKernels(backend).maxPool(
    address(backend, input),
    address(backend, dx),
    address(backend, dy),
    ...poolGeometry(info),
  );
  return dx;
}
