// Helpers for the kernels we add to the wasm backend.
import type * as tf from '@tensorflow/tfjs';

export type Conv2DInfo = tf.backend_util.Conv2DInfo;

/** The geometry arguments of the SIMD convolution kernels, in their order. */
export function convGeometry(info: Conv2DInfo): number[] {
  return [
    info.batchSize,
    info.inHeight,
    info.inWidth,
    info.inChannels,
    info.outHeight,
    info.outWidth,
    info.outChannels,
    info.filterHeight,
    info.filterWidth,
    info.strideHeight,
    info.strideWidth,
    info.dilationHeight,
    info.dilationWidth,
    info.padInfo.top,
    info.padInfo.left,
  ];
}

/** The geometry arguments of the SIMD pooling kernel, in its order. */
export function poolGeometry(info: Conv2DInfo): number[] {
  return [
    info.batchSize,
    info.inHeight,
    info.inWidth,
    info.inChannels,
    info.outHeight,
    info.outWidth,
    info.filterHeight,
    info.filterWidth,
    info.strideHeight,
    info.strideWidth,
    info.padInfo.top,
    info.padInfo.left,
  ];
}
