// MaxPool's gradient on the wasm backend, replacing the shipped kernel (a slow generic loop):
// each output's gradient goes to the first position holding its window's maximum, as the cpu
// backend does.
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { heap } from './wasm-kernel-utils';

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
  const {
    batchSize,
    inHeight,
    inWidth,
    inChannels: channels,
    outHeight,
    outWidth,
    filterHeight,
    filterWidth,
    strideHeight,
    strideWidth,
  } = info;
  // Views of the heap are taken after the allocation, which may grow (and so move) it.
  const dx = backend.makeOutput(input.shape, 'float32');
  const xs = heap(backend, input);
  const dys = heap(backend, dy);
  const grads = heap(backend, dx);
  grads.fill(0);
  for (let b = 0; b < batchSize; b++) {
    for (let oh = 0; oh < outHeight; oh++) {
      const h0 = oh * strideHeight - info.padInfo.top;
      for (let ow = 0; ow < outWidth; ow++) {
        const w0 = ow * strideWidth - info.padInfo.left;
        const dyBase = ((b * outHeight + oh) * outWidth + ow) * channels;
        for (let c = 0; c < channels; c++) {
          let best = -Infinity;
          let at = -1;
          for (let fh = 0; fh < filterHeight; fh++) {
            const h = h0 + fh;
            if (h < 0 || h >= inHeight) continue;
            for (let fw = 0; fw < filterWidth; fw++) {
              const w = w0 + fw;
              if (w < 0 || w >= inWidth) continue;
              const offset = ((b * inHeight + h) * inWidth + w) * channels + c;
              if (xs[offset] > best) {
                best = xs[offset];
                at = offset;
              }
            }
          }
          if (at >= 0) grads[at] += dys[dyBase + c];
        }
      }
    }
  }
  return dx;
}
