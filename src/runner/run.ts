// One run of a config: validate and plan (nothing written yet), lock the run folder, run what
// is not done, publish, summarise. The programmatic entry used by the CLI and by tests.
import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../config/load';
import type { LoadedConfig } from '../config/load';
import { experimentKinds, jobKinds } from '../jobs/registry';
import { createHash } from 'node:crypto';
import { isDiskFull, WriteError, writeJsonAtomic, writing } from '../files';
import { canonicalJson } from '../canonical-json';
import { buildPlan, type Plan } from '../plan/build-plan';
import { estimatedRunSeconds } from '../plan/cost-model';
import { formatDuration } from '../duration';
import { checkConfigData } from '../plan/data-identity';
import { type DataHashCache, readHashCache } from '../data/check';
import { EXIT } from '../exit-codes';
import { Journal, lastEventById, readJournal, type JournalEvent } from './journal';
import { jobLogEvent, type LogFields } from './log';
import { selectOnly } from './select';
import { balanceOf, formatShard, selectShard, shardLoads, type Balance, type Shard } from './shard';
import {
  selectStageTask,
  type Stage,
  stageFolderName,
  stageLayout,
  TASK_START_SECONDS,
  type StageLoad,
} from './stage';
import { type FoundInput, importInputs, locateInputs, MissingInputsError } from './stage-inputs';
import { runCommand } from './shard-report';
import { acquireLock, type HeldLock, isLive, readLock } from './lock';
import { createJobPool } from './pool';
import { workerLimits } from './worker-limits';
import { addCost, costSince, formatHashing, hashCost, type HashCost } from './hash-cache';
import {
  createEventProgress,
  createProgress,
  HEARTBEAT_MS,
  type ProgressMode,
  teeProgress,
} from './progress';
import { ProgressRecorder } from './progress-file';
import { publishedFiles, publishJobs, removeUnpublished } from './publish';
import { RunFolder } from './run-folder';
import { type Counts, countStates, initialOutcomes, type Outcomes } from './outcomes';
import { runScheduler } from './scheduler';
import { runSettings } from '../config/settings';
import type { RunSelection } from './selection';
import { summarize, type RunSummary } from './summary';
import { checkJobMemory } from './memory-check';
import { defaultMaxMemory } from '../models/memory';
import { formatTable } from './text-table';

export interface RunOptions {
  /** Config file (JSON or YAML), as the user named it. */
  config: string;
  /** `field=value` overrides of the config's contents, as on the command line. */
  overrides?: readonly string[];
  /** Folder holding run folders; default: the config's `defaults.outputDir`, relative to `cwd`. */
  out?: string;
  cwd?: string;
  workers?: number;
  retries?: number;
  timeoutSeconds?: number;
  workerMemoryMb?: number;
  /** Bytes one job may need (its network's estimate, see models/memory.ts); default: memory / workers. */
  maxMemory?: number;
  force?: boolean;
  rerunFailed?: boolean;
  failFast?: boolean;
  progress?: ProgressMode;
  /** A log (progress lines or --log json) that has been silent this long says which jobs are running (default 60 s). */
  heartbeatMs?: number;
  /** Where log lines go (default: stdout). */
  log?: (line: string) => void;
  /** Structured events for `--log json` (see log.ts): run-start, job-*, run-end. */
  events?: (event: string, fields: LogFields, level?: 'info' | 'error') => void;
  /** Only these experiments or kinds (and the jobs they need). */
  only?: string[];
  /** Only this share of the job graph; the run folder becomes `<name>-shard-k-of-n`. */
  shard?: Shard;
  /**
   * Only this stage of the job graph (with `shard`: task k of a budget of N tasks, default 1/1);
   * the run folder becomes `<name>-stage-s-of-S-shard-k-of-N`, and the jobs it needs from earlier
   * stages are read from their tasks' folders beside it.
   */
  stage?: Stage;
  /** --dry-run only: the stage layout for at most this many tasks per stage. */
  stages?: number;
  /** Aborting stops the run cleanly: running jobs are ended and stay pending, the lock is released. */
  signal?: AbortSignal;
  /**
   * Builds the run folder's report once its summary is written, while the run still holds its
   * lock. The command layer passes it (report/build-report.ts): the runner knows no report.
   */
  buildReport?: ReportBuilder;
}

