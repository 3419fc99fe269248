// Choosing and starting the tfjs backend of this thread: wasm (default; SIMD, single thread),
// cpu (plain JavaScript, slow), or node (only when @tensorflow/tfjs-node can be loaded).
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type { BackendName } from './backend-name';
import { registerWasmTrainingKernels } from './wasm-training-kernels';
import { limitWasmHeap } from './wasm-heap-limit';

export class BackendError extends Error {
  override name = 'BackendError';
}

let started: Promise<BackendName> | undefined;
let startedName: BackendName | undefined;

function loadTfjsNode(): void {
  try {
    require('@tensorflow/tfjs-node');
  } catch (err) {
    const missing = (err as NodeJS.ErrnoException).code === 'MODULE_NOT_FOUND';
    throw new BackendError(
      missing
        ? 'backend "node" needs @tensorflow/tfjs-node, which is not installed (its install step downloads libtensorflow); use backend "wasm"'
        : `backend "node": @tensorflow/tfjs-node is installed but failed to load (${(err as Error).message}); use backend "wasm"`,
    );
  }
}

async function start(name: BackendName): Promise<BackendName> {
  tf.enableProdMode();
  if (name === 'wasm') {
    require('@tensorflow/tfjs-backend-wasm');
    registerWasmTrainingKernels();
  } else if (name === 'node') {
    loadTfjsNode();
  }
  // setBackend answers false instead of throwing when the backend cannot start.
  const ok = await tf.setBackend(name === 'node' ? 'tensorflow' : name);
  if (!ok) throw new BackendError(`backend "${name}" failed to start`);
  await tf.ready();
  if (name === 'wasm') limitWasmHeap(tf.backend() as BackendWasm);
  return name;
}

/**
 * Starts the backend once per thread. A thread keeps one backend: asking for another one later
 * is an error, since models and tensors already made would live on the first. A backend that
 * failed to start leaves the thread free to try another.
 */
export async function useBackend(name: BackendName): Promise<void> {
  if (startedName && startedName !== name) {
    throw new BackendError(`this thread already runs backend "${startedName}"; cannot switch to "${name}"`);
  }
  if (!started) {
    startedName = name;
    started = start(name).catch((err: unknown) => {
      started = undefined;
      startedName = undefined;
      throw err;
    });
  }
  await started;
}

export function activeBackend(): string {
  return tf.getBackend();
}
