// The gradient of Conv2D with respect to its filter, for the wasm backend, which does not ship
// it (training fails with "Kernel 'Conv2DBackpropFilter' not registered for backend 'wasm'").
//
// dW[kh, kw, ci, co] = Σ_{b, oh, ow} x[b, oh·s + kh·d − padTop, ow·s + kw·d − padLeft, ci] · dy[b, oh, ow, co]
//
// This is itself a convolution: of x with the batch as channels (x → [ci, H, W, B]) by dy as the
// filter (dy → [oh, ow, B, co]), with the forward stride as dilation and the forward dilation as
// stride. That runs on the backend's own XNNPACK Conv2D, far faster than a loop in JavaScript.
// Shapes the trick cannot express (forward stride and dilation both > 1, or padding that would
// have to crop) take a plain loop instead.
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

type Attrs = tf.Conv2DBackpropFilterAttrs;
type Pad = { top: number; bottom: number; left: number; right: number };

interface KernelArgs {
  inputs: tf.NamedTensorInfoMap;
  backend: BackendWasm;
  attrs: Attrs;
}

function runKernel(name: string, args: KernelArgs): tf.TensorInfo {
  const kernel = tf.getKernel(name, 'wasm');
  if (!kernel) throw new Error(`wasm backend has no ${name} kernel`);
  return kernel.kernelFunc(args as never) as tf.TensorInfo;
}

function transpose(backend: BackendWasm, x: tf.TensorInfo, perm: number[]): tf.TensorInfo {
  return runKernel('Transpose', { inputs: { x }, backend, attrs: { perm } as never });
}

function viaConvolution(backend: BackendWasm, x: tf.TensorInfo, dy: tf.TensorInfo, info: tf.backend_util.Conv2DInfo, padBottom: number, padRight: number): tf.TensorInfo {
  const xT = transpose(backend, x, [3, 1, 2, 0]);
  const dyT = transpose(backend, dy, [1, 2, 0, 3]);
  const pad: Pad = info.padInfo;
  const conv = runKernel('Conv2D', {
    inputs: { x: xT, filter: dyT },
    backend,
    attrs: {
      strides: [info.dilationHeight, info.dilationWidth],
      dilations: [info.strideHeight, info.strideWidth],
      pad: [[0, 0], [pad.top, padBottom], [pad.left, padRight], [0, 0]],
      dataFormat: 'NHWC',
    } as never,
  });
  const dW = transpose(backend, conv, [1, 2, 0, 3]);
  for (const t of [xT, dyT, conv]) backend.disposeData(t.dataId);
  return dW;
}

function viaLoop(backend: BackendWasm, x: tf.TensorInfo, dy: tf.TensorInfo, info: tf.backend_util.Conv2DInfo): tf.TensorInfo {
  const xs = backend.typedArrayFromHeap(x) as Float32Array;
  const dys = backend.typedArrayFromHeap(dy) as Float32Array;
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels, filterHeight, filterWidth } = info;
  const out = backend.makeOutput([filterHeight, filterWidth, inChannels, outChannels], 'float32');
  const dW = backend.typedArrayFromHeap(out) as Float32Array;
  dW.fill(0);
  for (let b = 0; b < batchSize; b++) {
    for (let oh = 0; oh < outHeight; oh++) {
      for (let ow = 0; ow < outWidth; ow++) {
        const dyBase = ((b * outHeight + oh) * outWidth + ow) * outChannels;
        for (let kh = 0; kh < filterHeight; kh++) {
          const ih = oh * info.strideHeight + kh * info.dilationHeight - info.padInfo.top;
          if (ih < 0 || ih >= inHeight) continue;
          for (let kw = 0; kw < filterWidth; kw++) {
            const iw = ow * info.strideWidth + kw * info.dilationWidth - info.padInfo.left;
            if (iw < 0 || iw >= inWidth) continue;
            const xBase = ((b * inHeight + ih) * inWidth + iw) * inChannels;
            const wBase = (kh * filterWidth + kw) * inChannels * outChannels;
            for (let ci = 0; ci < inChannels; ci++) {
              const xv = xs[xBase + ci];
              if (xv === 0) continue;
              const row = wBase + ci * outChannels;
              for (let co = 0; co < outChannels; co++) dW[row + co] += xv * dys[dyBase + co];
            }
          }
        }
      }
    }
  }
  return out;
}

function conv2DBackpropFilter({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo {
  const { x, dy } = inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } = attrs;
  if (dataFormat !== 'NHWC') throw new Error(`Conv2DBackpropFilter on wasm supports only NHWC, got ${dataFormat}`);
  const info = tf.backend_util.computeConv2DInfo(x.shape as never, filterShape, strides, 1, pad, dimRoundingMode, false, 'channelsLast');
  // Bottom/right padding that makes the transposed convolution's output exactly the filter size.
  const padBottom = (info.filterHeight - 1) * info.dilationHeight + (info.outHeight - 1) * info.strideHeight + 1 - info.inHeight - info.padInfo.top;
  const padRight = (info.filterWidth - 1) * info.dilationWidth + (info.outWidth - 1) * info.strideWidth + 1 - info.inWidth - info.padInfo.left;
  const oneOfStrideOrDilation = (info.strideHeight === 1 && info.strideWidth === 1) || (info.dilationHeight === 1 && info.dilationWidth === 1);
  if (oneOfStrideOrDilation && padBottom >= 0 && padRight >= 0) return viaConvolution(backend, x, dy, info, padBottom, padRight);
  return viaLoop(backend, x, dy, info);
}

let registered = false;

/** Registers the kernel once per thread; call before training on wasm. */
export function registerConv2DBackpropFilterForWasm(): void {
  if (registered || tf.getKernel('Conv2DBackpropFilter', 'wasm')) return;
  tf.registerKernel({ kernelName: 'Conv2DBackpropFilter', backendName: 'wasm', kernelFunc: conv2DBackpropFilter as never });
  registered = true;
}