/** Builds `<runDir>/report.html`; says on `log` what it wrote or why not, and never throws. */
export type ReportBuilder = (runDir: string, log: (line: string) => void) => void;

export interface PlannedRun {
  config: LoadedConfig;
  /** Every job of the config. */
  whole: Plan;
  /** The jobs this run covers (the whole config unless --only or --shard). */
  plan: Plan;
  folder: RunFolder;
  selection?: RunSelection;
  /** The data files checked at planning: written to the run folder once the run holds its lock. */
  dataHashes: DataHashCache;
  /** With --shard: the cost of the whole selection and of its costliest group of linked jobs. */
  balance?: Balance;
  /** Bytes one job may take (--max-memory, or the machine's memory / workers). */
  jobMemory: number;
  /** With --stage: the jobs of earlier stages this task reads, found intact. */
  inputs?: FoundInput[];
}

/** Loads, validates and plans a config; throws ConfigError or UsageError (exit code 2) and writes nothing. */
export function planRun(
  options: Pick<
    RunOptions,
    'config' | 'overrides' | 'out' | 'cwd' | 'only' | 'shard' | 'stage' | 'workers' | 'maxMemory'
  >,
): PlannedRun {
  const cwd = options.cwd ?? process.cwd();
  const config = loadConfig(options.config, experimentKinds, cwd, options.overrides);
  const outDir = path.resolve(cwd, options.out ?? config.defaults.outputDir);
  const folderName = options.stage
    ? stageFolderName(config.name, options.stage, options.shard ?? { index: 1, count: 1 })
    : options.shard
      ? `${config.name}-shard-${options.shard.index}-of-${options.shard.count}`
      : config.name;
  const folder = new RunFolder(path.join(outDir, folderName));
  const dataHashes = readHashCache(folder.dataHashesFile);
  const whole = buildPlan(config, jobKinds, checkConfigData(config, dataHashes));
  const { workers } = runSettings(options, config.defaults);
  const jobMemory = options.maxMemory ?? defaultMaxMemory(workers);
  checkJobMemory(whole, config, jobMemory);
  let plan = whole;
  if (options.only?.length) plan = selectOnly(plan, config, options.only);
  if (options.stage) {
    const staged = planStageTask(plan, options as StageOptions, outDir);
    const selection: RunSelection = {
      ...(options.only?.length ? { only: [...options.only] } : {}),
      ...staged.selection,
      planJobs: whole.jobs.length,
    };
    return {
      config,
      whole,
      plan: staged.plan,
      folder,
      selection,
      dataHashes,
      jobMemory,
      inputs: staged.inputs,
    };
  }
  // Every shard's share, recorded in plan.json: merge counts a missing shard's jobs from it.
  const shards = options.shard ? shardLoads(plan.jobs, options.shard.count) : undefined;
  const balance = options.shard ? balanceOf(plan.jobs) : undefined;
  if (options.shard) plan = selectShard(plan, options.shard);
  const selection: RunSelection | undefined =
    options.only?.length || options.shard
      ? {
          ...(options.only?.length ? { only: [...options.only] } : {}),
          ...(options.shard ? { shard: formatShard(options.shard), shards } : {}),
          planJobs: whole.jobs.length,
        }
      : undefined;
  return { config, whole, plan, folder, selection, dataHashes, balance, jobMemory };
}

type StageOptions = Pick<RunOptions, 'config' | 'overrides' | 'only' | 'cwd' | 'shard'> & { stage: Stage };

/** One task of a stage: its jobs, where it reads the jobs of earlier stages, and what plan.json records. */
function planStageTask(plan: Plan, options: StageOptions, outDir: string) {
  const shard = options.shard ?? { index: 1, count: 1 };
  const task = selectStageTask(plan, options.stage, shard);
  const label = (stage: Stage, of: Shard) =>
    `--stage ${stage.index}/${stage.count} --shard ${formatShard(of)}`;
  const inputs = locateInputs(task.inputs, task.placement, {
    outDir,
    name: plan.name,
    task: `${plan.name} ${label(options.stage, shard)}`,
    rerun: (place) =>
      runCommand({
        config: path.resolve(options.cwd ?? process.cwd(), options.config),
        overrides: options.overrides,
        only: options.only,
        selection: label(place.stage, place.shard),
        out: outDir,
      }),
  });
  const selection = {
    stage: `${options.stage.index}/${options.stage.count}`,
    stages: task.layout,
    shard: formatShard(shard),
    shards: task.loads,
  };
  return { plan: task.plan, inputs, selection };
}

