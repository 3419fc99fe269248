// Kernels registered on the wasm backend once per thread, before it starts: the gradients it
// lacks (Conv2DBackpropFilter) or runs slowly (Conv2DBackpropInput, MaxPoolGrad, the bias
// gradients' Sum), as SIMD kernels (assembly/kernels.ts). Each is tested against the cpu
// backend.
import * as tf from '@tensorflow/tfjs';
import { conv2DBackpropFilter } from './conv2d-backprop-filter';
import { conv2DBackpropInput } from './conv2d-backprop-input';
import { maxPoolGrad } from './max-pool-grad';
import { makeSum } from './sum';

const KERNELS: Record<string, unknown> = {
  Conv2DBackpropFilter: conv2DBackpropFilter,
  Conv2DBackpropInput: conv2DBackpropInput,
  MaxPoolGrad: maxPoolGrad,
};

let registered = false;

function replace(kernelName: string, kernelFunc: unknown, setupFunc?: tf.KernelSetupFunc): void {
  if (tf.getKernel(kernelName, 'wasm')) tf.unregisterKernel(kernelName, 'wasm');
  tf.registerKernel({ kernelName, backendName: 'wasm', kernelFunc: kernelFunc as tf.KernelFunc, setupFunc });
}

export function registerWasmTrainingKernels(): void {
  if (registered) return;
  for (const [kernelName, kernelFunc] of Object.entries(KERNELS)) replace(kernelName, kernelFunc);
  // The shipped Sum still takes the sums ours does not; its setup binds it to the backend.
  const sum = tf.getKernel('Sum', 'wasm');
  if (!sum) throw new Error('the wasm backend has no Sum kernel');
  replace('Sum', makeSum(sum.kernelFunc), sum.setupFunc);
  registered = true;
}
