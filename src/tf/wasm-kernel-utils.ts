// Helpers for the training kernels we add to the wasm backend: running its own kernels from
// inside ours, and unfolding images into patch rows (im2col) so a convolution's gradients
// become single matrix products on the backend's fast matmul.
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

export type Conv2DInfo = tf.backend_util.Conv2DInfo;

export function runWasmKernel(
  name: string,
  backend: BackendWasm,
  inputs: tf.NamedTensorInfoMap,
  attrs: object,
): tf.TensorInfo {
  const kernel = tf.getKernel(name, 'wasm');
  if (!kernel) throw new Error(`the wasm backend has no ${name} kernel`);
  return kernel.kernelFunc({ inputs, backend, attrs: attrs as tf.NamedAttrMap }) as tf.TensorInfo;
}

/** The same data seen with another shape (no copy; the backend only reads the shape). */
export function asShape(t: tf.TensorInfo, shape: number[]): tf.TensorInfo {
  return { dataId: t.dataId, shape, dtype: t.dtype };
}

export function heap(backend: BackendWasm, t: tf.TensorInfo): Float32Array {
  return backend.typedArrayFromHeap(t) as Float32Array;
}

const offsetTables = new Map<string, Int32Array>();

/**
 * For one image: the input offset (NHWC, first channel) of every patch cell, in patch-matrix order
 * (output position (oh, ow), then filter position (kh, kw)), or −1 where the cell is in the padding.
 * Cached per geometry: training asks for the same few shapes thousands of times.
 */
function patchOffsets(info: Conv2DInfo): Int32Array {
  const key = [
    info.inHeight,
    info.inWidth,
    info.inChannels,
    info.filterHeight,
    info.filterWidth,
    info.strideHeight,
    info.strideWidth,
    info.dilationHeight,
    info.dilationWidth,
    info.padInfo.top,
    info.padInfo.left,
    info.outHeight,
    info.outWidth,
  ].join(',');
  let table = offsetTables.get(key);
  if (table) return table;
  const { inHeight, inWidth, inChannels, outHeight, outWidth, filterHeight, filterWidth } = info;
  table = new Int32Array(outHeight * outWidth * filterHeight * filterWidth);
  let at = 0;
  for (let oh = 0; oh < outHeight; oh++) {
    for (let ow = 0; ow < outWidth; ow++) {
      for (let kh = 0; kh < filterHeight; kh++) {
        const ih = oh * info.strideHeight + kh * info.dilationHeight - info.padInfo.top;
        for (let kw = 0; kw < filterWidth; kw++) {
          const iw = ow * info.strideWidth + kw * info.dilationWidth - info.padInfo.left;
          table[at++] =
            ih < 0 || ih >= inHeight || iw < 0 || iw >= inWidth ? -1 : (ih * inWidth + iw) * inChannels;
        }
      }
    }
  }
  offsetTables.set(key, table);
  return table;
}

/**
 * Input [B, H, W, Ci] → transposed patch matrix [kh·kw·Ci, B·oh·ow] (column = output position,
 * row = filter cell in the filter's own order), zeros in the padding. Transposed because the
 * wasm matmul is several times slower when asked to transpose an operand itself.
 */
export function im2colTransposed(input: Float32Array, info: Conv2DInfo, into: Float32Array): void {
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, filterHeight, filterWidth } = info;
  const table = patchOffsets(info);
  const cells = filterHeight * filterWidth;
  const positions = outHeight * outWidth;
  const rows = batchSize * positions;
  const imageSize = inHeight * inWidth * inChannels;
  // Filled row by row of the output so that writes are sequential.
  for (let cell = 0; cell < cells; cell++) {
    for (let c = 0; c < inChannels; c++) {
      let to = (cell * inChannels + c) * rows;
      for (let b = 0; b < batchSize; b++) {
        const image = b * imageSize + c;
        for (let p = 0; p < positions; p++) {
          const offset = table[p * cells + cell];
          into[to++] = offset < 0 ? 0 : input[image + offset];
        }
      }
    }
  }
}

/** Patch matrix [B·oh·ow, kh·kw·Ci] → input-shaped gradient [B, H, W, Ci], summing overlaps (col2im). */
export function col2imAdd(columns: Float32Array, info: Conv2DInfo, into: Float32Array): void {
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, filterHeight, filterWidth } = info;
  const table = patchOffsets(info);
  const cells = filterHeight * filterWidth;
  const positions = outHeight * outWidth;
  const imageSize = inHeight * inWidth * inChannels;
  into.fill(0);
  for (let b = 0; b < batchSize; b++) {
    for (let p = 0; p < positions; p++) {
      const row = (b * positions + p) * cells * inChannels;
      for (let cell = 0; cell < cells; cell++) {
        const offset = table[p * cells + cell];
        if (offset < 0) continue;
        const to = b * imageSize + offset;
        const from = row + cell * inChannels;
        for (let c = 0; c < inChannels; c++) into[to + c] += columns[from + c];
      }
    }
  }
}