export interface DryRun {
  name: string;
  runDir: string;
  jobs: number;
  done: number;
  failedEarlier: number;
  blocked: number;
  toRun: number;
  byKind: Record<string, Counts<'done' | 'failedEarlier' | 'blocked' | 'toRun'>>;
  /** CPU seconds the jobs to run are estimated to take, with the run's own (plan/cost-model.ts). */
  estimatedCpuSeconds: number;
  selection?: RunSelection;
  balance?: Balance;
  /** With `stages` (a task budget): every stage's jobs, cost and task count. */
  stages?: StageLoad[];
}

/** --dry-run: what a run would do, read from the config and the run folder; nothing is written or run. */
export function dryRun(options: RunOptions): DryRun {
  const { plan, folder, selection, balance } = planRun(options);
  const previous = lastEventById(readJournal(folder.journalFile));
  const outcomes = initialOutcomes({
    plan,
    folder,
    previous,
    force: !!options.force,
    rerunFailed: !!options.rerunFailed,
    verifyHashes: true,
  });
  // The states under the names a dry run prints.
  const asPlanned = { done: 'done', failed: 'failedEarlier', blocked: 'blocked', pending: 'toRun' } as const;
  const { counts, byKind } = countStates(
    plan.jobs,
    (job) => asPlanned[outcomes.get(job.id)!.state],
    Object.values(asPlanned),
  );
  const { total, ...states } = counts;
  const toRun = plan.jobs.filter((job) => outcomes.get(job.id)!.state === 'pending');
  return {
    name: plan.name,
    runDir: folder.dir,
    jobs: total,
    ...states,
    byKind,
    estimatedCpuSeconds: estimatedRunSeconds(toRun.map((job) => ({ kind: job.kind, units: job.work }))),
    ...(selection ? { selection } : {}),
    ...(balance ? { balance } : {}),
    ...(options.stages ? { stages: stageLayout(plan.jobs, options.stages) } : {}),
  };
}

export function formatDryRun(dry: DryRun): string[] {
  const part = dry.selection
    ? ` (${[dry.selection.only ? `--only ${dry.selection.only.join(',')}` : '', dry.selection.shard ? `--shard ${dry.selection.shard}` : ''].filter(Boolean).join(' ')} of ${dry.selection.planJobs} jobs)`
    : '';
  const lines = [
    `${dry.name}: ${dry.jobs} jobs${part}: ${dry.done} already done, ${dry.failedEarlier} failed earlier, ${dry.blocked} blocked, ${dry.toRun} to run → ${dry.runDir}`,
  ];
  const header = ['kind', 'total', 'done', 'failed', 'blocked', 'to run'];
  const rows = Object.entries(dry.byKind).map(([kind, c]) =>
    [kind, c.total, c.done, c.failedEarlier, c.blocked, c.toRun].map(String),
  );
  lines.push('', ...formatTable(header, rows));
  if (dry.toRun > 0)
    lines.push(
      '',
      `estimated CPU of the jobs to run: ≈ ${formatDuration(dry.estimatedCpuSeconds)} on one core of this kind of machine (docs/performance.md: the cost model)`,
    );
  if (dry.selection?.shards && dry.balance) lines.push('', ...formatShardLoads(dry.selection, dry.balance));
  const layout = dry.stages ?? dry.selection?.stages;
  if (layout) lines.push('', ...formatStageLayout(layout));
  lines.push('', '(dry run: nothing was run or written)');
  return lines;
}

type Emit = NonNullable<RunOptions['events']>;

function logTakeover(lock: HeldLock, folder: RunFolder, log: (line: string) => void): void {
  const gone = lock.tookOverFrom;
  if (gone)
    log(
      `took over the lock of a run that is gone (pid ${gone.pid} on ${gone.host}, started ${gone.startedAt})`,
    );
  if (lock.tookOverUnreadable)
    log(`took over ${folder.lockFile}: it could not be read and nobody had touched it for the lease`);
}

