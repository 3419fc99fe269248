// Conv2D's gradient with respect to its input on the wasm backend, replacing the shipped kernel
// (a plain loop, the slowest step of training there): a direct SIMD kernel (assembly/kernels.ts)
// that gathers each input cell's gradient, for any stride, padding and dilation.
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { address, simdKernels } from './simd-module';
import { convGeometry } from './wasm-kernel-utils';

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
  // The filter [kh, kw, ci, co] transposed to [kh, kw, co, ci] (it is small), so the kernel reads
  // the input channels it vectorises over contiguously.
  const { filterHeight, filterWidth, inChannels, outChannels } = info;
  const filterT = backend.makeOutput([filterHeight, filterWidth, outChannels, inChannels], 'float32');
  const dx = backend.makeOutput(inputShape, 'float32');
  const kernels = simdKernels(backend);
  kernels.transposeFilter(
    address(backend, filter),
    address(backend, filterT),
    filterHeight * filterWidth,
    inChannels,
    outChannels,
    0,
  );
  kernels.conv2dInputGrad(
    address(backend, dy),
    address(backend, filterT),
    address(backend, dx),
    ...convGeometry(info),
  );
  backend.disposeData(filterT.dataId);
  return dx;
}
