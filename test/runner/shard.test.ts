// --shard k/n and merge: 3 shards run separately and merged give the tables one unsharded run
// gives, byte for byte; each job runs in exactly one shard; linked jobs share a shard.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { readJournal } from '../../src/runner/journal';
import { dryRun, planRun, runExperiments } from '../../src/runner/run';
import { mergeRuns } from '../../src/runner/merge';
import { assignShards, parseShard } from '../../src/runner/shard';
import { runCli, snapshot, tables, writeConfig } from '../helpers/runner';
import { tempDir } from '../helpers/temp-dir';

const quiet = { progress: 'none' as const, log: () => {} };

const config = {
  defaults: { seeds: [1, 2] },
  experiments: [
    { name: 'train', kind: 'selftest', jobs: 2, ms: 30 },
    { name: 'probe', kind: 'selftest', from: 'train', jobs: 2 },
    { name: 'loose', kind: 'selftest', jobs: 5, ms: 10 },
    { name: 'heavy', kind: 'selftest', ms: 120 },
  ],
};

test('3 shards + merge = one unsharded run; every job in exactly one shard', async () => {
  const dir = tempDir();
  writeConfig(dir, 'sweep.json', config);
  const whole = planRun({ config: 'sweep.json', cwd: dir }).plan;

  const shards = [];
  for (const k of [1, 2, 3])
    shards.push(
      await runExperiments({
        config: 'sweep.json',
        cwd: dir,
        workers: 2,
        shard: parseShard(`${k}/3`),
        ...quiet,
      }),
    );
  for (const s of shards) expect(s.exitCode).toBe(0);
  expect(shards.map((s) => path.basename(s.runDir))).toEqual([
    'sweep-shard-1-of-3',
    'sweep-shard-2-of-3',
    'sweep-shard-3-of-3',
  ]);

  // Every job finished in exactly one shard, and all of them did.
  const finished = shards.flatMap((s) =>
    readJournal(path.join(s.runDir, 'journal.jsonl')).flatMap((e) => (e.event === 'finished' ? [e.id] : [])),
  );
  expect(finished.sort()).toEqual(whole.jobs.map((j) => j.id).sort());
  expect(shards.flatMap((s) => s.ran).sort()).toEqual(whole.jobs.map((j) => j.key).sort());
  for (const s of shards) expect(s.counts.total).toBeGreaterThan(0);

  const merged = await runCli(['merge', ...shards.map((s) => s.runDir), '--out', 'merged'], dir);
  expect(merged.stderr).toBe('');
  expect(merged.code).toBe(0);
  const unsharded = await runExperiments({ config: 'sweep.json', cwd: dir, workers: 2, ...quiet });
  const mergedDir = path.join(dir, 'merged', path.basename(unsharded.runDir));
  expect(tables(mergedDir)).toEqual(tables(unsharded.runDir));
  expect(tables(mergedDir).size).toBe(whole.jobs.length);

  const summary = JSON.parse(readFileSync(path.join(mergedDir, 'summary.json'), 'utf8'));
  expect(summary).toMatchObject({
    exitCode: 0,
    counts: { total: whole.jobs.length, done: whole.jobs.length, ranNow: whole.jobs.length },
    merged: { missingShards: [] },
  });
  const plan = JSON.parse(readFileSync(path.join(mergedDir, 'plan.json'), 'utf8'));
  expect(plan.jobs.map((j: { id: string }) => j.id).sort()).toEqual(whole.jobs.map((j) => j.id).sort());
  expect(readFileSync(path.join(mergedDir, 'report.html'), 'utf8')).toContain('probe');
  expect(
    readJournal(path.join(mergedDir, 'journal.jsonl')).filter((e) => e.event === 'finished'),
  ).toHaveLength(whole.jobs.length);

  // Merging only some shards says which are missing and exits 1.
  const partial = await runCli(['merge', shards[0].runDir, '--out', 'partial'], dir);
  expect(partial.code).toBe(1);
  expect(partial.stdout).toMatch(
    /shard 2\/3 missing: no folder of it was given; its \d+ jobs are counted as pending; rerun: npx run-experiments \S+sweep.json --shard 2\/3 --out /,
  );
  expect(partial.stdout).toContain('shard 3/3 missing');
});

test('shards keep linked jobs together, cover every job once, and balance cost', () => {
  const dir = tempDir();
  writeConfig(dir, 'sweep.json', config);
  const { plan } = planRun({ config: 'sweep.json', cwd: dir });
  for (const count of [1, 2, 3, 4, 7, 20]) {
    const shardOf = assignShards(plan.jobs, count);
    expect(shardOf.size).toBe(plan.jobs.length);
    for (const job of plan.jobs) {
      expect(shardOf.get(job.id)).toBeGreaterThanOrEqual(1);
      expect(shardOf.get(job.id)).toBeLessThanOrEqual(count);
      for (const need of Object.values(job.needs)) expect(shardOf.get(need.id)).toBe(shardOf.get(job.id));
    }
    expect(assignShards([...plan.jobs], count)).toEqual(shardOf); // deterministic
  }
  // Largest component first onto the least loaded shard: loads differ by at most the costliest component (heavy, 0.12).
  const loads = [0, 0, 0];
  const shardOf = assignShards(plan.jobs, 3);
  for (const job of plan.jobs) loads[shardOf.get(job.id)! - 1] += job.cost;
  expect(Math.max(...loads) - Math.min(...loads)).toBeLessThanOrEqual(0.12 + 1e-9);
  // The two heavy jobs (independent) land on different shards.
  const heavy = plan.jobs.filter((job) => job.experiment === 'heavy').map((job) => shardOf.get(job.id));
  expect(new Set(heavy).size).toBe(2);
});