/** The run folder's record of what runs: config.json, data-hashes.json and plan.json. Returns the config's hash. */
function writeRunRecords(
  { config, plan, folder, selection, dataHashes }: PlannedRun,
  options: Pick<RunOptions, 'cwd' | 'config' | 'overrides'>,
): string {
  writeJsonAtomic(folder.configFile, config.contents);
  const hash = configHash(config.contents);
  if (Object.keys(dataHashes).length) writeJsonAtomic(folder.dataHashesFile, dataHashes);
  writeJsonAtomic(folder.planFile, {
    name: plan.name,
    config: path.resolve(options.cwd ?? process.cwd(), options.config),
    ...(options.overrides?.length ? { overrides: [...options.overrides] } : {}),
    configHash: hash,
    codeVersion: plan.codeVersion,
    ...(selection ? { selection } : {}),
    jobs: plan.jobs,
  });
  return hash;
}

/** The run's start in the journal, the event log and the log line; then the progress display, started. */
function announceStart(
  { plan, folder, selection }: PlannedRun,
  options: Pick<RunOptions, 'config' | 'events' | 'heartbeatMs' | 'progress'>,
  at: {
    journal: Journal;
    emit: Emit;
    log: (line: string) => void;
    before: ReturnType<typeof countStates>;
    initial: Outcomes;
    threads: number;
  },
) {
  const { journal, emit, log, before, initial, threads } = at;
  const toRun = before.counts.pending;
  journal.append({
    event: 'run-started',
    pid: process.pid,
    config: options.config,
    jobs: plan.jobs.length,
    toRun,
    workers: threads,
  });
  emit('run-start', {
    run: plan.name,
    runDir: folder.dir,
    config: options.config,
    jobs: plan.jobs.length,
    toRun,
    reused: before.counts.done,
    failedEarlier: before.counts.failed,
    blocked: before.counts.blocked,
    workers: threads,
    ...(selection ?? {}),
  });
  const heartbeatMs = options.heartbeatMs ?? HEARTBEAT_MS;
  const display = options.events
    ? createEventProgress(emit, heartbeatMs)
    : createProgress(options.progress ?? 'auto', log, heartbeatMs);
  // What the threads report goes to the run folder too, for `status` and `serve` to show.
  const progress = teeProgress(display, new ProgressRecorder(folder.progressFile));
  log(
    `${plan.name}: ${plan.jobs.length} jobs, ${plan.jobs.length - toRun} already done or failed, ${toRun} to run${toRun ? ` on ${threads} workers` : ''} → ${folder.dir}`,
  );
  progress.start(
    Object.entries(before.byKind).map(([kind, c]) => ({
      kind,
      total: c.total,
      done: c.done,
      failed: c.failed,
    })),
    {
      jobs: plan.jobs,
      toRun: new Set(
        plan.jobs.filter((job) => initial.get(job.id)!.state === 'pending').map((job) => job.id),
      ),
      workers: threads,
    },
  );
  return progress;
}

function emitRunEnd(emit: Emit, plan: Plan, folder: RunFolder, summary: RunSummary, diskFull?: string): void {
  emit(
    'run-end',
    {
      run: plan.name,
      runDir: folder.dir,
      exitCode: summary.exitCode,
      ms: summary.ms,
      counts: summary.counts,
      interrupted: summary.interrupted,
      hashing: summary.hashing,
      ...(diskFull ? { error: diskFull } : {}),
    },
    summary.exitCode === EXIT.ok ? 'info' : 'error',
  );
}

/**
 * Readies the locked folder: leftovers and the last summary removed, the run's records written, and
 * each job's state at the start (reruns named in the log). Returns the config's hash, those states
 * and what re-hashing the reused jobs' files cost.
 */
