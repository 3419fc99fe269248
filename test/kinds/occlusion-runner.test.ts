// A small occlusion config through the real runner and worker pool (dist/workers/job.js: build
// first): the published CSV tables are byte-identical on 1 and 2 workers.
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runExperiments } from '../../src/runner/run';
import { tables, writeConfig } from '../helpers/runner';

const root = mkdtempSync(path.join(os.tmpdir(), 'probelab-occlusion-run-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const config = {
  name: 'occ',
  defaults: {
    data: { source: 'mnist', train: { first: 2000 }, test: { first: 200 } },
    seeds: [1],
    training: { epochs: 1 },
  },
  experiments: [
    { name: 'train', kind: 'train' },
    { name: 'occlusion', kind: 'occlusion', model: 'train', images: [11, 0], chunkSize: 128 },
    {
      name: 'occlusion-population',
      kind: 'occlusion',
      model: 'train',
      mode: 'population',
      images: { first: 60 },
      imagesPerJob: 25,
    },
  ],
};

test('the same config and model give byte-identical tables on 1 and 2 workers', async () => {
  const one = path.join(root, 'one');
  writeConfig(root, 'occ.json', config);
  const run = (out: string, workers: number) =>
    runExperiments({ config: 'occ.json', out, cwd: root, workers, progress: 'none', log: () => {} });
  const first = await run(one, 1);
  expect(first.failures).toEqual([]);
  expect(first.exitCode).toBe(0);

  // The same run folder with the occlusion jobs and their published files removed: the second
  // run reuses the trained model and recomputes only the occlusion jobs, on 2 workers.
  const two = path.join(root, 'two');
  cpSync(one, two, { recursive: true });
  const runDir = path.join(two, 'occ');
  const plan = JSON.parse(readFileSync(path.join(runDir, 'plan.json'), 'utf8')) as {
    jobs: { id: string; kind: string }[];
  };
  const occlusionJobs = plan.jobs.filter((j) => j.kind.startsWith('occlusion'));
  // Two images × 4 chunks + 2 maps, 3 population chunks + 1 summary.
  expect(occlusionJobs).toHaveLength(2 * 4 + 2 + 3 + 1);
  for (const job of occlusionJobs) rmSync(path.join(runDir, 'jobs', job.id), { recursive: true });
  for (const top of ['tables', 'figures'])
    for (const name of config.experiments.slice(1).map((e) => e.name))
      rmSync(path.join(runDir, top, name), { recursive: true });
  const second = await run(two, 2);
  expect(second.failures).toEqual([]);
  expect(second.counts.ranNow).toBe(occlusionJobs.length);

  const expected = tables(path.join(one, 'occ'));
  const actual = tables(runDir);
  const published = [...expected.keys()].filter((f) => f.startsWith('occlusion'));
  expect(published).toEqual(
    expect.arrayContaining([
      'occlusion/seed=1/image=11/prob_of_6.csv',
      'occlusion/seed=1/image=11/highest_prob.csv',
      'occlusion/seed=1/image=11/label.csv',
      'occlusion/seed=1/image=0/prob_of_7.csv',
      'occlusion/seed=1/image=0/adversarial.csv',
      'occlusion-population/seed=1/population/population.csv',
      'occlusion-population/seed=1/population/mean_drop_of_9.csv',
    ]),
  );
  for (const file of published) expect([file, actual.get(file)]).toEqual([file, expected.get(file)]);
  expect(expected.get('occlusion/seed=1/image=11/label.csv')!.split('\n')[0]).toBe(
    `label,${Array.from({ length: 21 }, (_, i) => i).join(',')}`,
  );

  // One published picture per adversarial placement (`figures/adv_img` is a folder in `publish`).
  for (const image of ['image=11', 'image=0']) {
    const placements =
      expected.get(`occlusion/seed=1/${image}/adversarial.csv`)!.trim().split('\n').length - 1;
    const folder = path.join(one, 'occ', 'figures', 'occlusion', 'seed=1', image, 'adv_img');
    expect(existsSync(folder) ? readdirSync(folder).filter((f) => f.endsWith('.png')).length : 0).toBe(
      placements,
    );
  }
});
