// A job kind's code identity follows the built module graph, lazy requires and the SIMD kernels
// included: a kernel change reaches the kinds that call it and no other.
import { cpSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { builtKindFile, codeGraph, kindCodeDigest } from '../../src/jobs/code-identity';
import { tempDir } from '../helpers/temp-dir';

const ROOT = path.join(__dirname, '..', '..');

test("train's graph reaches its lazily required training loop, the kernels' bytes and tfjs' version", () => {
  const graph = codeGraph(builtKindFile('train'));
  const files = graph.map((line) => line.split(' ')[0]);
  expect(files).toEqual(
    expect.arrayContaining([
      'dist/src/kinds/train.js',
      'dist/src/models/train-loop.js',
      'dist/src/tf/fused-training.js',
      'dist/assembly/kernels.wasm',
    ]),
  );
  const tfjs = JSON.parse(
    readFileSync(path.join(ROOT, 'node_modules/@tensorflow/tfjs/package.json'), 'utf8'),
  );
  expect(graph).toContain(`package @tensorflow/tfjs@${tfjs.version}`);
  expect(kindCodeDigest('train')).toMatch(/^[0-9a-f]{16}$/);
  expect(kindCodeDigest('train')).toBe(kindCodeDigest('train'));
  expect(kindCodeDigest('selftest')).not.toBe(kindCodeDigest('train'));
});

test('a changed kernel changes the code of train, not of selftest', () => {
  const root = tempDir();
  cpSync(path.join(ROOT, 'dist'), path.join(root, 'dist'), { recursive: true });
  symlinkSync(path.join(ROOT, 'node_modules'), path.join(root, 'node_modules'));
  mkdirSync(path.join(root, 'src'));
  const digest = (module: string) =>
    codeGraph(path.join(root, 'dist/src/kinds', `${module}.js`), root).join('\n');
  const [train, selftest] = [digest('train'), digest('selftest')];
  const wasm = path.join(root, 'dist/assembly/kernels.wasm');
  const bytes = readFileSync(wasm);
  bytes[bytes.length - 1] ^= 1;
  writeFileSync(wasm, bytes);
  expect(digest('train')).not.toBe(train);
  expect(digest('selftest')).toBe(selftest);
});
