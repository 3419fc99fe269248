// `status <run folder> --explain <job>`: will this job run again, and if so, which part of its
// identity (kind code, runner version, params, needed jobs) changed since its last result.
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../config/load';
import { experimentKinds, jobKinds } from '../jobs/registry';
import { buildPlan, type PlanJob } from '../plan/build-plan';
import { canonicalJson } from '../canonical-json';
import { CODE_VERSION } from '../plan/job-id';
import { readRecord, type JobRecord } from './job-record';
import { lastEventById, readJournal, type JournalEvent } from './journal';
import { RunFolder } from './run-folder';
import { UsageError } from '../errors';
import { initialOutcomes } from './outcomes';
import { readSavedPlan } from './status';

export interface ExplainOptions {
  /** Config to compare with; default: the one the run folder's plan came from. */
  config?: string;
}

export function explainJob(runDir: string, ref: string, options: ExplainOptions = {}): string[] {
  const folder = new RunFolder(path.resolve(runDir));
  const saved = readSavedPlan(runDir);
  const lines: string[] = [];

  // The job as the config plans it now; the last run's plan if the config cannot be planned.
  let jobs = saved.jobs;
  const configFile = options.config ?? saved.config;
  try {
    jobs = buildPlan(loadConfig(configFile, experimentKinds), jobKinds).jobs;
    lines.push(`compared with ${configFile} as it is now`);
  } catch (error) {
    lines.push(
      `cannot plan ${configFile} (${(error as Error).message.split('\n')[0]}); compared with the plan of the last run`,
    );
  }
  const job = findJob(jobs, ref) ?? findJob(saved.jobs, ref);
  if (!job) throw new UsageError(`${runDir}: no job has the key or id "${ref}"`);
  const byKey = new Map(jobs.map((j) => [j.key, j]));
  const current = byKey.get(job.key) ?? job;
  if (!byKey.has(job.key)) lines.push(`note: the config no longer plans ${job.key}`);
  lines.push(`job ${current.key} (kind ${current.kind}), id ${current.id}`);

  const events = readJournal(folder.journalFile);
  const previous = lastEventById(events);
  const last = previous.get(current.id);
  const outcome = initialOutcomes({
    plan: { name: '', codeVersion: CODE_VERSION, jobs },
    folder,
    previous,
  }).get(current.id);
  const rerun = outcome?.rerun;
  if (rerun) {
    lines.push(
      rerun.root === current.key
        ? `will run again: ${rerun.reason}`
        : `will run again: it was made from ${rerun.root}, which runs again (${rerun.reason})`,
    );
    return lines;
  }
  if (outcome?.state === 'done') {
    const record = readRecord(folder, current.id);
    const when = record ? ` (finished ${record.startedAt}, attempt ${record.attempt})` : '';
    lines.push(`will not run again: its result is in place${when}; --force reruns it`);
    return lines;
  }
  if (outcome?.state === 'failed' && last?.event === 'failed') {
    lines.push(
      `will not run again: it failed in an earlier run after ${last.attempt} attempt(s): ${last.error}; --rerun-failed retries it`,
    );
    return lines;
  }
  lines.push('will run: no result for this id yet');
  for (const need of Object.values(current.needs)) {
    if (!readRecord(folder, need.id)) lines.push(`  it waits for ${need.key}, which has no result yet`);
  }
  if (last?.event === 'failed') lines.push(`  its last attempt did not finish: ${last.error}`);
  else if (last?.event === 'started') lines.push('  its last attempt was cut off (the run was killed)');

  const earlier = earlierRecord(folder, events, current);
  if (!earlier) {
    lines.push('  it never finished before under this key');
    return lines;
  }
  lines.push(
    `  its earlier result (id ${earlier.id}, finished ${earlier.startedAt}) was computed with something else:`,
  );
  for (const change of identityChanges(folder, earlier, current, byKey, 0)) lines.push(`    ${change}`);
  return lines;
}

function findJob(jobs: PlanJob[], ref: string): PlanJob | undefined {
  return (
    jobs.find((j) => j.key === ref || j.id === ref) ??
    (ref.length >= 6 ? jobs.find((j) => j.id.startsWith(ref)) : undefined)
  );
}

/** The latest result recorded for the same key under another id: from the journal, else by looking through jobs/. */
function earlierRecord(folder: RunFolder, events: JournalEvent[], job: PlanJob): JobRecord | undefined {
  for (let i = events.length - 1; i >= 0; i--) {
    const event = events[i];
    if (event.event === 'finished' && event.key === job.key && event.id !== job.id) {
      const record = readRecord(folder, event.id);
      if (record) return record;
    }
  }
  let best: JobRecord | undefined;
  let names: string[] = [];
  try {
    names = readdirSync(folder.jobsDir);
  } catch {
    // no jobs yet
  }
  for (const name of names) {
    if (name.startsWith('.') || name === job.id) continue;
    const record = readRecord(folder, name);
    if (record?.key === job.key && (!best || record.startedAt > best.startedAt)) best = record;
  }
  return best;
}

/** What differs between a recorded job and the job as planned now; follows changed needs a few levels. */
function identityChanges(
  folder: RunFolder,
  before: JobRecord,
  now: PlanJob,
  byKey: Map<string, PlanJob>,
  depth: number,
): string[] {
  const changes: string[] = [];
  if (before.kind !== now.kind) changes.push(`kind: ${before.kind} → ${now.kind}`);
  if (before.code !== now.code)
    changes.push(
      `code of kind "${now.kind}" changed: ${before.code ?? 'not recorded'} → ${now.code} (its module, code it calls, or a package version)`,
    );
  if (before.codeVersion !== CODE_VERSION)
    changes.push(`runner code version: ${before.codeVersion} → ${CODE_VERSION}`);
  changes.push(...jsonChanges('params', before.params, now.params));
  const names = new Set([...Object.keys(before.needs), ...Object.keys(now.needs)]);
  for (const name of [...names].sort()) {
    const was = before.needs[name];
    const is = now.needs[name];
    if (!was) changes.push(`needs.${name}: new need ${is.key}`);
    else if (!is) changes.push(`needs.${name}: no longer needs ${was.key}`);
    else if (was.id !== is.id) {
      changes.push(`needs.${name} (${is.key}) changed: id ${was.id} → ${is.id}`);
      const wasRecord = readRecord(folder, was.id);
      const isJob = byKey.get(is.key);
      if (wasRecord && isJob && depth < 3)
        for (const inner of identityChanges(folder, wasRecord, isJob, byKey, depth + 1))
          changes.push(`  ${inner}`);
    }
  }
  if (changes.length === 0) changes.push('(nothing recorded differs: its result may have been deleted)');
  return changes;
}

function jsonChanges(where: string, before: unknown, now: unknown): string[] {
  if (canonicalJson(before) === canonicalJson(now)) return [];
  const isObject = (v: unknown): v is Record<string, unknown> =>
    v !== null && typeof v === 'object' && !Array.isArray(v);
  if (isObject(before) && isObject(now)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(now)])].sort();
    return keys.flatMap((key) => {
      if (!(key in before)) return [`${where}.${key}: added, ${canonicalJson(now[key])}`];
      if (!(key in now)) return [`${where}.${key}: removed (was ${canonicalJson(before[key])})`];
      return jsonChanges(`${where}.${key}`, before[key], now[key]);
    });
  }
  return [`${where}: ${canonicalJson(before)} → ${canonicalJson(now)}`];
}
