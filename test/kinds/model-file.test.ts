// `{ "file": "model.json" }` as a probe's model: the committed fixture (the converter's layout for
// a Keras Sequential model with batch normalization) through every probe on the real runner and
// worker pool (dist/workers/job.js: build first), content-hashed job ids, and every error.
import * as tf from '@tensorflow/tfjs';
import { cpSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { loadDataset } from '../../src/data/datasets';
import { buildCnn } from '../../src/models/cnn';
import { loadModelFile, readModelFile } from '../../src/models/model-file';
import { runExperiments } from '../../src/runner/run';
import { useBackend } from '../../src/tf/backend';
import { writeBarImages } from '../helpers/bar-images';
import { writeKerasStyleModel } from '../helpers/keras-model';
import { runCli, snapshot, writeConfig } from '../helpers/runner';
import { planningError } from '../helpers/planning-error';
import { tempDir } from '../helpers/temp-dir';

const FIXTURE = path.join(__dirname, '..', 'fixtures', 'keras-bn-model');
const DATA = { source: 'mnist', train: { first: 100 }, test: { first: 200 } };
const file = (dir: string) => ({ file: `${dir}/model.json` });

function probes(dir: string) {
  return [
    { name: 'filters', kind: 'filters', model: file(dir) },
    { name: 'feature-maps', kind: 'feature-maps', model: file(dir) },
    { name: 'shift', kind: 'shift', model: file(dir), maxShift: 2, accuracyRange: 1 },
    { name: 'occlusion', kind: 'occlusion', model: file(dir), images: [11], stride: 2, chunkSize: 64 },
    {
      name: 'population',
      kind: 'occlusion',
      model: file(dir),
      mode: 'population',
      images: { first: 20 },
      imagesPerJob: 10,
      stride: 4,
    },
  ];
}

const run = (root: string) =>
  runExperiments({ config: 'models.json', cwd: root, workers: 2, progress: 'none', log: () => {} });

beforeAll(() => useBackend('wasm'));

describe('probing a model file', () => {
  const root = tempDir('probelab-model-file-');
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  cpSync(FIXTURE, path.join(root, 'models', 'a'), { recursive: true });
  writeConfig(root, 'models.json', { name: 'm', defaults: { data: DATA }, experiments: probes('models/a') });
  const out = (...parts: string[]) => path.join(root, 'outputs', 'm', ...parts);

  test('every probe runs on it, with the layer names of the model', async () => {
    const result = await run(root);
    expect(result.failures).toEqual([]);
    expect(result.exitCode).toBe(0);
    for (const figure of ['layer1_conv2d', 'layer2_conv2d_1'])
      expect(existsSync(out('figures', 'filters', 'file', `${figure}.png`))).toBe(true);
    for (const figure of [
      'layer1_conv2d',
      'layer2_batch_normalization',
      'layer3_max_pooling2d',
      'layer4_conv2d_1',
      'layer5_max_pooling2d_1',
    ])
      expect(existsSync(out('figures', 'feature-maps', 'file', `${figure}.png`))).toBe(true);
    const activations = readFileSync(out('tables', 'feature-maps', 'file', 'activations.csv'), 'utf8');
    expect(activations).toContain(',batch_normalization,26x26,');
    expect(readFileSync(out('tables', 'filters', 'file', 'filter_summary.csv'), 'utf8')).toContain(
      'conv2d_1,6,',
    );
    expect(existsSync(out('tables', 'shift', 'file', 'strip', 'shifted_predictions.csv'))).toBe(true);
    expect(existsSync(out('tables', 'shift', 'file', 'accuracy', 'accuracy_vs_shift.csv'))).toBe(true);
    expect(existsSync(out('tables', 'population', 'file', 'population', 'population.csv'))).toBe(true);
  });

  test('one occlusion map equals an explicit prediction of each occluded copy', async () => {
    const model = await loadModelFile(
      path.join(root, 'models', 'a', 'model.json'),
      readModelFile(path.join(root, 'models', 'a', 'model.json')).sha256,
    );
    const data = loadDataset(DATA as never);
    const label = data.test.labels[11];
    const image = Float32Array.from(data.test.images.subarray(11 * 784, 12 * 784), (v) => v / 255);
    const table = readFileSync(out('tables', 'occlusion', 'file', 'image=11', `prob_of_${label}.csv`), 'utf8')
      .trim()
      .split('\n')
      .map((line) => line.split(','));
    const cols = table[0].slice(1).map(Number);
    const rows = table.slice(1).map((row) => Number(row[0]));
    expect(rows).toEqual([0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20]);
    let largest = 0;
    rows.forEach((row, i) =>
      cols.forEach((col, j) => {
        const copy = image.slice();
        for (let r = row; r < row + 8; r++) copy.fill(0, r * 28 + col, r * 28 + col + 8);
        const p = tf.tidy(
          () => (model.predict(tf.tensor4d(copy, [1, 28, 28, 1])) as tf.Tensor).dataSync()[label],
        );
        largest = Math.max(largest, Math.abs(p - Number(table[i + 1][j + 1])));
      }),
    );
    expect(largest).toBeLessThan(1e-5);
    model.dispose();
  });

  test('a file replaced by another of the same name reruns its probes; one moved reruns nothing', async () => {
    const other = buildCnn(
      [
        { type: 'conv2d', filters: 4, kernelSize: 3, activation: 'relu' },
        { type: 'batchNormalization' },
        { type: 'maxPooling2d', poolSize: 2 },
        { type: 'conv2d', filters: 6, kernelSize: 3, activation: 'relu' },
        { type: 'maxPooling2d', poolSize: 2 },
        { type: 'flatten' },
        { type: 'dense', units: 10, activation: 'softmax' },
      ],
      { rows: 28, cols: 28, classes: 10, seed: 99 },
    );
    writeKerasStyleModel(other, path.join(root, 'models', 'a'));
    other.dispose();
    const replaced = await run(root);
    expect(replaced.exitCode).toBe(0);
    expect(replaced.reused).toEqual([]);
    expect(replaced.counts.ranNow).toBeGreaterThan(10);

    renameSync(path.join(root, 'models', 'a'), path.join(root, 'models', 'b'));
    writeConfig(root, 'models.json', {
      name: 'm',
      defaults: { data: DATA },
      experiments: probes('models/b'),
    });
    const moved = await run(root);
    expect(moved.exitCode).toBe(0);
    expect(moved.counts.ranNow).toBe(0);
    expect(moved.reused).toHaveLength(replaced.counts.ranNow);
  });
});

describe('model file errors: exit code 2 before anything runs, naming the file and what is wrong', () => {
  const root = tempDir('probelab-model-file-errors-');
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  cpSync(FIXTURE, path.join(root, 'good'), { recursive: true });

  const problem = (experiment: object, data: object = DATA) =>
    planningError(root, { defaults: { data }, experiments: [experiment] });

  test('data that does not fit the model’s input: both shapes', async () => {
    const idx = writeBarImages(path.join(root, 'idx'), 20, 24, 20, 20);
    expect(
      await problem({ name: 'f', kind: 'filters', model: file('good') }, { source: 'idx', dir: idx }),
    ).toBe(
      `case.json: experiments[0].model.file: the model takes inputs of 28×28×1, but the data (${idx}) has images of 20×24×1`.replace(
        root,
        '<root>',
      ),
    );
  });

  test('a layer class tfjs cannot load is named', async () => {
    cpSync(path.join(root, 'good'), path.join(root, 'lambda'), { recursive: true });
    const json = readFileSync(path.join(root, 'lambda', 'model.json'), 'utf8');
    writeFileSync(
      path.join(root, 'lambda', 'model.json'),
      json.replace('"class_name": "Flatten"', '"class_name": "Lambda"'),
    );
    expect(await problem({ name: 'f', kind: 'feature-maps', model: file('lambda') })).toBe(
      'case.json: experiments[0].model.file: <root>/lambda/model.json: layer "flatten" is a Lambda, which tfjs cannot load (tfjs has no such layer class; rebuild the model without it)',
    );
  });

  test('a missing model or weight file, a graph model', async () => {
    expect(await problem({ name: 's', kind: 'shift', model: file('nowhere') })).toBe(
      'case.json: experiments[0].model.file: <root>/nowhere/model.json: cannot read the model (ENOENT)',
    );
    cpSync(path.join(root, 'good', 'model.json'), path.join(root, 'noweights', 'model.json'));
    expect(await problem({ name: 'o', kind: 'occlusion', model: file('noweights') })).toBe(
      'case.json: experiments[0].model.file: <root>/noweights/model.json: cannot read its weight file group1-shard1of1.bin (ENOENT)',
    );
    mkdirSync(path.join(root, 'graph'));
    writeConfig(path.join(root, 'graph'), 'model.json', {
      format: 'graph-model',
      modelTopology: {},
      weightsManifest: [],
    });
    expect(await problem({ name: 'f', kind: 'filters', model: file('graph') })).toBe(
      'case.json: experiments[0].model.file: <root>/graph/model.json: a tfjs graph model; probelab needs a layers model (tensorflowjs_converter --output_format tfjs_layers_model)',
    );
  });

  test('seeds and curves need a train experiment', async () => {
    expect(await problem({ name: 'o', kind: 'occlusion', model: file('good'), seeds: [1] })).toBe(
      'case.json: experiments[0].seeds: only for the models of a train experiment, not a model file',
    );
    expect(await problem({ name: 'c', kind: 'curves', model: file('good') })).toBe(
      'case.json: experiments[0].model: curves draws what training recorded, and a model file has none: name a train experiment',
    );
  });

  test('through the CLI: exit code 2, the message on stderr, nothing written', async () => {
    writeConfig(root, 'cli.json', {
      defaults: { data: DATA },
      experiments: [{ name: 'f', kind: 'filters', model: file('nowhere') }],
    });
    const before = snapshot(root);
    const result = await runCli(['cli.json'], root);
    expect(result.stderr.trim()).toBe(
      `cli.json: experiments[0].model.file: ${root}/nowhere/model.json: cannot read the model (ENOENT)`,
    );
    expect(result.code).toBe(2);
    expect(snapshot(root)).toEqual(before);
  });
});
