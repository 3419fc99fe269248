import { trainExperiment, trainSummaryJob } from '../../src/kinds/train';
import { defaultsSchema } from '../../src/config/schema';
import type { ExpandContext } from '../../src/jobs/kind';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { jobContext } from '../helpers/small-model';
import { tempDir } from '../helpers/temp-dir';

const context = (defaults: object): ExpandContext => ({
  name: 'cnn',
  prefix: 'cnn',
  defaults: defaultsSchema.parse(defaults),
  modelsOf: () => [],
});

describe('train experiment', () => {
  test('one job per seed plus a summary; the experiment’s settings win over the config defaults, which win over the built-in ones', () => {
    const config = trainExperiment.schema.parse({ learningRate: 0.01, seeds: [4, 5] });
    const jobs = trainExperiment.expand(
      config,
      context({ seeds: [1], training: { epochs: 2, learningRate: 0.5 } }),
    );
    expect(jobs.map((j) => j.key)).toEqual(['cnn/seed=4', 'cnn/seed=5', 'cnn/summary']);
    expect(jobs[0].params).toMatchObject({
      seed: 4,
      backend: 'wasm',
      data: { source: 'mnist' },
      training: { epochs: 2, learningRate: 0.01, batchSize: 32, optimizer: 'adam', dropout: 0.2 },
    });
    expect(jobs[2].needs).toEqual({ 'seed=4': 'cnn/seed=4', 'seed=5': 'cnn/seed=5' });
    expect(trainExperiment.models!(config, context({}))).toMatchObject([
      { key: 'cnn/seed=4', seed: 4, label: 'seed=4' },
      { key: 'cnn/seed=5', seed: 5, label: 'seed=5' },
    ]);
  });

  test('the config’s default seeds apply when the experiment names none', () => {
    const jobs = trainExperiment.expand(trainExperiment.schema.parse({}), context({ seeds: [1, 2, 3] }));
    expect(jobs.filter((j) => j.kind === 'train').map((j) => j.params.seed)).toEqual([1, 2, 3]);
  });

  test('unknown or invalid training fields are rejected', () => {
    expect(trainExperiment.schema.safeParse({ epochz: 3 }).success).toBe(false);
    expect(trainExperiment.schema.safeParse({ dropout: 1 }).success).toBe(false);
    expect(trainExperiment.schema.safeParse({ batchSize: 0 }).success).toBe(false);
  });

  test('the summary tabulates accuracy per seed with mean and sample sd', async () => {
    const dir = tempDir();
    const result = (seed: number, testAccuracy: number) => ({
      id: `t${seed}`,
      kind: 'train',
      dir,
      result: { seed, epochs: 12, trainAccuracy: 0.9, testAccuracy, trainLoss: 0.3, testLoss: 0.2 },
    });
    await trainSummaryJob.run({}, jobContext(dir, { 'seed=2': result(2, 0.96), 'seed=1': result(1, 0.95) }));
    expect(readFileSync(path.join(dir, 'tables/accuracy.csv'), 'utf8')).toBe(
      'seed,epochs,train_accuracy,test_accuracy,train_loss,test_loss\n1,12,0.9000,0.9500,0.3000,0.2000\n2,12,0.9000,0.9600,0.3000,0.2000\nmean,,0.9000,0.9550,,\nsd,,0.0000,0.0071,,\n',
    );
  });
});
