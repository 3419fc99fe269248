// Data checked at planning and content ids: bad IDX files stop a run with exit code 2 before any
// job runs; job ids follow the files' content (replaced: new ids; moved: same ids), and the
// bundled MNIST keeps the ids it always had.
import {
  existsSync,
  readFileSync,
  renameSync,
  statSync,
  truncateSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../../src/config/load';
import { experimentKinds, jobKinds } from '../../src/jobs/registry';
import { readHashCache } from '../../src/data/check';
import { buildPlan } from '../../src/plan/build-plan';
import { checkConfigData } from '../../src/plan/data-identity';
import { jobId } from '../../src/plan/job-id';
import { planRun } from '../../src/runner/run';
import { ROOT, runCli, writeConfig } from '../helpers/runner';
import { tempDir } from '../helpers/temp-dir';
import { IDX, patchIdx, writeSmallMnist } from '../helpers/idx-folder';

const trainConfig = (dir: string) => ({
  name: 'idx',
  defaults: { data: { source: 'idx', dir }, training: { epochs: 1 } },
  experiments: [
    { name: 'train', kind: 'train' },
    { name: 'filters', kind: 'filters', model: 'train' },
  ],
});

const ids = (file: string, cwd: string) =>
  new Map(planRun({ config: file, cwd }).plan.jobs.map((job) => [job.key, job.id]));

test('job ids follow the IDX files: a replaced file changes them, a moved folder does not', () => {
  const work = tempDir();
  const data = writeSmallMnist(path.join(work, 'data'));
  const file = writeConfig(work, 'idx.json', trainConfig(data));
  const before = ids(file, work);

  const moved = path.join(work, 'elsewhere');
  renameSync(data, moved);
  writeConfig(work, 'idx.json', trainConfig(moved));
  expect(ids(file, work)).toEqual(before);

  // Same size, other content: one training label changed (still a valid class).
  patchIdx(path.join(moved, IDX.trainLabels), 8, 0, 3);
  const after = ids(file, work);
  expect([...after.keys()]).toEqual([...before.keys()]);
  for (const [key, id] of after) expect(id).not.toBe(before.get(key)); // the probe needs the model
});

test('hashes are cached by path, size and time: an unchanged file is not read again', () => {
  const work = tempDir();
  const data = writeSmallMnist(path.join(work, 'data'));
  const config = loadConfig(writeConfig(work, 'idx.json', trainConfig(data)), experimentKinds, work);
  const cache = {};
  const first = buildPlan(config, jobKinds, checkConfigData(config, cache));
  const labels = path.join(data, IDX.trainLabels);
  expect(Object.keys(cache)).toContain(labels);

  // A cache entry that matches size and time is believed, so the id takes its hash: proof it was not re-read.
  const believed = {
    ...cache,
    [labels]: { ...(cache as Record<string, { sha256: string }>)[labels], sha256: 'f'.repeat(64) },
  };
  const fromCache = buildPlan(config, jobKinds, checkConfigData(config, believed));
  expect(fromCache.jobs[0].id).not.toBe(first.jobs[0].id);
  // Touch the file: the entry no longer matches, the file is hashed again and the id is back.
  utimesSync(labels, new Date(), new Date(Date.now() + 5000));
  const again = buildPlan(config, jobKinds, checkConfigData(config, believed));
  expect(again.jobs[0].id).toBe(first.jobs[0].id);
});

test('a rewrite that keeps size and mtime is seen: the cache is keyed on ctime and inode too, as git does', () => {
  const work = tempDir();
  const data = writeSmallMnist(path.join(work, 'data'));
  const config = loadConfig(writeConfig(work, 'idx.json', trainConfig(data)), experimentKinds, work);
  const labels = path.join(data, IDX.trainLabels);
  const [atime, mtime] = [1_700_000_000, 1_700_000_000]; // whole seconds: restored exactly
  utimesSync(labels, atime, mtime);
  const cache = {};
  const first = buildPlan(config, jobKinds, checkConfigData(config, cache));
  patchIdx(labels, 8, 0, 3); // same size, another (valid) label
  utimesSync(labels, atime, mtime);
  expect(statSync(labels).mtimeMs).toBe(mtime * 1000);
  const second = buildPlan(config, jobKinds, checkConfigData(config, cache));
  expect(second.jobs[0].id).not.toBe(first.jobs[0].id);

  // Replaced by a copy with the same size and times (another inode): hashed again, same content, same id.
  writeFileSync(`${labels}.copy`, readFileSync(labels));
  renameSync(`${labels}.copy`, labels);
  utimesSync(labels, atime, mtime);
  const third = buildPlan(config, jobKinds, checkConfigData(config, cache));
  expect(third.jobs[0].id).toBe(second.jobs[0].id);
});

test('the bundled MNIST is identified by name: its jobs keep the ids they had before data hashing', () => {
  const { plan } = planRun({ config: path.join(ROOT, 'configs', 'all.json') });
  const train = plan.jobs.filter((job) => job.kind === 'train');
  expect(train.length).toBe(3);
  for (const job of train)
    expect(job.id).toBe(jobId({ kind: job.kind, code: job.code, params: job.params, needs: {} }));
});

describe('bad IDX files: exit 2 before any job runs, naming the file and the first offending index', () => {
  const cases: [string, (dir: string) => void, RegExp][] = [
    [
      'a label out of range',
      (dir) => patchIdx(path.join(dir, IDX.trainLabels), 8, 7, 42),
      /train-labels-idx1-ubyte: label 42 at index 7 is out of range: expected 0 ≤ label < 10/,
    ],
    [
      'a missing file',
      (dir) => renameSync(path.join(dir, IDX.testImages), path.join(dir, 'gone')),
      /t10k-images-idx3-ubyte: missing: expected t10k-images-idx3-ubyte or t10k-images-idx3-ubyte\.gz/,
    ],
    [
      'a truncated images file',
      (dir) => truncateSync(path.join(dir, IDX.trainImages), 16 + 28 * 28 * 150 + 5),
      /train-images-idx3-ubyte: truncated: 117621 bytes, expected 156816 for 200 images of 28×28 \(index 150 is the first incomplete one\)/,
    ],
    [
      'a wrong magic number',
      (dir) => patchIdx(path.join(dir, IDX.testLabels), 0, 2, 9),
      /t10k-labels-idx1-ubyte: wrong magic number 2305: expected 2049 for an IDX labels file/,
    ],
    [
      'fewer labels than images',
      (dir) => {
        const file = path.join(dir, IDX.testLabels);
        const bytes = readFileSync(file);
        bytes.writeUInt32BE(90, 4);
        writeFileSync(file, bytes.subarray(0, 8 + 90));
      },
      /t10k-labels-idx1-ubyte: 90 labels for 100 images in .*t10k-images-idx3-ubyte: index 90 is the first image without a label/,
    ],
  ];
  test.each(cases)('%s', async (_name, damage, message) => {
    const work = tempDir();
    const data = writeSmallMnist(path.join(work, 'data'));
    damage(data);
    writeConfig(work, 'idx.json', trainConfig(data));
    const run = await runCli(['idx.json', '--progress', 'none'], work);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^idx\.json: defaults\.data: /);
    expect(run.stderr).toMatch(message);
    expect(run.stderr).not.toMatch(/\n\s+at /);
    expect(existsSync(path.join(work, 'outputs'))).toBe(false);
  });
});