function prepareFolder(
  planned: PlannedRun,
  options: Pick<RunOptions, 'cwd' | 'config' | 'overrides' | 'force' | 'rerunFailed'>,
  log: (line: string) => void,
): { hash: string; initial: Outcomes; reused: HashCost } {
  const { plan, folder } = planned;
  folder.removeLeftovers();
  // The last run's summary stops describing the folder now: a run that cannot write its own
  // (a full disk) leaves none, never an old one saying exit code 0. Removing takes no space.
  rmSync(folder.summaryFile, { force: true });
  // What the threads of the last run reported: this run's begin afresh.
  rmSync(folder.progressFile, { force: true });
  const previous = lastEventById(readJournal(folder.journalFile));
  const hash = writeRunRecords(planned, options);
  const before = hashCost();
  const initial = initialOutcomes({
    plan,
    folder,
    previous,
    force: options.force,
    rerunFailed: options.rerunFailed,
    verifyHashes: true,
  });
  const reused = costSince(before);
  for (const line of rerunLines(plan, initial)) log(line);
  return { hash, initial, reused };
}

/** Publishes the finished jobs' files; a file changed under its job is named in `changed` instead. */
function publish(
  folder: RunFolder,
  done: Plan['jobs'],
  whole: Plan,
  outcomes: Outcomes,
  changed: string[],
): void {
  const published = publishJobs(folder, done, (message) => changed.push(message));
  // Jobs outside --only/--shard keep what they published; the rest shows this plan only.
  const others = whole.jobs.filter((job) => !outcomes.has(job.id));
  for (const file of publishedFiles(folder, others)) published.add(file);
  removeUnpublished(folder, published);
}

/**
 * Runs a config to the end. Throws ConfigError (exit code 2) before writing anything, or
 * LockHeldError (exit code 3) when another live run holds the folder; otherwise resolves with
 * the summary, whose `exitCode` is 0 when every job is done and 1 when some failed or were blocked.
 */
