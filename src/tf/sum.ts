// Sum on the wasm backend: a sum over every axis but the last (the bias gradients of training,
// e.g. [32, 26, 26, 12] → [12]) runs as one pass of SIMD column sums; the shipped kernel first
// transposes the tensor. Any other sum goes to the shipped kernel.
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { address, simdKernels } from './simd-module';

type KernelArgs = { inputs: tf.NamedTensorInfoMap; backend: BackendWasm; attrs: tf.SumAttrs };

export function makeSum(shipped: tf.KernelFunc): (args: KernelArgs) => tf.TensorInfo {
  return (args) => {
    const { x } = args.inputs as { x: tf.TensorInfo };
    const rank = x.shape.length;
    const axes = tf.util.parseAxisParam(args.attrs.axis, x.shape);
    const allButLast = rank >= 2 && axes.length === rank - 1 && axes.every((a) => a < rank - 1);
    if (!allButLast || x.dtype !== 'float32') return shipped(args as never) as tf.TensorInfo;
    const cols = x.shape[rank - 1];
    const out = args.backend.makeOutput(
      args.attrs.keepDims ? [...axes.map(() => 1), cols] : [cols],
      'float32',
    );
    simdKernels(args.backend).sumRows(
      address(args.backend, x),
      address(args.backend, out),
      tf.util.sizeFromShape(x.shape) / cols,
      cols,
    );
    return out;
  };
}
