// The runner's three targets, each the median of several runs:
//   - a CPU-bound sweep on 1 and 2 workers: speed-up ≥ 1.8× on 2 cores;
//   - a no-op rerun of a finished configs/all.json (the CLI as a user starts it): ≤ 2 s;
//   - scheduler overhead: 10,000 trivial jobs ≤ 10 s, through the CLI.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { Worker } from 'node:worker_threads';
import path from 'node:path';
import { runExperiments, planRun } from '../src/runner/run';
import { initialOutcomes } from '../src/runner/outcomes';
import { median } from '../src/statistics';
import { childCpuSeconds, ROOT } from './paths';

const CLI = path.join(ROOT, 'dist', 'src', 'cli.js');
const quiet = { progress: 'none' as const, log: () => {} };

type Row = Record<string, string | number>;

function tempConfig(config: unknown): { dir: string; file: string } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'probelab-bench-'));
  const file = path.join(dir, 'bench.json');
  writeFileSync(file, JSON.stringify(config));
  return { dir, file };
}

/** CPU seconds of this process, all threads (the runner and its workers): what load on the machine cannot inflate much. */
function cpuSeconds(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
}

const cpuTimes = new Map<string, number[]>();

/**
 * Run folders are removed only after the last measurement: on ext4 without a journal (as on
 * these machines) creating files within 30 s of deleting thousands is several times slower
 * (the allocator skips recently deleted inodes one by one), which would bill one run's clean-up
 * to the next run.
 */
const toRemove: string[] = [];

async function timedRun(config: unknown, workers: number, label: string): Promise<number> {
  const { dir, file } = tempConfig(config);
  const started = performance.now();
  const cpu = cpuSeconds();
  const summary = await runExperiments({ config: file, cwd: dir, workers, ...quiet });
  const seconds = (performance.now() - started) / 1000;
  cpuTimes.set(label, [...(cpuTimes.get(label) ?? []), cpuSeconds() - cpu]);
  toRemove.push(dir);
  if (summary.exitCode !== 0) throw new Error(`bench run failed: ${JSON.stringify(summary.failures)}`);
  return seconds;
}

const cpuOf = (label: string) => `${median(cpuTimes.get(label)!).toFixed(2)} s`;

/** Wall time of the CLI running a config to the end, as a user starts it (node start and module loading included). */
function timedCliRun(config: unknown, workers: number, label: string): number {
  const { dir, file } = tempConfig(config);
  const cpu = childCpuSeconds();
  const started = performance.now();
  const run = spawnSync(process.execPath, [CLI, file, '--workers', String(workers), '--progress', 'none'], {
    cwd: dir,
    encoding: 'utf8',
  });
  const seconds = (performance.now() - started) / 1000;
  cpuTimes.set(label, [...(cpuTimes.get(label) ?? []), childCpuSeconds() - cpu]);
  toRemove.push(dir);
  if (run.status !== 0)
    throw new Error(
      `bench run of ${file} exited with ${run.status}: ${run.stderr}${run.stdout.slice(-2000)}`,
    );
  return seconds;
}

