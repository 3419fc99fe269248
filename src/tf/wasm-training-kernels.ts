// Gradient kernels the wasm backend lacks (Conv2DBackpropFilter) or runs slowly (Conv2DBackpropInput,
// MaxPoolGrad), registered once per thread before training. Each is tested against the cpu backend.
import * as tf from '@tensorflow/tfjs';
import { conv2DBackpropFilter } from './conv2d-backprop-filter';
import { conv2DBackpropInput } from './conv2d-backprop-input';
import { maxPoolGrad } from './max-pool-grad';

const KERNELS: Record<string, unknown> = {
  Conv2DBackpropFilter: conv2DBackpropFilter,
  Conv2DBackpropInput: conv2DBackpropInput,
  MaxPoolGrad: maxPoolGrad,
};

let registered = false;

export function registerWasmTrainingKernels(): void {
  if (registered) return;
  for (const [kernelName, kernelFunc] of Object.entries(KERNELS)) {
    if (tf.getKernel(kernelName, 'wasm')) tf.unregisterKernel(kernelName, 'wasm');
    tf.registerKernel({ kernelName, backendName: 'wasm', kernelFunc: kernelFunc as tf.KernelFunc });
  }
  registered = true;
}
