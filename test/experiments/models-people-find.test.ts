// Models people can find: every trained model is published at models/<experiment>/<sweep point>/
// in the run folder, also after merging shards; a model of one's own is probed end to end by the
// shipped example config, under the name it is given there.
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT, runCli, writeConfig } from '../helpers/runner';
import { tempDir } from '../helpers/temp-dir';

const quiet = ['--workers', '2', '--progress', 'none'];

test('each trained model is published at models/<experiment>/<sweep point>/, and merge keeps them', async () => {
  const dir = tempDir();
  writeConfig(dir, 'tiny.json', {
    defaults: { data: { source: 'mnist', train: { first: 200 }, test: { first: 100 } }, seeds: [1, 2] },
    experiments: [{ name: 'cnn', kind: 'train', epochs: 1, sweep: { learningRate: [0.001] } }],
  });
  const shards = await Promise.all(
    ['1/2', '2/2'].map((shard) => runCli(['tiny.json', '--shard', shard, ...quiet], dir)),
  );
  expect(shards.map((s) => s.code)).toEqual([0, 0]);
  const merged = await runCli(['merge', 'outputs/tiny-shard-1-of-2', 'outputs/tiny-shard-2-of-2'], dir);
  expect(merged.code).toBe(0);
  for (const seed of [1, 2]) {
    const folder = path.join(dir, 'outputs', 'tiny', 'models', 'cnn', 'learningRate=0.001', `seed=${seed}`);
    const model = JSON.parse(readFileSync(path.join(folder, 'model.json'), 'utf8'));
    // A tfjs layers model whose weights file sits beside it, so tf.loadLayersModel reads it from there.
    expect(model.weightsManifest[0].paths).toEqual(['weights.bin']);
    expect(existsSync(path.join(folder, 'weights.bin'))).toBe(true);
  }
});

test('configs/examples/probe-my-model.json probes the shipped model under its name', async () => {
  const out = tempDir();
  const run = await runCli(['configs/examples/probe-my-model.json', '--out', out, ...quiet], ROOT);
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  const jobs = path.join(out, 'probe-my-model', 'jobs');
  const titled = readdirSync(jobs)
    .map((id) => JSON.parse(readFileSync(path.join(jobs, id, 'result.json'), 'utf8')).result)
    .filter((result) => result && typeof result === 'object' && typeof result.model === 'string')
    .map((result) => result.model);
  expect(titled.length).toBeGreaterThan(5);
  expect(new Set(titled)).toEqual(new Set(['my Keras model']));
  for (const experiment of ['filters', 'feature-maps', 'shift', 'occlusion', 'attribution'])
    expect(existsSync(path.join(out, 'probe-my-model', 'figures', experiment))).toBe(true);
});

test('relative paths in a config start at the config file, whatever the working folder', async () => {
  const dir = tempDir();
  mkdirSync(path.join(dir, 'project', 'configs'), { recursive: true });
  cpSync(path.join(ROOT, 'test', 'fixtures', 'fashion-mnist-100'), path.join(dir, 'project', 'data'), {
    recursive: true,
  });
  cpSync(path.join(ROOT, 'test', 'fixtures', 'keras-bn-model'), path.join(dir, 'project', 'model'), {
    recursive: true,
  });
  writeConfig(dir, 'project/configs/mine.json', {
    defaults: { data: { source: 'idx', dir: '../data', test: { first: 20 } }, outputDir: '../runs' },
    experiments: [{ name: 'filters', kind: 'filters', model: { file: '../model/model.json' } }],
  });
  const run = await runCli(['project/configs/mine.json', ...quiet], dir);
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  expect(existsSync(path.join(dir, 'project', 'runs', 'mine', 'figures', 'filters'))).toBe(true);
});
