// The Slurm deployment on a real single-node Slurm (started here, stopped by PID), through
// deploy/slurm/submit.sh:
// - shards mode: the smoke config as 3 closed groups merges to the tables of one unsharded run;
// - stages mode, speed: a reduced configs/all.json (3 seeds, a curves experiment) as stages of
//   1-CPU tasks on a node of 2 CPUs and as one 1-CPU task merge to the same tables; both wall
//   times and their ratio are printed (a measurement, not a pass mark: timings are not asserted);
// - stages mode, faults: a task requeued mid-run, a task cancelled in each stage and one killed
//   with kill -9: each merge names them and exits 1, and pasting the rerun lines it prints ends
//   in the same tables.
// Run with `npm run test:system` (root, Debian's slurm-wlm and munge); not part of `npm test`.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { readJournal } from '../../src/runner/journal';
import { readLock } from '../../src/runner/lock';
import { ROOT, sleep } from '../helpers/runner';
import { tempDir } from '../helpers/temp-dir';
import { type JobInfo, SlurmCluster } from '../helpers/slurm-cluster';
import { tableDigest } from '../helpers/table-digest';

const STAGED = path.join(ROOT, 'test', 'system', 'staged.json');
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

/** Runs deploy/slurm/submit.sh with these settings; the arrays' and the merge's job ids. */
function submit(settings: Record<string, string>): { arrays: string[]; merge: string; stdout: string } {
  const stdout = execFileSync('bash', [path.join(ROOT, 'deploy', 'slurm', 'submit.sh')], {
    env: { ...cluster.env, ...settings },
    encoding: 'utf8',
  });
  const arrays = [...stdout.matchAll(/^(?:stage \d+\/\d+|shards): job array (\d+)/gm)].map((m) => m[1]);
  const merge = /^merge: job (\d+)/m.exec(stdout)?.[1];
  expect({ arrays: arrays.length > 0, merge, stdout }).toEqual({
    arrays: true,
    merge: expect.any(String),
    stdout,
  });
  return { arrays, merge: merge!, stdout };
}

const states = (jobs: JobInfo[]) => jobs.map((job) => `${job.JobState} ${job.ExitCode}`);
const mergeLog = (logs: string, id: string) => readFileSync(path.join(logs, `slurm-merge-${id}.out`), 'utf8');

/** Pastes the rerun lines a merge log printed into bash; the new merge's job id. */
function pasteReruns(log: string): string {
  const lines = log.split('\n');
  const start = lines.findIndex((line) => line.startsWith('rerun what is missing on Slurm'));
  const block = [];
  for (const line of lines.slice(start + 1)) {
    if (!line.startsWith('  ')) break;
    block.push(line.trim());
  }
  expect(block.at(-1)).toMatch(/^env .* sbatch --dependency=afterany:\$\{rerun\d+%%;\*\} .*merge\.sbatch$/);
  const stdout = execFileSync('bash', ['-euc', block.join('\n')], { env: cluster.env, encoding: 'utf8' });
  return /Submitted batch job (\d+)/.exec(stdout)![1];
}

/** Waits until a task's run folder journal shows an event (by default a job finished: the task is under way). */
async function whenUnderWay(folder: string, event = 'finished', timeoutMs = 600_000): Promise<void> {
  const journal = path.join(folder, 'journal.jsonl');
  const started = Date.now();
  while (!(existsSync(journal) && readJournal(journal).some((e) => e.event === event))) {
    if (Date.now() - started > timeoutMs)
      throw new Error(`no job finished in ${folder} within ${timeoutMs} ms`);
    await sleep(50);
  }
}

/** Wall time from submit.sh to the end of its merge job (merged tables in place). */
async function timedSubmission(
  settings: Record<string, string>,
): Promise<{ seconds: number; merge: JobInfo; timeline: string }> {
  const started = Date.now();
  const { arrays, merge } = submit(settings);
  const [ended] = await cluster.waitForEnd(merge, 1_200_000);
  const seconds = (Date.now() - started) / 1000;
  return { seconds, merge: ended, timeline: timeline(started, [...arrays, merge]) };
}

