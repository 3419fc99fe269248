// A `{ "file": "model.json" }` model is checked weight by weight at planning, through the CLI:
// a weight file cut short or empty, NaN or Inf among the weights, a dtype probelab does not read.
// Each is exit 2 before any job runs, naming the file and the weight; and a training that
// diverges fails once (not retried), naming the epoch and batch, with no table published.
import { cpSync, existsSync, readdirSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { runCli, writeConfig } from '../helpers/runner';
import { tempDir } from '../helpers/temp-dir';

const FIXTURE = path.join(__dirname, '..', 'fixtures', 'keras-bn-model');
const WEIGHTS = 'group1-shard1of1.bin';
const DATA = { source: 'mnist', train: { first: 100 }, test: { first: 100 } };

/** The fixture's weights: conv2d/bias (4 values) from byte 144, dense/kernel (150×10) from byte 1080, 7152 bytes. */
type Damage = (model: string) => void;

const setFloat =
  (byte: number, value: number): Damage =>
  (model) => {
    const file = path.join(model, WEIGHTS);
    const bytes = readFileSync(file);
    bytes.writeFloatLE(value, byte);
    writeFileSync(file, bytes);
  };

const cases: [string, Damage, string][] = [
  [
    'weights cut in half',
    (model) => truncateSync(path.join(model, WEIGHTS), 3576),
    `${WEIGHTS} has 3576 bytes, the manifest expects 7152: weight "dense/kernel" (150×10 float32, 6000 bytes from byte 1080) is cut short`,
  ],
  [
    'an empty weight file',
    (model) => truncateSync(path.join(model, WEIGHTS), 0),
    `${WEIGHTS} has 0 bytes, the manifest expects 7152: weight "conv2d/kernel" (3×3×1×4 float32, 144 bytes from byte 0) is cut short`,
  ],
  [
    'NaN in a weight',
    setFloat(1080 + 5 * 4, Number.NaN),
    'weight "dense/kernel" holds NaN at index 5: a model with non-finite weights gives meaningless results',
  ],
  [
    'Inf in a weight',
    setFloat(144, Number.POSITIVE_INFINITY),
    'weight "conv2d/bias" holds Infinity at index 0: a model with non-finite weights gives meaningless results',
  ],
  [
    'a dtype other than float32',
    (model) => {
      const file = path.join(model, 'model.json');
      const json = JSON.parse(readFileSync(file, 'utf8'));
      json.weightsManifest[0].weights[0].dtype = 'int8';
      writeFileSync(file, JSON.stringify(json));
    },
    'weight "conv2d/kernel" has dtype "int8"; expected float32',
  ],
  [
    'an int8 InputLayer',
    (model) => {
      const file = path.join(model, 'model.json');
      const json = JSON.parse(readFileSync(file, 'utf8'));
      json.modelTopology.model_config.config.layers[0].config.dtype = 'int8';
      writeFileSync(file, JSON.stringify(json));
    },
    'modelTopology.model_config.config.layers[0].config.dtype (layer "conv2d_input", a InputLayer) is "int8"; probelab runs float32 models only',
  ],
  [
    'a float16 dtype policy on a layer (Keras 3)',
    (model) => {
      const file = path.join(model, 'model.json');
      const json = JSON.parse(readFileSync(file, 'utf8'));
      json.modelTopology.model_config.config.layers[1].config.dtype = {
        module: 'keras',
        class_name: 'DTypePolicy',
        config: { name: 'float16' },
      };
      writeFileSync(file, JSON.stringify(json));
    },
    'modelTopology.model_config.config.layers[1].config.dtype (layer "conv2d", a Conv2D) is {"module":"keras","class_name":"DTypePolicy","config":{"name":"float16"}}; probelab runs float32 models only',
  ],
];

test.each(cases)(
  '%s: exit 2 at planning, naming the file and the weight or field',
  async (_name, damage, message) => {
    const dir = tempDir();
    const model = path.join(dir, 'model');
    cpSync(FIXTURE, model, { recursive: true });
    damage(model);
    writeConfig(dir, 'probe.json', {
      name: 'probe',
      defaults: { data: DATA },
      experiments: [
        { name: 'filters', kind: 'filters', model: { file: 'model/model.json' } },
        { name: 'shift', kind: 'shift', model: { file: 'model/model.json' }, maxShift: 1, accuracyRange: 1 },
      ],
    });
    const result = await runCli(['probe.json', '--progress', 'none'], dir);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(result.stderr).toContain(
      `probe.json: experiments[0].model.file: ${path.join(model, 'model.json')}: `,
    );
    expect(result.stderr).toContain(message);
    expect(existsSync(path.join(dir, 'outputs'))).toBe(false);
  },
);

test('a training whose loss turns NaN fails once, naming the epoch and batch; nothing downstream publishes', async () => {
  const dir = tempDir();
  writeConfig(dir, 'nan.json', {
    name: 'nan',
    defaults: { data: DATA, training: { epochs: 2, learningRate: 1e30 } },
    experiments: [
      { name: 'train', kind: 'train' },
      { name: 'shift', kind: 'shift', model: 'train', maxShift: 1, accuracyRange: 1 },
    ],
  });
  const result = await runCli(['nan.json', '--workers', '1', '--retries', '2', '--progress', 'none'], dir);
  expect(result.code).toBe(1);
  expect(result.stderr).toBe('');
  expect(result.stdout).toMatch(
    /failed train\/seed=1 \[\w+\]: NonFiniteTrainingError: training diverged: the loss is NaN in epoch 1, batch \d+; lower the learning rate or check the data/,
  );
  const runDir = path.join(dir, 'outputs', 'nan');
  const summary = JSON.parse(readFileSync(path.join(runDir, 'summary.json'), 'utf8'));
  expect(summary.failures).toEqual([expect.objectContaining({ key: 'train/seed=1', attempts: 1 })]);
  expect(summary.blocked.length).toBeGreaterThan(0);
  for (const blocked of summary.blocked) expect(blocked.by).toBe('train/seed=1');
  expect(existsSync(path.join(runDir, 'tables')) ? readdirSync(path.join(runDir, 'tables')) : []).toEqual([]);
});
