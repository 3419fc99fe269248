// The Slurm deployment on a real single-node Slurm (started here, stopped by PID): the smoke
// config submitted as 3 shards through deploy/slurm/submit.sh merges to the tables of one
// unsharded run; a second submission with one shard cancelled mid-run and one while pending
// makes the merge job name both with their rerun commands and exit 1; requeueing the one and
// resubmitting the other index (the shard count travels with the job), then merging again into
// the same folder, completes it.
// Run with `npm run test:system` (root, Debian's slurm-wlm and munge); not part of `npm test`.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readJournal } from '../../src/runner/journal';
import { ROOT, runCli, sleep } from '../helpers/runner';
import { tempDir } from '../helpers/temp-dir';
import { type JobInfo, SlurmCluster } from '../helpers/slurm-cluster';
import { tableDigest } from '../helpers/table-digest';

const CONFIG = path.join(ROOT, 'configs', 'smoke.json');
let cluster: SlurmCluster;
let work: string;

beforeAll(async () => {
  work = tempDir('probelab-slurm-');
  cluster = await SlurmCluster.start(process.env.PROBELAB_SLURM_DIR ?? path.join(work, 'slurm'));
});
afterAll(async () => {
  await cluster?.stop();
  rmSync(work, { recursive: true, force: true });
});

/** Runs deploy/slurm/submit.sh with these settings; the array's and the merge's job ids. */
function submit(settings: Record<string, string>): { array: string; merge: string; stdout: string } {
  const stdout = execFileSync('bash', [path.join(ROOT, 'deploy', 'slurm', 'submit.sh')], {
    env: { ...cluster.env, ...settings },
    encoding: 'utf8',
  });
  const array = /^shards: job array (\d+)/m.exec(stdout)?.[1];
  const merge = /^merge: job (\d+)/m.exec(stdout)?.[1];
  expect({ array, merge, stdout }).toEqual({ array: expect.any(String), merge: expect.any(String), stdout });
  return { array: array!, merge: merge!, stdout };
}

const states = (jobs: JobInfo[]) => jobs.map((job) => `${job.JobState} ${job.ExitCode}`);
const mergeLog = (logs: string, id: string) => readFileSync(path.join(logs, `slurm-merge-${id}.out`), 'utf8');

let reference: Promise<ReturnType<typeof tableDigest>> | undefined;
/** The digest of one unsharded run of the smoke config (run once, while Slurm works). */
function referenceDigest(): Promise<ReturnType<typeof tableDigest>> {
  reference ??= runCli([CONFIG, '--out', path.join(work, 'unsharded'), '--progress', 'none'], work).then(
    (run) => {
      expect(run.code).toBe(0);
      return tableDigest(path.join(work, 'unsharded', 'smoke'));
    },
  );
  return reference;
}

test('3 shards through submit.sh, merged by the dependent job = one unsharded run (wall-clock fields aside)', async () => {
  const out = path.join(work, 'sharded');
  const settings = {
    PROBELAB_CONFIG: 'configs/smoke.json',
    PROBELAB_SHARDS: '3',
    PROBELAB_CPUS: '1',
    PROBELAB_MEM: '1G',
    PROBELAB_OUT: out,
  };
  const { array, merge, stdout } = submit(settings);
  expect(stdout).toMatch(/^estimated cost per shard/m);
  const reference = await referenceDigest();

  expect(states(await cluster.waitForEnd(array, 240_000))).toEqual([
    'COMPLETED 0:0',
    'COMPLETED 0:0',
    'COMPLETED 0:0',
  ]);
  const [merged] = await cluster.waitForEnd(merge, 60_000);
  expect({ state: states([merged]), log: mergeLog(path.join(out, 'logs'), merge) }).toEqual({
    state: ['COMPLETED 0:0'],
    log: expect.stringContaining('32 jobs, 32 done, 0 failed, 0 blocked, 0 pending'),
  });
  const digest = tableDigest(path.join(out, 'smoke'));
  expect(reference.files).toBeGreaterThan(30);
  expect(reference.leftOut).toEqual(['seconds']); // the training time; every other field must agree
  expect(digest).toEqual(reference);
  // Each task's first attempt has its own JSON log, named by shard, job and attempt.
  const logs = readdirSync(path.join(out, 'logs')).filter((f) => f.endsWith('.jsonl'));
  expect(logs.sort()).toEqual([1, 2, 3].map((k) => `shard-${k}-of-3.job-${array}.attempt-1.jsonl`));
});