/** When each job's tasks ran, in seconds from the submission (Slurm's whole-second clock). */
function timeline(submitted: number, ids: string[]): string {
  const at = (time: string) => ((Date.parse(`${time}Z`) - submitted) / 1000).toFixed(0);
  return ids
    .map((id) =>
      cluster
        .jobs(id)
        .map(
          (job) =>
            `${job.JobName}${job.ArrayTaskId ? `[${job.ArrayTaskId}]` : ''} ${at(job.StartTime)}–${at(job.EndTime)} s`,
        )
        .join(', '),
    )
    .join('; ');
}

test('shards: 3 closed groups through submit.sh, merged by the dependent job = one unsharded run', async () => {
  const out = path.join(work, 'sharded');
  const one = path.join(work, 'unsharded');
  const common = {
    PROBELAB_CONFIG: 'configs/smoke.json',
    PROBELAB_MODE: 'shards',
    PROBELAB_CPUS: '1',
    PROBELAB_MEM: '1G',
  };
  const { arrays, merge, stdout } = submit({ ...common, PROBELAB_SHARDS: '3', PROBELAB_OUT: out });
  expect(stdout).toMatch(/^estimated cost per shard/m);
  expect(states(await cluster.waitForEnd(arrays[0], 900_000))).toEqual(Array(3).fill('COMPLETED 0:0'));
  const [merged] = await cluster.waitForEnd(merge, 300_000);
  expect({ state: states([merged]), log: mergeLog(path.join(out, 'logs'), merge) }).toEqual({
    state: ['COMPLETED 0:0'],
    log: expect.stringContaining('32 jobs, 32 done, 0 failed, 0 blocked, 0 pending'),
  });
  const reference = await timedSubmission({ ...common, PROBELAB_SHARDS: '1', PROBELAB_OUT: one });
  expect(states([reference.merge])).toEqual(['COMPLETED 0:0']);
  const digest = tableDigest(path.join(one, 'smoke'));
  expect(digest.files).toBeGreaterThan(30);
  expect(digest.leftOut).toEqual(['seconds']); // the training time; every other field must agree
  expect(tableDigest(path.join(out, 'smoke'))).toEqual(digest);
  const logs = readdirSync(path.join(out, 'logs')).filter((f) => f.endsWith('.jsonl'));
  expect(logs.sort()).toEqual([1, 2, 3].map((k) => `shard-${k}-of-3.job-${arrays[0]}.attempt-1.jsonl`));
}, 1_200_000);

let stagedDigest: ReturnType<typeof tableDigest> | undefined;

test('stages of 1-CPU tasks on 2 CPUs merge to the tables of one 1-CPU task; both wall times printed', async () => {
  const common = { PROBELAB_CONFIG: STAGED, PROBELAB_CPUS: '1', PROBELAB_MEM: '1G' };
  const single = await timedSubmission({
    ...common,
    PROBELAB_MODE: 'shards',
    PROBELAB_SHARDS: '1',
    PROBELAB_OUT: path.join(work, 'single'),
  });
  const staged = await timedSubmission({
    ...common,
    PROBELAB_MODE: 'stages',
    PROBELAB_TASKS: '2',
    PROBELAB_OUT: path.join(work, 'staged'),
  });
  const ratio = staged.seconds / single.seconds;
  process.stdout.write(
    `staged speed-up (${STAGED}, submit to merged tables): one 1-CPU task ${single.seconds.toFixed(1)} s, stages of 1-CPU tasks on 2 CPUs ${staged.seconds.toFixed(1)} s, ratio ${ratio.toFixed(2)}\n  one task: ${single.timeline}\n  stages: ${staged.timeline}\n`,
  );
  expect(states([single.merge, staged.merge])).toEqual(['COMPLETED 0:0', 'COMPLETED 0:0']);
  stagedDigest = tableDigest(path.join(work, 'single', 'staged'));
  expect(stagedDigest.files).toBeGreaterThan(30);
  expect(tableDigest(path.join(work, 'staged', 'staged'))).toEqual(stagedDigest);
}, 2_400_000);

