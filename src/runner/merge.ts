// `run-experiments merge <folders…> --out <folder>`: one run folder from the run folders of the
// shards of a config (or of any runs of it): job folders copied, tables and figures published
// from them exactly as one run publishes them, plan and journal united, summary and report
// rebuilt. It names every shard not complete, with the command that reruns it, and exits 1 until
// all are; merging again into the same folder after more shards finished adds what is new.
import { copyFileSync, existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import { UsageError } from '../errors';
import { writeFileAtomic, writeJsonAtomic } from '../files';
import type { Plan, PlanJob } from '../plan/build-plan';
import type { ReportBuilder } from './run';
import { EXIT } from '../exit-codes';
import { lastEventById, readJournal, type JournalEvent } from './journal';
import { acquireLock, isLive, LockHeldError, readLock } from './lock';
import { publishJobs } from './publish';
import { readRunFile, RunFolder } from './run-folder';
import { emptyCounts, initialOutcomes, type Outcomes } from './outcomes';
import { reportShards, type ShardInput } from './shard-report';
import { readSavedPlan } from './status';
import { linkOrCopyTree } from './link-tree';
import type { RunSelection } from './selection';
import { summarize, type RunSummary } from './summary';

interface Input extends ShardInput {
  summary?: RunSummary;
}

type MergedPlan = Pick<Plan, 'name' | 'codeVersion' | 'jobs'>;

/** The union of the plans, in input order (each input lists needs before the jobs needing them). */
function unitePlans(inputs: readonly Input[]): MergedPlan {
  const first = inputs[0].plan;
  const jobs = new Map<string, PlanJob>();
  const idOfKey = new Map<string, { id: string; from: string }>();
  for (const { folder, plan } of inputs) {
    for (const job of plan.jobs) {
      const seen = idOfKey.get(job.key);
      if (seen && seen.id !== job.id)
        throw new UsageError(
          `${folder.dir}: job "${job.key}" has id ${job.id} there but ${seen.id} in ${seen.from}; the folders ran different versions of the config or code`,
        );
      idOfKey.set(job.key, { id: job.id, from: folder.dir });
      if (!jobs.has(job.id)) jobs.set(job.id, job);
    }
  }
  return { name: first.name, codeVersion: first.codeVersion, jobs: [...jobs.values()] };
}

/** Copies into `out` each job folder it lacks that an input has; returns how many. */
function copyJobFolders(plan: MergedPlan, inputs: readonly Input[], out: RunFolder): number {
  let copied = 0;
  for (const job of plan.jobs) {
    if (existsSync(out.resultFile(job.id))) continue;
    const source = inputs.find((input) => existsSync(input.folder.resultFile(job.id)));
    if (!source) continue;
    // Copy under a temporary name, then rename: a job folder under its final name is always complete.
    const temp = path.join(out.jobsDir, `.tmp-merge-${job.id}`);
    rmSync(temp, { recursive: true, force: true });
    linkOrCopyTree(source.folder.jobDir(job.id), temp);
    renameSync(temp, out.jobDir(job.id));
    copied++;
  }
  return copied;
}

/** States as a run would find them, then what the inputs' last runs did: ran now, or reused. */
function mergedOutcomes(
  plan: MergedPlan,
  out: RunFolder,
  inputs: readonly Input[],
  events: JournalEvent[],
): Outcomes {
  const outcomes = initialOutcomes({ plan, folder: out, previous: lastEventById(events) });
  const ran = new Set(inputs.flatMap((i) => i.summary?.ran ?? []));
  const failures = new Map(inputs.flatMap((i) => i.summary?.failures ?? []).map((f) => [f.id, f]));
  for (const job of plan.jobs) {
    const outcome = outcomes.get(job.id)!;
    if (outcome.state === 'done' && ran.has(job.key)) outcomes.set(job.id, { state: 'done', attempts: 1 });
    if (outcome.state === 'failed' && failures.has(job.id)) outcome.attempts = failures.get(job.id)!.attempts;
  }
  return outcomes;
}

export function mergeRuns(
  inputDirs: readonly string[],
  outDir: string,
  log: (line: string) => void = () => {},
  buildReport?: ReportBuilder,
): RunSummary {
  const startedAt = Date.now();
  const out = new RunFolder(path.resolve(outDir));
  const { inputs, absent } = readInputs(inputDirs, out);
  const first = inputs[0].plan;
  const plan = unitePlans(inputs);

  mkdirSync(out.jobsDir, { recursive: true });
  const lock = acquireLock(out.lockFile);
  try {
    out.removeLeftovers();
    const copied = copyJobFolders(plan, inputs, out);
    const journal = uniteJournals([readJournal(out.journalFile), ...inputs.map((i) => i.journal)]);
    const events = journal.map((line) => JSON.parse(line) as JournalEvent);
    writeFileAtomic(out.journalFile, journal.length ? `${journal.join('\n')}\n` : '');

    const only = first.selection?.only;
    const selection: RunSelection | undefined = only
      ? { only, planJobs: first.selection!.planJobs }
      : undefined;
    writeJsonAtomic(out.planFile, {
      name: plan.name,
      config: first.config,
      ...(first.overrides ? { overrides: first.overrides } : {}),
      codeVersion: plan.codeVersion,
      ...(selection ? { selection } : {}),
      jobs: plan.jobs,
    });
    const configCopy = inputs
      .map((i) => path.join(i.folder.dir, 'config.json'))
      .find((file) => existsSync(file));
    if (configCopy) copyFileSync(configCopy, path.join(out.dir, 'config.json'));

    const outcomes = mergedOutcomes(plan, out, inputs, events);
    publishJobs(
      out,
      plan.jobs.filter((job) => outcomes.get(job.id)!.state === 'done'),
      log,
    );

    const shards = reportShards(inputs, outcomes);
    const summary = summarize(plan, out, outcomes, Date.now() - startedAt, false, selection);
    const missingShards = shards.filter((s) => s.state === 'missing');
    for (const missing of missingShards) countAsPending(summary, missing.byKind ?? {});
    summary.merged = {
      from: inputs.map((i) => i.folder.dir),
      missingShards: missingShards.map((s) => (s.stage ? `stage ${s.stage} shard ${s.shard}` : s.shard)),
      shards,
    };
    if (shards.some((s) => s.state !== 'complete') && summary.exitCode === EXIT.ok)
      summary.exitCode = EXIT.failed;
    writeJsonAtomic(out.summaryFile, summary);
    buildReport?.(out.dir, log);
    const c = summary.counts;
    log(
      `merged ${inputs.length} run folders (${copied} job folders copied): ${c.total} jobs, ${c.done} done, ${c.failed} failed, ${c.blocked} blocked, ${c.pending} pending → ${out.dir}`,
    );
    for (const dir of absent) log(`  ${dir}: no run folder there (no plan.json)`);
    for (const s of shards)
      if (s.state !== 'complete')
        log(
          `  ${s.stage ? `stage ${s.stage} ` : ''}shard ${s.shard} ${s.state}: ${s.why}; rerun: ${s.rerun}`,
        );
    for (const f of summary.failures) log(`  failed ${f.key} [${f.id}]: ${f.error}`);
    return summary;
  } finally {
    lock.release();
  }
}

/**
 * The run folders among `dirs`, and those that hold no run (a shard that never started: merge
 * names it as missing when another shard's plan says how many there are).
 */
function readInputs(dirs: readonly string[], out: RunFolder): { inputs: Input[]; absent: string[] } {
  if (dirs.length === 0) throw new UsageError('merge: expected at least one run folder');
  const inputs: Input[] = [];
  const absent: string[] = [];
  for (const dir of dirs) {
    const folder = new RunFolder(path.resolve(dir));
    if (folder.dir === out.dir)
      throw new UsageError(`merge: ${dir} is also --out; write the merged run to another folder`);
    if (!existsSync(folder.planFile)) {
      absent.push(dir);
      continue;
    }
    const plan = readSavedPlan(dir) as Input['plan'];
    const owner = readLock(folder.lockFile);
    if (owner && isLive(owner)) throw new LockHeldError(folder.lockFile, owner);
    const summary = existsSync(folder.summaryFile)
      ? readRunFile<RunSummary>(folder.summaryFile, (value) => value !== null && typeof value === 'object')
      : undefined;
    if (
      inputs.length &&
      (plan.name !== inputs[0].plan.name || plan.codeVersion !== inputs[0].plan.codeVersion)
    )
      throw new UsageError(
        `merge: ${dir} is a run of "${plan.name}" (code version ${plan.codeVersion}), ${dirs[0]} of "${inputs[0].plan.name}" (code version ${inputs[0].plan.codeVersion})`,
      );
    inputs.push({ folder, plan, summary, journal: readJournal(folder.journalFile) });
  }
  if (inputs.length === 0) {
    if (dirs.length === 1) readSavedPlan(dirs[0]); // throws its own "not a run folder"
    throw new UsageError(
      `merge: none of ${dirs.join(', ')} is a run folder (no plan.json); run a config first`,
    );
  }
  return { inputs, absent };
}

/** Adds jobs no folder holds (a missing shard's) to the counts as pending. */
function countAsPending(summary: RunSummary, byKind: Record<string, number>): void {
  for (const [kind, jobs] of Object.entries(byKind)) {
    const counts = (summary.byKind[kind] ??= emptyCounts());
    for (const c of [summary.counts, counts]) {
      c.total += jobs;
      c.pending += jobs;
    }
  }
}

/** Every line of the journals once, in time order (stable for equal times). */
function uniteJournals(journals: JournalEvent[][]): string[] {
  const seen = new Set<string>();
  const lines: { at: string; line: string }[] = [];
  for (const journal of journals) {
    for (const event of journal) {
      const line = JSON.stringify(event);
      if (seen.has(line)) continue;
      seen.add(line);
      lines.push({ at: event.at, line });
    }
  }
  return lines.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0)).map((l) => l.line);
}