test('a shard cancelled mid-run and one cancelled while pending: the merge names both and exits 1; rerunning those indices completes it', async () => {
  const out = path.join(work, 'cancelled');
  // Every CPU of the node per shard: one shard runs at a time, the others wait in the queue.
  const settings = {
    PROBELAB_CONFIG: 'configs/smoke.json',
    PROBELAB_SHARDS: '3',
    PROBELAB_CPUS: String(os.availableParallelism()),
    PROBELAB_MEM: '1G',
    PROBELAB_OUT: out,
  };
  const { array, merge } = submit(settings);
  const journal = path.join(out, 'smoke-shard-1-of-3', 'journal.jsonl');
  const started = Date.now();
  while (!(existsSync(journal) && readJournal(journal).some((e) => e.event === 'finished'))) {
    if (Date.now() - started > 120_000) throw new Error(`shard 1 finished no job within 120 s: ${journal}`);
    await sleep(100);
  }
  const pending = cluster.jobs(`${array}_3`)[0].JobState;
  cluster.run('scancel', [`${array}_1`, `${array}_3`]);
  const tasks = await cluster.waitForEnd(array, 120_000);
  // A task cancelled while pending leaves no record (it never split from the array) and no folder.
  expect(tasks.map((t) => `${t.ArrayTaskId} ${t.JobState}`).sort()).toEqual(['1 CANCELLED', '2 COMPLETED']);
  expect(existsSync(path.join(out, 'smoke-shard-3-of-3'))).toBe(false);
  const [merged] = await cluster.waitForEnd(merge, 60_000);
  const log = mergeLog(path.join(out, 'logs'), merge);
  expect({ state: states([merged]), pendingWhenCancelled: pending }).toEqual({
    state: ['FAILED 1:0'],
    pendingWhenCancelled: 'PENDING',
  });
  expect(log).toMatch(
    new RegExp(
      `shard 1/3 interrupted: \\d+ of 20 jobs done, stopped by a signal \\(SIGTERM or SIGINT\\); rerun: npx run-experiments ${CONFIG} --shard 1/3 --out ${out}\n`,
    ),
  );
  expect(log).toContain(
    `shard 3/3 missing: no folder of it was given; its 5 jobs are counted as pending; rerun: npx run-experiments ${CONFIG} --shard 3/3 --out ${out}\n`,
  );
  expect(log).toContain(`scontrol requeue ${array}_1`);
  const summary = JSON.parse(readFileSync(path.join(out, 'smoke', 'summary.json'), 'utf8'));
  expect(summary.counts.total).toBe(32);
  expect(summary.exitCode).toBe(1);

  // Rerun the two shards as the merge log says: requeue the cancelled task 1 (its second attempt,
  // same settings), submit index 3 again with the count set; then merge again into the same folder.
  expect(log).toContain(
    `PROBELAB_SHARDS=3 PROBELAB_OUT=${out} PROBELAB_LOGS=${out}/logs sbatch --array=3 --cpus-per-task=${settings.PROBELAB_CPUS} --mem=1G`,
  );
  cluster.run('scontrol', ['requeue', `${array}_1`]);
  // Slurm holds a requeued job for about two minutes (Reason=BeginTime); start it now.
  cluster.run('scontrol', ['update', `JobId=${array}_1`, 'StartTime=now']);
  const env = { ...cluster.env, ...settings, PROBELAB_DIR: ROOT, PROBELAB_LOGS: path.join(out, 'logs') };
  const sbatch = (args: string[]) =>
    execFileSync('sbatch', ['--parsable', `--chdir=${ROOT}`, ...args], { env, encoding: 'utf8' }).trim();
  const again = sbatch([
    '--array=3',
    '--cpus-per-task=1',
    '--mem=1G',
    `--output=${path.join(out, 'logs', 'slurm-shard-%A_%a.out')}`,
    'deploy/slurm/shards.sbatch',
  ]);
  expect(states(await cluster.waitForEnd(`${array}_1`, 240_000))).toEqual(['COMPLETED 0:0']);
  const remerge = sbatch([
    `--dependency=afterany:${again}`,
    `--output=${path.join(out, 'logs', 'slurm-merge-%j.out')}`,
    'deploy/slurm/merge.sbatch',
  ]);
  expect(states(await cluster.waitForEnd(again, 240_000))).toEqual(['COMPLETED 0:0']);
  expect(states(await cluster.waitForEnd(remerge, 60_000))).toEqual(['COMPLETED 0:0']);
  expect(tableDigest(path.join(out, 'smoke'))).toEqual(await referenceDigest());
  // Every attempt its own log: the requeued task's second attempt, the resubmitted index's first.
  expect(
    readdirSync(path.join(out, 'logs'))
      .filter((f) => f.endsWith('.jsonl'))
      .sort(),
  ).toEqual([
    `shard-1-of-3.job-${array}.attempt-1.jsonl`,
    `shard-1-of-3.job-${array}.attempt-2.jsonl`,
    `shard-2-of-3.job-${array}.attempt-1.jsonl`,
    `shard-3-of-3.job-${again}.attempt-1.jsonl`,
  ]);
});