// biome-ignore lint/complexity/noExcessiveLinesPerFunction: one try/finally owns the lock, the stop and drain signals and the disk-full state that every remaining step shares; the steps that share none are the functions above
export async function runExperiments(options: RunOptions): Promise<RunSummary> {
  const startedAt = Date.now();
  const planned = planRun(options);
  const { config, whole, plan, folder, selection, jobMemory } = planned;
  const emit = options.events ?? (() => {});
  const { workers, retries, timeoutMs, workerMemoryMb } = runSettings(options, config.defaults);
  const log = options.log ?? ((line: string) => process.stdout.write(`${line}\n`));

  writing(folder.jobsDir, () => mkdirSync(folder.jobsDir, { recursive: true }));
  const lock = lockFolder(folder);
  const stop = new AbortController();
  // Ending threads takes tens of milliseconds: they end while this thread publishes and builds the report.
  let poolClosed: Promise<void> | undefined;
  const onAbort = () => stop.abort();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  if (options.signal?.aborted) stop.abort();
  try {
    logTakeover(lock, folder, log);
    if (planned.inputs) importInputs(planned.inputs, folder);
    const { hash, initial, reused } = prepareFolder(planned, options, log);
    const unusable = (planned.inputs ?? []).filter(({ job }) => initial.get(job.id)!.state !== 'done');
    if (unusable.length)
      throw new MissingInputsError(
        `${folder.dir}: inputs changed while they were linked in: ${unusable.map(({ job }) => job.key).join(', ')}; run this task again`,
      );
    const needed: HashCost = { files: 0, bytes: 0, ms: 0 };
    const before = countStates(plan.jobs, (job) => initial.get(job.id)!.state);
    const toRun = before.counts.pending;
    const threads = Math.min(workers, toRun);
    const journal = options.events
      ? new LoggedJournal(folder.journalFile, emit)
      : new Journal(folder.journalFile);
    // The first write that fails for want of room: no new job starts, the rest of the run writes what it can.
    let diskFull: string | undefined;
    const drain = new AbortController();
    const onWriteError = (message: string) => {
      diskFull ??= message;
      drain.abort();
    };
    journal.onWriteError = (error) => (isDiskFull(error) ? onWriteError(error.message) : log(error.message));
    const progress = announceStart(planned, options, { journal, emit, log, before, initial, threads });
    let outcomes: Outcomes;
    try {
      outcomes = await runScheduler(
        {
          plan,
          folder,
          journal,
          progress,
          createPool: () =>
            createJobPool({ workers: threads, limits: workerLimits(jobMemory, workerMemoryMb) }),
          onPoolClosing: (closed) => (poolClosed = closed),
          workers: threads,
          retries,
          timeoutMs,
          failFast: !!options.failFast,
          stop: stop.signal,
          drain: drain.signal,
          onDiskFull: onWriteError,
          onHashed: (cost) => addCost(needed, cost),
        },
        initial,
      );
    } finally {
      progress.stop();
    }

    // From here on every write may fail (disk full): each is tried, and a failure is reported, not thrown.
    const keepWriting = (write: () => void) => {
      try {
        write();
      } catch (error) {
        if (!(error instanceof WriteError)) throw error;
        if (isDiskFull(error)) onWriteError(error.message);
        else log(error.message);
      }
    };
    const done = plan.jobs.filter((job) => outcomes.get(job.id)!.state === 'done');
    // A file changed under a finished job during this run: left unpublished, the run is not a success.
    const changed: string[] = [];
    const beforePublish = hashCost();
    keepWriting(() => publish(folder, done, whole, outcomes, changed));
    const summary = summarize(plan, folder, outcomes, Date.now() - startedAt, stop.signal.aborted, selection);
    summary.configHash = hash;
    summary.hashing = { reused, needed, published: costSince(beforePublish) };
    if (diskFull) {
      summary.diskFull = diskFull;
      if (summary.exitCode === EXIT.ok) summary.exitCode = EXIT.failed;
    }
    for (const message of changed) log(message);
    if (changed.length && summary.exitCode === EXIT.ok) summary.exitCode = EXIT.failed;
    keepWriting(() => {
      try {
        writeJsonAtomic(folder.summaryFile, summary);
      } catch (error) {
        // A run whose summary is missing did not end well, whatever its jobs did.
        summary.exitCode = EXIT.failed;
        log(`${folder.summaryFile} could not be written: this run has no summary (exit code ${EXIT.failed})`);
        throw error;
      }
    });
    summary.diskFull ??= diskFull;
    options.buildReport?.(folder.dir, log);
    await poolClosed;
    journal.append({ event: 'run-finished', pid: process.pid, exitCode: summary.exitCode, ms: summary.ms });
    journal.flush();
    for (const line of summaryLines(summary)) log(line);
    emitRunEnd(emit, plan, folder, summary, diskFull);
    return summary;
  } finally {
    // On an error too, no thread of this run outlives its lock.
    await poolClosed?.catch(() => {});
    options.signal?.removeEventListener('abort', onAbort);
    lock.release();
  }
}

/**
 * Takes the run folder's lock. A disk too full for even the lock file still must not leave the
 * last run's summary (perhaps exit code 0) to pass for this run: with no live run, it is removed.
 */
function lockFolder(folder: RunFolder): HeldLock {
  try {
    return acquireLock(folder.lockFile);
  } catch (error) {
    const owner = readLock(folder.lockFile);
    if (isDiskFull(error) && !(owner && isLive(owner))) rmSync(folder.summaryFile, { force: true });
    throw error;
  }
}

/** "result.json of train/seed=1 is not valid JSON: rerunning it and its 12 dependents", per damaged job. */
function rerunLines(plan: Plan, outcomes: Outcomes): string[] {
  const dependents = new Map<string, number>();
  for (const job of plan.jobs) {
    const root = outcomes.get(job.id)!.rerun?.root;
    if (root !== undefined && root !== job.key) dependents.set(root, (dependents.get(root) ?? 0) + 1);
  }
  return plan.jobs.flatMap((job) => {
    const rerun = outcomes.get(job.id)!.rerun;
    if (rerun?.root !== job.key) return [];
    const n = dependents.get(job.key) ?? 0;
    return [`${rerun.reason}: rerunning it${n ? ` and its ${n} dependent${n === 1 ? '' : 's'}` : ''}`];
  });
}

/** SHA-256 of the config's contents as canonical JSON (the same for a JSON file and its YAML twin), 16 hex digits. */
function configHash(contents: unknown): string {
  return createHash('sha256').update(canonicalJson(contents)).digest('hex').slice(0, 16);
}

