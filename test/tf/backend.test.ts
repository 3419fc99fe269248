import * as tf from '@tensorflow/tfjs';
import { activeBackend, useBackend } from '../../src/tf/backend';

test('backend "node" without @tensorflow/tfjs-node is a clear error, and the thread can still use wasm', async () => {
  await expect(useBackend('node')).rejects.toThrow(
    'backend "node" needs @tensorflow/tfjs-node, which is not installed (its install step downloads libtensorflow); use backend "wasm"',
  );
  await useBackend('wasm');
  expect(activeBackend()).toBe('wasm');
  expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')).toBeDefined();
  await expect(useBackend('cpu')).rejects.toThrow(
    'this thread already runs backend "wasm"; cannot switch to "cpu"',
  );
});