/** Wall time of the CLI on a config whose run folder is finished: node start, load, plan, check, publish. */
function noopRerunSeconds(config: string, out: string | undefined, repeats: number): number[] {
  const times: number[] = [];
  for (let r = 0; r < repeats; r++) {
    const started = performance.now();
    const run = spawnSync(process.execPath, [CLI, config, ...(out ? ['--out', out] : [])], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    times.push((performance.now() - started) / 1000);
    if (run.status !== 0)
      throw new Error(`no-op rerun of ${config} exited with ${run.status}: ${run.stderr}`);
    if (!/ 0 to run/.test(run.stdout)) throw new Error(`rerun of ${config} was not a no-op:\n${run.stdout}`);
  }
  return times;
}

const fmt = (seconds: number) => `${seconds.toFixed(2)} s`;

/** Speed-up of two bare threads burning CPU over one: ~2 on an idle 2-core machine, ~1 when others use a core. */
async function bareThreadSpeedup(): Promise<number> {
  const burn = `let x = 1; for (let i = 0; i < 1.5e8; i++) { x ^= x << 13; x ^= x >>> 17; x ^= x << 5; } require('node:worker_threads').parentPort.postMessage(x);`;
  const wall = async (threads: number) => {
    const started = performance.now();
    await Promise.all(
      Array.from(
        { length: threads },
        () =>
          new Promise((resolve, reject) =>
            new Worker(burn, { eval: true }).once('message', resolve).once('error', reject),
          ),
      ),
    );
    return performance.now() - started;
  };
  return (2 * (await wall(1))) / (await wall(2));
}

export async function benchRunner(): Promise<Row[]> {
  const rows: Row[] = [];
  const REPEATS = 3;

  // 1. CPU-bound sweep: 24 jobs of ~700 ms of work each (about 17 s on one core; the threads' start, ~1 s, is included).
  const sweep = { experiments: [{ name: 'spin', kind: 'selftest', jobs: 24, ms: 700, rows: 1 }] };
  const one: number[] = [];
  const two: number[] = [];
  const probes: number[] = [];
  for (let r = 0; r < REPEATS; r++) {
    probes.push(await bareThreadSpeedup());
    one.push(await timedRun(sweep, 1, 'one'));
    two.push(await timedRun(sweep, 2, 'two'));
  }
  const speedup = median(one) / median(two);
  rows.push({
    benchmark: 'CPU-bound sweep, 1 worker (24 × 700 ms)',
    median: fmt(median(one)),
    'cpu (all threads)': cpuOf('one'),
    runs: REPEATS,
    target: '',
    verdict: '',
  });
  rows.push({
    benchmark: 'CPU-bound sweep, 2 workers',
    median: fmt(median(two)),
    'cpu (all threads)': cpuOf('two'),
    runs: REPEATS,
    target: '',
    verdict: '',
  });
  rows.push({
    benchmark: 'machine check: 2 bare threads / 1 (same work each)',
    median: `${median(probes).toFixed(2)}×`,
    'cpu (all threads)': '',
    runs: REPEATS,
    target: '~2 when idle',
    verdict: median(probes) >= 1.8 ? 'idle' : 'BUSY: wall times unreliable',
  });
  rows.push({
    benchmark: 'speed-up 2 workers / 1',
    median: `${speedup.toFixed(2)}×`,
    'cpu (all threads)': '',
    runs: REPEATS,
    target: '≥ 1.8×',
    verdict: speedup >= 1.8 ? 'ok' : 'MISSED',
  });

  // 2. No-op rerun of configs/all.json in its own run folder (outputs/all), finished first when cheap.
  const allConfig = path.join('configs', 'all.json');
  const planned = planRun({ config: allConfig, cwd: ROOT });
  const outcomes = initialOutcomes({
    plan: planned.plan,
    folder: planned.folder,
    previous: new Map(),
    force: false,
    rerunFailed: true,
  });
  const missing = planned.plan.jobs.filter((job) => outcomes.get(job.id)!.state !== 'done');
  const missingCost = missing.reduce((sum, job) => sum + job.cost, 0);
  if (missing.length > 0 && missingCost < 300) {
    const summary = await runExperiments({ config: allConfig, cwd: ROOT, ...quiet });
    if (summary.exitCode !== 0)
      throw new Error(`configs/all.json did not finish: ${JSON.stringify(summary.failures)}`);
  }
  if (missing.length === 0 || missingCost < 300) {
    const times = noopRerunSeconds(allConfig, undefined, 5);
    rows.push({
      benchmark: `no-op rerun of configs/all.json (${planned.plan.jobs.length} jobs, CLI)`,
      median: fmt(median(times)),
      runs: times.length,
      target: '≤ 2 s',
      verdict: median(times) <= 2 ? 'ok' : 'MISSED',
    });
  } else {
    rows.push({
      benchmark: 'no-op rerun of configs/all.json',
      median: 'n/a',
      runs: 0,
      target: '≤ 2 s',
      verdict: `not finished: run \`run-experiments configs/all.json\` first (${missing.length} jobs left)`,
    });
  }
  // The same at a larger size, whatever all.json holds today: 2,000 jobs, each publishing a table.
  const big = tempConfig({ experiments: [{ name: 'many', kind: 'selftest', jobs: 2000, rows: 2 }] });
  await runExperiments({ config: big.file, cwd: big.dir, ...quiet });
  const bigTimes = noopRerunSeconds(big.file, path.join(big.dir, 'outputs'), 5);
  toRemove.push(big.dir);
  rows.push({
    benchmark: 'no-op rerun, 2,000 jobs publishing tables (CLI)',
    median: fmt(median(bigTimes)),
    runs: bigTimes.length,
    target: '≤ 2 s',
    verdict: median(bigTimes) <= 2 ? 'ok' : 'MISSED',
  });

  // 3. Scheduler overhead: 10,000 jobs that do nothing, on 2 workers, from starting the CLI to its
  // summary and report (each job still gets its folder and result.json, and two journal lines).
  const trivial = { experiments: [{ name: 'trivial', kind: 'selftest', jobs: 10000, rows: 0 }] };
  const overhead: number[] = [];
  for (let r = 0; r < REPEATS; r++) overhead.push(timedCliRun(trivial, 2, 'trivial'));
  rows.push({
    benchmark: '10,000 trivial jobs, 2 workers (CLI)',
    median: fmt(median(overhead)),
    'cpu (all threads)': cpuOf('trivial'),
    runs: REPEATS,
    target: '≤ 10 s',
    verdict: median(overhead) <= 10 ? 'ok' : 'MISSED',
  });

  for (const dir of toRemove) rmSync(dir, { recursive: true, force: true });
  const [load1] = os.loadavg();
  console.log(
    `\nrunner (${os.availableParallelism()} cores, load average at the end ${load1.toFixed(1)}: wall times mean little above ~1; medians)`,
  );
  console.table(rows);
  return rows;
}

if (require.main === module) void benchRunner();