test('a test label of 42 makes 43 classes: the Figure 1 CNN (10 outputs) refuses them at planning', async () => {
  const work = tempDir();
  const data = writeSmallMnist(path.join(work, 'data'));
  patchIdx(path.join(data, IDX.testLabels), 8, 5, 42);
  writeConfig(work, 'idx.json', trainConfig(data));
  const run = await runCli(['idx.json', '--progress', 'none'], work);
  expect(run.code).toBe(2);
  expect(run.stderr).toContain(
    'the test labels go up to 42, but the Figure 1 CNN has 10 outputs; give "layers" for 43 classes',
  );
  expect(existsSync(path.join(work, 'outputs'))).toBe(false);
});

test('a run keeps the hashes in its folder; the next plan of the same files reads them from there', async () => {
  const work = tempDir();
  const data = writeSmallMnist(path.join(work, 'data'));
  writeConfig(work, 'idx.json', {
    name: 'idx',
    defaults: { data: { source: 'idx', dir: data } },
    experiments: [{ name: 'ok', kind: 'selftest' }],
  });
  const run = await runCli(['idx.json', '--progress', 'none'], work);
  expect(run.code).toBe(0);
  const cache = readHashCache(path.join(work, 'outputs', 'idx', 'data-hashes.json'));
  expect(Object.keys(cache).sort()).toEqual(
    Object.values(IDX)
      .map((base) => path.join(data, base))
      .sort(),
  );
});