test('--dry-run writes nothing; --only runs a part of a config with the jobs it needs', async () => {
  const dir = tempDir();
  writeConfig(dir, 'sweep.json', config);
  const before = snapshot(dir);
  const dry = await runCli(['sweep.json', '--dry-run', '--only', 'probe'], dir);
  expect(dry.code).toBe(0);
  expect(dry.stdout).toContain(
    'sweep: 8 jobs (--only probe of 20 jobs): 0 already done, 0 failed earlier, 0 blocked, 8 to run',
  );
  expect(snapshot(dir)).toEqual(before);

  const only = await runExperiments({
    config: 'sweep.json',
    cwd: dir,
    workers: 2,
    only: ['probe'],
    ...quiet,
  });
  expect(only.ran.sort()).toEqual([
    'probe/seed=1/job=0',
    'probe/seed=1/job=1',
    'probe/seed=2/job=0',
    'probe/seed=2/job=1',
    'train/seed=1/job=0',
    'train/seed=1/job=1',
    'train/seed=2/job=0',
    'train/seed=2/job=1',
  ]);
  expect(only.selection).toEqual({ only: ['probe'], planJobs: 20 });
  const after = dryRun({ config: 'sweep.json', cwd: dir });
  expect(after).toMatchObject({ jobs: 20, done: 8, toRun: 12 });
});

test('merge carries failures with their errors and what they blocked into the merged summary', async () => {
  const dir = tempDir();
  writeConfig(dir, 'broken.json', {
    experiments: [
      { name: 'ok', kind: 'selftest', jobs: 3 },
      { name: 'bad', kind: 'selftest', action: 'throw' },
      { name: 'after-bad', kind: 'selftest', from: 'bad' },
    ],
  });
  const shards = [];
  for (const k of [1, 2])
    shards.push(
      await runExperiments({
        config: 'broken.json',
        cwd: dir,
        workers: 1,
        retries: 0,
        shard: parseShard(`${k}/2`),
        ...quiet,
      }),
    );
  const merged = mergeRuns(
    shards.map((s) => s.runDir),
    path.join(dir, 'merged'),
  );
  expect(merged.exitCode).toBe(1);
  expect(merged.counts).toMatchObject({ total: 5, done: 3, failed: 1, blocked: 1, ranNow: 3 });
  expect(merged.failures).toEqual([
    expect.objectContaining({
      key: 'bad/seed=1/job=0',
      error: 'selftest job bad #0 throws as asked',
      attempts: 1,
    }),
  ]);
  expect(merged.blocked).toEqual([
    expect.objectContaining({ key: 'after-bad/seed=1/job=0', by: 'bad/seed=1/job=0' }),
  ]);
  // Merging again changes nothing and copies nothing.
  expect(
    mergeRuns(
      shards.map((s) => s.runDir),
      path.join(dir, 'merged'),
    ).counts,
  ).toEqual(merged.counts);
});

test('--dry-run --shard prints each shard’s estimated cost and says when one group of linked jobs sets the pace', async () => {
  const dir = tempDir();
  writeConfig(dir, 'lopsided.json', {
    defaults: { seeds: [1] },
    experiments: [
      { name: 'model', kind: 'selftest', ms: 3000 },
      { name: 'probes', kind: 'selftest', from: 'model', jobs: 3 },
      { name: 'loose', kind: 'selftest', jobs: 4, ms: 100 },
    ],
  });
  const dry = await runCli(['lopsided.json', '--dry-run', '--shard', '2/3'], dir);
  expect(dry.code).toBe(0);
  const lines = dry.stdout.split('\n');
  const start = lines.indexOf('estimated cost per shard (≈ seconds on one core; 3.4 s in all):');
  expect(lines.slice(start + 1, start + 6)).toEqual([
    '  1/3      4 jobs     3.0 s',
    '  2/3      2 jobs     0.2 s  ← this shard',
    '  3/3      2 jobs     0.2 s',
    'one group of linked jobs outweighs the rest: model/seed=1/job=0 and the 3 jobs linked to it (a model stays with its probes) cost 3.0 s, 88% of the whole.',
    "No shard can finish sooner than that group, so more than 2 shards gain nothing: suggested --shard k/2. With a file system every node shares, stages spread a group's jobs (--stages N --dry-run; docs/scale-out.md).",
  ]);
  // Balanced shards: costs, no advice.
  const even = await runCli(['lopsided.json', '--dry-run', '--shard', '1/2', '--only', 'loose'], dir);
  expect(even.stdout).toContain(
    '  1/2      2 jobs     0.2 s  ← this shard\n  2/2      2 jobs     0.2 s\n\n(dry run',
  );
});
