// One run of a config: validate and plan (nothing written yet), lock the run folder, run what
// is not done, publish, summarise. The programmatic entry used by the CLI and by tests.
import { mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../config/load';
import type { ValidConfig } from '../config/validate';
import { experimentKinds, jobKinds } from '../experiments/index';
import { writeJsonAtomic } from '../files';
import { buildPlan, type Plan } from '../plan/build-plan';
import { EXIT } from './exit-codes';
import { Journal, lastEventById, readJournal } from './journal';
import { acquireLock } from './lock';
import { createJobPool } from './pool';
import { createProgress, type KindTotals, type ProgressMode } from './progress';
import { publishJobs } from './publish';
import { buildReportAfterRun } from '../report/build-report';
import { RunFolder } from './run-folder';
import { initialOutcomes, runScheduler, type JobOutcome } from './scheduler';
import { summarize, type RunSummary } from './summary';

export interface RunOptions {
  /** Config file (JSON or YAML), as the user named it. */
  config: string;
  /** Folder holding run folders; default: the config's `defaults.outputDir`, relative to `cwd`. */
  out?: string;
  cwd?: string;
  workers?: number;
  retries?: number;
  timeoutSeconds?: number;
  workerMemoryMb?: number;
  force?: boolean;
  rerunFailed?: boolean;
  failFast?: boolean;
  progress?: ProgressMode;
  /** Where log lines go (default: stdout). */
  log?: (line: string) => void;
  /** Aborting stops the run cleanly: running jobs are ended and stay pending, the lock is released. */
  signal?: AbortSignal;
}

export interface PlannedRun {
  config: ValidConfig;
  plan: Plan;
  folder: RunFolder;
}

/** Loads, validates and plans a config; throws ConfigError (exit code 2) and writes nothing. */
export function planRun(options: Pick<RunOptions, 'config' | 'out' | 'cwd'>): PlannedRun {
  const cwd = options.cwd ?? process.cwd();
  const config = loadConfig(options.config, experimentKinds, cwd);
  const plan = buildPlan(config, jobKinds);
  const folder = new RunFolder(path.resolve(cwd, options.out ?? config.defaults.outputDir, config.name));
  return { config, plan, folder };
}

/**
 * Runs a config to the end. Throws ConfigError (exit code 2) before writing anything, or
 * LockHeldError (exit code 3) when another live run holds the folder; otherwise resolves with
 * the summary, whose `exitCode` is 0 when every job is done and 1 when some failed or were blocked.
 */
export async function runExperiments(options: RunOptions): Promise<RunSummary> {
  const startedAt = Date.now();
  const { config, plan, folder } = planRun(options);
  const defaults = config.defaults;
  const workers = options.workers ?? defaults.workers ?? os.availableParallelism();
  const retries = options.retries ?? defaults.retries ?? 1;
  const timeoutSeconds = options.timeoutSeconds ?? defaults.timeoutSeconds;
  const workerMemoryMb = options.workerMemoryMb ?? defaults.workerMemoryMb;
  const log = options.log ?? ((line: string) => process.stdout.write(`${line}\n`));

  mkdirSync(folder.jobsDir, { recursive: true });
  const lock = acquireLock(folder.lockFile);
  const stop = new AbortController();
  const onAbort = () => stop.abort();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  if (options.signal?.aborted) stop.abort();
  try {
    if (lock.tookOverFrom) log(`took over the lock of a run that is gone (pid ${lock.tookOverFrom.pid}, started ${lock.tookOverFrom.startedAt})`);
    folder.removeLeftovers();
    const previous = lastEventById(readJournal(folder.journalFile));
    writeJsonAtomic(folder.planFile, { name: plan.name, config: path.resolve(options.cwd ?? process.cwd(), options.config), codeVersion: plan.codeVersion, jobs: plan.jobs });

    const flags = { force: !!options.force, rerunFailed: !!options.rerunFailed };
    const outcomes = initialOutcomes({ plan, folder, previous, ...flags });
    const toRun = [...outcomes.values()].filter((o) => o.state === 'pending').length;
    const journal = new Journal(folder.journalFile);
    journal.append({ event: 'run-started', pid: process.pid, config: options.config, jobs: plan.jobs.length, toRun });
    const progress = createProgress(options.progress ?? 'auto', log);
    log(`${plan.name}: ${plan.jobs.length} jobs, ${plan.jobs.length - toRun} already done or failed, ${toRun} to run${toRun ? ` on ${Math.min(workers, toRun)} workers` : ''} → ${folder.dir}`);
    progress.start(kindTotals(plan, outcomes));
    try {
      await runScheduler(
        {
          plan,
          folder,
          journal,
          progress,
          createPool: () => createJobPool({ workers: Math.min(workers, toRun), workerMemoryMb }),
          workers: Math.min(workers, toRun),
          retries,
          timeoutMs: timeoutSeconds === undefined ? undefined : timeoutSeconds * 1000,
          failFast: !!options.failFast,
          previous,
          stop: stop.signal,
          ...flags,
        },
        outcomes,
      );
    } finally {
      progress.stop();
    }

    const done = plan.jobs.filter((job) => outcomes.get(job.id)!.state === 'done');
    publishJobs(folder, done);
    const summary = summarize(plan, folder, outcomes, Date.now() - startedAt, stop.signal.aborted);
    writeJsonAtomic(folder.summaryFile, summary);
    buildReportAfterRun(folder.dir, log);
    journal.append({ event: 'run-finished', pid: process.pid, exitCode: summary.exitCode, ms: summary.ms });
    journal.flush();
    for (const line of summaryLines(summary)) log(line);
    return summary;
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
    lock.release();
  }
}

function kindTotals(plan: Plan, outcomes: Map<string, JobOutcome>): KindTotals[] {
  const totals = new Map<string, KindTotals>();
  for (const job of plan.jobs) {
    const t = totals.get(job.kind) ?? { kind: job.kind, total: 0, done: 0, failed: 0 };
    const state = outcomes.get(job.id)!.state;
    t.total++;
    if (state === 'done') t.done++;
    if (state === 'failed') t.failed++;
    totals.set(job.kind, t);
  }
  return [...totals.values()];
}

function summaryLines(summary: RunSummary): string[] {
  const c = summary.counts;
  const lines = [
    `${summary.interrupted ? 'stopped' : 'finished'} in ${(summary.ms / 1000).toFixed(1)} s: ${c.done} done (${c.ranNow} now), ${c.failed} failed, ${c.blocked} blocked, ${c.pending} pending → ${summary.runDir}`,
  ];
  for (const f of summary.failures) lines.push(`  failed ${f.key} [${f.id}]: ${f.error}`);
  if (summary.failures.some((f) => f.earlier)) lines.push('  (jobs that failed in an earlier run are not retried; use --rerun-failed)');
  return lines;
}

export { EXIT };