test('stages, faults: requeue, a cancel in each stage, kill -9; each merge names them, its rerun lines finish the job', async () => {
  const out = path.join(work, 'faults');
  const logs = path.join(out, 'logs');
  const folder = (stage: number, task: number) =>
    path.join(out, `staged-stage-${stage}-of-2-shard-${task}-of-2`);
  const { arrays, merge } = submit({
    PROBELAB_CONFIG: STAGED,
    PROBELAB_TASKS: '2',
    PROBELAB_CPUS: '1',
    PROBELAB_MEM: '1G',
    PROBELAB_OUT: out,
  });
  expect(arrays).toHaveLength(2); // trainings (and the probes that fit beside them); the rest

  // Stage 1 (task 1: two trainings; task 2: one, its first probes and the gradient problems): task 2 cancelled as
  // soon as it starts, task 1 requeued once its first training is done (its second attempt resumes).
  await whenUnderWay(folder(1, 2), 'run-started');
  cluster.run('scancel', [`${arrays[0]}_2`]);
  await whenUnderWay(folder(1, 1));
  cluster.run('scontrol', ['requeue', `${arrays[0]}_1`]);
  // Slurm holds a requeued job for about two minutes (Reason=BeginTime); start it now.
  cluster.run('scontrol', ['update', `JobId=${arrays[0]}_1`, 'StartTime=now']);
  const [first] = await cluster.waitForEnd(merge, 600_000);
  let log = mergeLog(logs, merge);
  expect(states([first])).toEqual(['FAILED 1:0']);
  expect(log).toMatch(/stage 1\/2 shard 2\/2 interrupted: \d+ of \d+ jobs done, stopped by a signal/);
  expect(log).not.toMatch(/stage 1\/2 shard 1\/2/); // requeued, complete on its second attempt
  // The later stages found their inputs missing: no folder, named with the command that runs them.
  expect(log).toMatch(
    new RegExp(
      `stage 2/2 shard 1/2 missing: .*rerun: npx run-experiments ${STAGED} --stage 2/2 --shard 1/2 --out ${out}`,
    ),
  );
  expect(log).toContain('stage 2/2 shard 2/2 missing');
  expect(readdirSync(logs)).toContain(`stage-1-of-2-shard-1-of-2.job-${arrays[0]}.attempt-2.jsonl`);

  // Round 2: the printed lines rerun stage 1's task 2, then stage 2; there, cancel one task and kill the other.
  const second = pasteReruns(log);
  await whenUnderWay(folder(2, 1));
  const stage2 = runningArrayTask(out, 2);
  await whenUnderWay(folder(2, 2));
  cluster.run('scancel', [`${stage2}_1`]);
  const pid = readLock(path.join(folder(2, 2), 'lock'))!.pid;
  execFileSync('kill', ['-9', String(pid)]);
  const [secondEnd] = await cluster.waitForEnd(second, 600_000);
  log = mergeLog(logs, second);
  expect(states([secondEnd])).toEqual(['FAILED 1:0']);
  expect(log).toMatch(/stage 2\/2 shard 1\/2 interrupted: .*stopped by a signal/);
  expect(log).toMatch(/stage 2\/2 shard 2\/2 interrupted: .*killed before it finished/);
  expect(log).not.toMatch(/stage 1\/2 shard/);

  // Round 3: stage 2 again: complete, and the tables of one 1-CPU task.
  const third = pasteReruns(log);
  expect(states(await cluster.waitForEnd(third, 600_000))).toEqual(['COMPLETED 0:0']);
  expect(mergeLog(logs, third)).toMatch(/\d+ jobs, (\d+) done, 0 failed, 0 blocked, 0 pending/);
  expect(tableDigest(path.join(out, 'staged'))).toEqual(stagedDigest);
}, 3_600_000);

/** The array job id of the running tasks of a stage, from squeue (the rerun lines submit new arrays). */
function runningArrayTask(out: string, stage: number): string {
  void out;
  const lines = cluster.run('squeue', ['-h', '-o', '%F %j %T']).trim().split('\n');
  const match = lines.find((line) => line.split(' ')[1] === `probelab-stage-${stage}`);
  if (!match) throw new Error(`no job of stage ${stage} in the queue:\n${lines.join('\n')}`);
  return match.split(' ')[0];
}
