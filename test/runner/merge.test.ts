// merge names every shard that is not complete (missing, interrupted, failed) with a command
// that finishes it, counts a missing shard's jobs as pending, exits 1 until every shard is
// complete; running those commands and merging again into the same folder gives one run's tables.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { planRun, runExperiments } from '../../src/runner/run';
import { assignShards, parseShard } from '../../src/runner/shard';
import { runCli, tables, writeConfig } from '../helpers/runner';
import { tempDir } from '../helpers/temp-dir';

const quiet = { progress: 'none' as const, log: () => {} };

const config = {
  defaults: { seeds: [1] },
  experiments: [
    { name: 'slow', kind: 'selftest', jobs: 4, action: 'sleep', ms: 150 },
    { name: 'quick', kind: 'selftest', jobs: 3 },
    // Throws on its first attempt in a run folder only: failed now, done after --rerun-failed.
    { name: 'flaky', kind: 'selftest', action: 'flaky' },
  ],
};

test('merge names missing, interrupted and failed shards with their rerun commands; rerun + re-merge = one run', async () => {
  const dir = tempDir();
  writeConfig(dir, 'sweep.json', config);
  const whole = planRun({ config: 'sweep.json', cwd: dir }).plan;
  const shardOf = assignShards(whole.jobs, 3);
  const jobsOf = (k: number) => whole.jobs.filter((job) => shardOf.get(job.id) === k);
  // Roles by content, not by number: the flaky job's shard fails; the larger other one is interrupted; the last is never run.
  const failing = shardOf.get(whole.jobs.find((job) => job.experiment === 'flaky')!.id)!;
  const [interrupted, missing] = [1, 2, 3]
    .filter((k) => k !== failing)
    .sort((a, b) => jobsOf(b).length - jobsOf(a).length);
  expect(jobsOf(interrupted).length).toBeGreaterThanOrEqual(2);
  expect(jobsOf(missing).length).toBeGreaterThanOrEqual(1);

  const run = (k: number, extra: object = {}) =>
    runExperiments({
      config: 'sweep.json',
      cwd: dir,
      workers: 1,
      retries: 0,
      shard: parseShard(`${k}/3`),
      ...quiet,
      ...extra,
    });
  expect((await run(failing)).exitCode).toBe(1);
  const stop = new AbortController();
  const stopped = await run(interrupted, {
    signal: stop.signal,
    events: (event: string) => event === 'job-finish' && stop.abort(),
  });
  expect(stopped).toMatchObject({ exitCode: 130, interrupted: true });
  expect(stopped.counts.done).toBeLessThan(jobsOf(interrupted).length);

  const folder = (k: number) => path.join(dir, 'outputs', `sweep-shard-${k}-of-3`);
  const folders = [1, 2, 3].map(folder); // the missing shard's folder does not exist: named, not an error
  const first = await runCli(['merge', ...folders, '--out', 'merged'], dir);
  expect(first.stderr).toBe('');
  expect(first.code).toBe(1);
  const out = path.join(dir, 'outputs');
  const config_ = path.join(dir, 'sweep.json');
  const command = (k: number, more = '') =>
    `npx run-experiments ${config_} --shard ${k}/3 --out ${out}${more}`;
  expect(first.stdout).toContain(
    `shard ${failing}/3 failed: ${jobsOf(failing).length - 1} of ${jobsOf(failing).length} jobs done; 1 failed, 0 blocked; rerun: ${command(failing, ' --rerun-failed')}`,
  );
  expect(first.stdout).toContain(
    `shard ${interrupted}/3 interrupted: ${stopped.counts.done} of ${jobsOf(interrupted).length} jobs done, stopped by a signal (SIGTERM or SIGINT); rerun: ${command(interrupted)}`,
  );
  expect(first.stdout).toContain(
    `shard ${missing}/3 missing: no folder of it was given; its ${jobsOf(missing).length} jobs are counted as pending; rerun: ${command(missing)}`,
  );
  expect(first.stdout).toContain(`${folder(missing)}: no run folder there (no plan.json)`);
  const summary = JSON.parse(readFileSync(path.join(dir, 'merged', 'sweep', 'summary.json'), 'utf8'));
  const pending = jobsOf(interrupted).length - stopped.counts.done + jobsOf(missing).length;
  expect(summary.counts).toMatchObject({ total: whole.jobs.length, failed: 1, pending });
  expect(summary.merged.missingShards).toEqual([`${missing}/3`]);
  expect(summary.merged.shards.map((s: { state: string }) => s.state)).toEqual(
    [1, 2, 3].map((k) => (k === failing ? 'failed' : k === interrupted ? 'interrupted' : 'missing')),
  );

  // Each printed command, run as printed, completes its shard; merging again into the same folder is then complete.
  for (const line of first.stdout.split('\n').filter((l) => l.includes('; rerun: '))) {
    const args = line.split('; rerun: npx run-experiments ')[1].split(' ');
    expect(await runCli([...args, '--progress', 'none'], dir)).toMatchObject({ code: 0 });
  }
  const again = await runCli(['merge', ...folders, '--out', 'merged'], dir);
  expect(again.stdout).not.toContain('rerun:');
  expect(again.code).toBe(0);
  const unsharded = await runExperiments({ config: 'sweep.json', cwd: dir, workers: 2, ...quiet });
  expect(tables(path.join(dir, 'merged', 'sweep'))).toEqual(tables(unsharded.runDir));
  expect(
    JSON.parse(readFileSync(path.join(dir, 'merged', 'sweep', 'summary.json'), 'utf8')).counts,
  ).toMatchObject({
    total: whole.jobs.length,
    done: whole.jobs.length,
  });
});

test('merge refuses shards of different counts, and folders that hold no run', async () => {
  const dir = tempDir();
  writeConfig(dir, 'sweep.json', config);
  for (const shard of ['1/2', '1/3'])
    await runExperiments({ config: 'sweep.json', cwd: dir, workers: 1, shard: parseShard(shard), ...quiet });
  const mixed = await runCli(
    ['merge', 'outputs/sweep-shard-1-of-2', 'outputs/sweep-shard-1-of-3', '--out', 'outputs/merged'],
    dir,
  );
  expect(mixed.code).toBe(2);
  expect(mixed.stderr).toMatch(
    /sweep-shard-1-of-3 is shard 1\/3 but .*sweep-shard-1-of-2 is shard 1\/2; merge the shards of one count/,
  );
  // A glob that matched nothing reaches merge as it was written.
  const none = await runCli(
    ['merge', 'outputs/nothing-shard-*-of-3', 'outputs/x', '--out', 'outputs/merged'],
    dir,
  );
  expect(none).toMatchObject({ code: 2, stdout: '' });
  expect(none.stderr).toBe(
    'merge: none of outputs/nothing-shard-*-of-3, outputs/x is a run folder (no plan.json); run a config first\n',
  );
});
