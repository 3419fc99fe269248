// A non-square, non-28 input: IDX images of 20×24 made here, a CNN with padding "same" and
// stride 2 trained on them through the real runner, then every probe on it.
import { existsSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { ConfigError } from '../../src/config-errors';
import { runExperiments } from '../../src/runner/run';
import { writeBarImages } from '../helpers/bar-images';
import { writeConfig } from '../helpers/runner';
import { tempDir } from '../helpers/temp-dir';

const root = tempDir('probelab-any-size-');
const idx = writeBarImages(path.join(root, 'bars'), 20, 24);
afterAll(() => rmSync(root, { recursive: true, force: true }));
const LAYERS = [
  { type: 'conv2d', filters: 6, kernelSize: 3, padding: 'same', strides: 2 },
  { type: 'batchNormalization' },
  { type: 'activation', activation: 'relu' },
  { type: 'averagePooling2d', poolSize: 2 },
  { type: 'conv2d', filters: 8, kernelSize: [3, 2], padding: 'same', activation: 'relu' },
  { type: 'flatten' },
  { type: 'dropout', rate: 0.1 },
  { type: 'dense', units: 10 },
];
const run = (config: object) => {
  writeConfig(root, 'bars.json', config);
  return runExperiments({ config: 'bars.json', cwd: root, workers: 2, progress: 'none', log: () => {} });
};

test('train on 20×24 images with padding "same" and stride 2, then every probe', async () => {
  const result = await run({
    name: 'bars',
    defaults: {
      data: { source: 'idx', dir: idx },
      seeds: [1],
      training: { epochs: 4, learningRate: 0.01 },
    },
    experiments: [
      { name: 'cnn', kind: 'train', layers: LAYERS },
      { name: 'curves', kind: 'curves', model: 'cnn' },
      { name: 'filters', kind: 'filters', model: 'cnn' },
      { name: 'feature-maps', kind: 'feature-maps', model: 'cnn', images: [0, 1] },
      { name: 'shift', kind: 'shift', model: 'cnn', digit: 3, maxShift: 3, accuracyRange: 2 },
      { name: 'occlusion', kind: 'occlusion', model: 'cnn', images: [5], patch: 5, stride: 3 },
      { name: 'population', kind: 'occlusion', model: 'cnn', mode: 'population', patch: 6, stride: 4 },
    ],
  });
  expect(result.failures).toEqual([]);
  expect(result.exitCode).toBe(0);
  const file = (...parts: string[]) => path.join(root, 'outputs', 'bars', ...parts);
  expect(readFileSync(file('tables', 'cnn', 'seed=1', 'model_summary.csv'), 'utf8')).toBe(
    [
      'layer,type,outputShape,params',
      'conv2d,Conv2D,"(None, 10, 12, 6)",60',
      'batch_normalization,BatchNormalization,"(None, 10, 12, 6)",24',
      'activation,Activation,"(None, 10, 12, 6)",0',
      'average_pooling2d,AveragePooling2D,"(None, 5, 6, 6)",0',
      'conv2d_1,Conv2D,"(None, 5, 6, 8)",296',
      'flatten,Flatten,"(None, 240)",0',
      'dropout,Dropout,"(None, 240)",0',
      'dense,Dense,"(None, 10)",2410',
      'activation_1,Activation,"(None, 10)",0',
      '',
    ].join('\n'),
  );
  const metrics = JSON.parse(readFileSync(file('tables', 'cnn', 'seed=1', 'metrics.json'), 'utf8'));
  expect(metrics.testAccuracy).toBeGreaterThan(0.8);
  for (const figure of ['layer1_conv2d', 'layer2_conv2d_1'])
    expect(existsSync(file('figures', 'filters', 'seed=1', `${figure}.png`))).toBe(true);
  for (const figure of [
    'layer1_conv2d',
    'layer2_batch_normalization',
    'layer3_average_pooling2d',
    'layer4_conv2d_1',
  ])
    expect(existsSync(file('figures', 'feature-maps', 'seed=1', `${figure}.png`))).toBe(true);
  expect(existsSync(file('figures', 'curves', 'curves_all.png'))).toBe(true);
  expect(existsSync(file('tables', 'shift', 'seed=1', 'accuracy', 'accuracy_vs_shift.csv'))).toBe(true);
  // Offsets 0, 3, ..., 15 down and 0, 3, ..., 18 across for a 5×5 patch on 20×24.
  const map = readFileSync(file('tables', 'occlusion', 'seed=1', 'image=5', 'prob_of_5.csv'), 'utf8')
    .trim()
    .split('\n');
  expect(map[0].split(',').slice(1)).toEqual(['0', '3', '6', '9', '12', '15', '18']);
  expect(map.slice(1).map((row) => row.split(',')[0])).toEqual(['0', '3', '6', '9', '12', '15']);
  expect(existsSync(file('tables', 'population', 'seed=1', 'population', 'population.csv'))).toBe(true);
});

test('Figure 1 does not fit 20×24 images: refused at planning, naming the data', async () => {
  const error = await run({
    defaults: { data: { source: 'idx', dir: idx } },
    experiments: [{ name: 'cnn', kind: 'train' }],
  }).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ConfigError);
  expect((error as Error).message).toBe(
    'bars.json: experiments[0].data: the Figure 1 CNN does not fit 20×24×1 images (a 2×2 pooling window does not fit the 1×2 input of this layer (padding "valid")); give "layers" for this image size',
  );
});
