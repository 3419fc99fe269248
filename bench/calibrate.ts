// `npm run bench -- calibrate` (or `node dist/bench/index.js calibrate [CONFIG...]`): measures the
// cost model (src/plan/cost-model.ts) on this machine. Runs each config fresh with two workers,
// reads each job's kind, planned units (plan.json) and CPU seconds (journal.jsonl), fits seconds =
// perJob + perUnit × units per kind, and the run's own overhead (node start, planning, hashing,
// publishing, the report: the run's CPU less its jobs') against its job count; writes
// src/plan/cost-calibration.json and prints, per config, the estimate against the measured CPU.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Plan } from '../src/plan/build-plan';
import {
  type CostCalibration,
  estimatedRunSeconds,
  fitCalibration,
  type MeasuredJob,
  RUN_OVERHEAD,
} from '../src/plan/cost-model';
import { readJournal } from '../src/runner/journal';
import { childCpuSeconds, ROOT } from './paths';

const CLI = path.join(ROOT, 'dist', 'src', 'cli.js');
const CONFIGS = [
  'configs/smoke.json',
  'configs/claims-smoke.json',
  'configs/attribution-smoke.json',
  'configs/all.json',
];
const WORKERS = 2;

interface MeasuredRun {
  config: string;
  jobs: MeasuredJob[];
  /** CPU seconds of the whole run (all threads). */
  cpu: number;
  wall: number;
}

function measure(config: string, out: string): MeasuredRun {
  const cpuBefore = childCpuSeconds();
  const started = performance.now();
  const run = spawnSync(
    process.execPath,
    [CLI, config, '--out', out, '--workers', String(WORKERS), '--progress', 'none'],
    {
      cwd: ROOT,
      encoding: 'utf8',
    },
  );
  const wall = (performance.now() - started) / 1000;
  const cpu = childCpuSeconds() - cpuBefore;
  if (run.status !== 0)
    throw new Error(`${config} exited with ${run.status}: ${run.stderr}${run.stdout.slice(-2000)}`);
  const runDir = run.stdout.match(/→ (\S+)\s*$/m)?.[1];
  if (!runDir) throw new Error(`${config}: no run folder in the output:\n${run.stdout.slice(-2000)}`);
  const plan = JSON.parse(readFileSync(path.join(runDir, 'plan.json'), 'utf8')) as Plan;
  const byId = new Map(plan.jobs.map((job) => [job.id, job]));
  const jobs = readJournal(path.join(runDir, 'journal.jsonl')).flatMap((event) => {
    if (event.event !== 'finished' || !('id' in event)) return [];
    const job = byId.get(event.id)!;
    // The worker thread's CPU where the journal has it (Linux), else the job's wall time.
    return [{ kind: job.kind, units: job.work, seconds: (event.cpuMs ?? event.ms) / 1000 }];
  });
  return { config, jobs, cpu, wall };
}

export async function benchCalibrate(configs = CONFIGS): Promise<CostCalibration> {
  const out = mkdtempSync(path.join(os.tmpdir(), 'probelab-calibrate-'));
  // A busy machine stretches CPU times too (shared caches): the file says how busy it was.
  const loadBefore = os.loadavg()[0];
  try {
    const runs = configs.map((config, i) => measure(config, path.join(out, String(i))));
    const overheads: MeasuredJob[] = runs.map((run) => ({
      kind: RUN_OVERHEAD,
      units: run.jobs.length,
      seconds: Math.max(0, run.cpu - run.jobs.reduce((sum, job) => sum + job.seconds, 0)),
    }));
    const calibration = fitCalibration(
      [...runs.flatMap((run) => run.jobs), ...overheads],
      `npm run bench -- calibrate: ${configs.join(', ')} run fresh with ${WORKERS} workers on ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'unknown CPU'}, ${new Date().toISOString().slice(0, 10)}, load average ${loadBefore.toFixed(1)} before and ${os.loadavg()[0].toFixed(1)} after`,
    );
    const file = path.join(ROOT, 'src', 'plan', 'cost-calibration.json');
    writeFileSync(file, `${JSON.stringify(calibration, null, 2)}\n`);
    console.log(`\nCost model calibrated: ${file} (npm run build to use it)`);
    console.table(
      runs.map((run) => {
        const estimate = estimatedRunSeconds(run.jobs, calibration);
        return {
          config: run.config,
          jobs: run.jobs.length,
          'estimated CPU (s)': estimate.toFixed(1),
          'measured CPU (s)': run.cpu.toFixed(1),
          'estimate ÷ measured': (estimate / run.cpu).toFixed(2),
          'wall (s)': run.wall.toFixed(1),
        };
      }),
    );
    return calibration;
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}
