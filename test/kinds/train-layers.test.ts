// `layers` in a train experiment: planned, swept, refused with the layer and field named.
import { ConfigError } from '../../src/config-errors';
import { loadConfig } from '../../src/config/load';
import { experimentKinds, jobKinds } from '../../src/jobs/registry';
import { buildPlan } from '../../src/plan/build-plan';
import { runCli, snapshot, writeConfig } from '../helpers/runner';
import { tempDir } from '../helpers/temp-dir';

const SMALL = { source: 'mnist', train: { first: 100 }, test: { first: 50 } };
const conv = (filters: number, kernelSize: number) => ({
  type: 'conv2d',
  filters,
  kernelSize,
  activation: 'relu',
});
const WIDE = [
  conv(16, 3),
  { type: 'maxPooling2d', poolSize: 2 },
  { type: 'flatten' },
  { type: 'dense', units: 10 },
];
const BN = [
  conv(8, 3),
  { type: 'batchNormalization' },
  { type: 'globalAveragePooling2d' },
  { type: 'dense', units: 10 },
];
const BAD = [conv(4, 3), { type: 'maxPooling2d', poolSize: 8 }, { type: 'batchNormalization' }, conv(4, 5)];

function plan(experiments: object[]) {
  const dir = tempDir('probelab-layers-');
  writeConfig(dir, 'case.json', { defaults: { data: SMALL }, experiments });
  return buildPlan(loadConfig('case.json', experimentKinds, dir), jobKinds);
}

function planError(experiments: object[]): string {
  try {
    plan(experiments);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('expected a ConfigError');
}

describe('train with layers', () => {
  test('without layers the params are those of before (no layers key), so Figure 1 job ids do not change', () => {
    const train = plan([{ name: 'cnn', kind: 'train' }]).jobs.find((j) => j.kind === 'train')!;
    expect(Object.keys(train.params).sort()).toEqual(['backend', 'data', 'seed', 'training']);
  });

  test('layers are part of the params; a sweep of layers lists names its points by position', () => {
    const jobs = plan([
      { name: 'cnn', kind: 'train', seeds: [1, 2], sweep: { layers: [WIDE, BN] } },
      { name: 'filters', kind: 'filters', model: 'cnn' },
    ]).jobs;
    const trains = jobs.filter((j) => j.kind === 'train');
    expect(trains.map((j) => j.key)).toEqual([
      'cnn/layers=1/seed=1',
      'cnn/layers=1/seed=2',
      'cnn/layers=2/seed=1',
      'cnn/layers=2/seed=2',
    ]);
    expect(trains[0].params.layers).toEqual(WIDE);
    expect(trains[2].params.layers).toEqual(BN);
    expect(new Set(trains.map((j) => j.id)).size).toBe(4);
    expect(jobs.filter((j) => j.kind === 'filters').map((j) => j.key)).toEqual([
      'filters/layers=1,seed=1',
      'filters/layers=1,seed=2',
      'filters/layers=2,seed=1',
      'filters/layers=2,seed=2',
    ]);
  });

  test('a layer that does not fit is refused with the layer and field named, in a sweep with its point', () => {
    expect(planError([{ name: 'cnn', kind: 'train', layers: BAD }])).toBe(
      'case.json: experiments[0].layers[3].kernelSize: a 5×5 kernel does not fit the 3×3 input of this layer (padding "valid")',
    );
    expect(
      planError([
        { name: 'x', kind: 'train', layers: WIDE },
        { name: 'cnn', kind: 'train', sweep: { layers: [WIDE, BAD] } },
      ]),
    ).toBe(
      'case.json: experiments[1].layers[3].kernelSize (layers=2): a 5×5 kernel does not fit the 3×3 input of this layer (padding "valid")',
    );
    expect(
      planError([{ name: 'cnn', kind: 'train', layers: [{ type: 'flatten' }, { type: 'dense', units: 7 }] }]),
    ).toBe(
      'case.json: experiments[0].layers[1].units: the network gives 7 outputs; expected one per class (10)',
    );
  });

  test('schema rules: unknown type, missing field, bad value', () => {
    expect(planError([{ name: 'cnn', kind: 'train', layers: [{ type: 'conv3d' }] }])).toMatch(
      /^case\.json: experiments\[0\]\.layers\[0\]\.type: expected one of "conv2d", "maxPooling2d", .*"activation", got "conv3d"$/,
    );
    expect(planError([{ name: 'cnn', kind: 'train', layers: [{ type: 'dense' }] }])).toBe(
      'case.json: experiments[0].layers[0].units: expected a positive integer, got nothing',
    );
    expect(planError([{ name: 'cnn', kind: 'train', layers: [{ type: 'dropout', rate: 1 }] }])).toBe(
      'case.json: experiments[0].layers[0].rate: expected a number ≥ 0 and < 1, got 1',
    );
    expect(planError([{ name: 'cnn', kind: 'train', layers: [] }])).toBe(
      'case.json: experiments[0].layers: expected a non-empty list, got []',
    );
  });

  test('through the CLI: exit code 2, the message on stderr, nothing written', async () => {
    const dir = tempDir('probelab-layers-');
    writeConfig(dir, 'case.json', {
      defaults: { data: SMALL },
      experiments: [{ name: 'cnn', kind: 'train', layers: BAD }],
    });
    const before = snapshot(dir);
    const result = await runCli(['case.json'], dir);
    expect(result.stderr.trim()).toBe(
      'case.json: experiments[0].layers[3].kernelSize: a 5×5 kernel does not fit the 3×3 input of this layer (padding "valid")',
    );
    expect(result.code).toBe(2);
    expect(snapshot(dir)).toEqual(before);
  });
});