/** The journal, with every job event also sent to the --log json stream. */
class LoggedJournal extends Journal {
  constructor(
    file: string,
    private readonly emit: NonNullable<RunOptions['events']>,
  ) {
    super(file);
  }
  override append(event: Parameters<Journal['append']>[0]): void {
    super.append(event);
    const logged = jobLogEvent(event as Omit<JournalEvent, 'at'>);
    if (logged) this.emit(logged.event, logged.fields, logged.level);
  }
}

function summaryLines(summary: RunSummary): string[] {
  const c = summary.counts;
  const lines = [
    `${summary.interrupted ? 'stopped' : 'finished'} in ${(summary.ms / 1000).toFixed(1)} s: ${c.done} done (${c.ranNow} now), ${c.failed} failed, ${c.blocked} blocked, ${c.pending} pending → ${summary.runDir}`,
  ];
  for (const f of summary.failures) lines.push(`  failed ${f.key} [${f.id}]: ${f.error}`);
  if (summary.hashing) lines.push(formatHashing(summary.hashing));
  if (summary.diskFull) lines.push(summary.diskFull);
  if (summary.failures.some((f) => f.earlier))
    lines.push('  (jobs that failed in an earlier run are not retried; use --rerun-failed)');
  return lines;
}

export { EXIT };

/** Estimated cost of every shard, and advice when one group of linked jobs sets the pace. */
function formatShardLoads(selection: RunSelection, balance: Balance): string[] {
  const shards = selection.shards!;
  const seconds = (cost: number) => `${cost < 10 ? cost.toFixed(1) : Math.round(cost)} s`;
  const lines = [`estimated cost per shard (≈ seconds on one core; ${seconds(balance.total)} in all):`];
  for (const load of shards)
    lines.push(
      `  ${load.shard}  ${String(load.jobs).padStart(5)} jobs  ${seconds(load.cost).padStart(8)}${load.shard === selection.shard ? '  ← this shard' : ''}`,
    );
  const { largest, usefulShards } = balance;
  if (usefulShards !== undefined && largest.cost > balance.total / shards.length) {
    const share = Math.round((100 * largest.cost) / balance.total);
    lines.push(
      `one group of linked jobs outweighs the rest: ${largest.first} and the ${largest.jobs - 1} jobs linked to it (a model stays with its probes) cost ${seconds(largest.cost)}, ${share}% of the whole.`,
      `No shard can finish sooner than that group, so more than ${usefulShards} shard${usefulShards === 1 ? '' : 's'} gain nothing: suggested --shard k/${usefulShards}. With a file system every node shares, stages spread a group's jobs (--stages N --dry-run; docs/scale-out.md).`,
    );
  }
  return lines;
}

/** The stages, their cost and how many tasks share each (--stages N --dry-run, and a stage's task). */
function formatStageLayout(layout: readonly StageLoad[]): string[] {
  const seconds = (cost: number) => `${cost < 10 ? cost.toFixed(1) : Math.round(cost)} s`;
  const header = ['stage', 'jobs', 'tasks', 'cost', 'largest job'];
  const rows = layout.map((stage) =>
    [stage.stage, stage.jobs, stage.tasks, seconds(stage.cost), seconds(stage.largest)].map(String),
  );
  const kinds = layout.map(
    (stage) =>
      `  stage ${stage.stage}: ${Object.entries(stage.byKind)
        .map(([kind, n]) => `${kind} ${n}`)
        .join(', ')}`,
  );
  // Each stage ends with its busiest task (one CPU per task), which first starts like any run.
  const wall = layout.reduce(
    (sum, stage) => sum + TASK_START_SECONDS + Math.max(...stage.loads.map((load) => load.cost)),
    0,
  );
  const total = TASK_START_SECONDS + layout.reduce((sum, stage) => sum + stage.cost, 0);
  return [
    'stages (each starts when the one before has ended; cost ≈ seconds on one core):',
    ...formatTable(header, rows),
    ...kinds,
    `≈ ${seconds(wall)} from the first stage's start to the last one's end with 1 CPU per task (its busiest task sets each stage's pace, after a task's start of ${seconds(TASK_START_SECONDS)}), against ${seconds(total)} on one core; queueing not counted`,
  ];
}
