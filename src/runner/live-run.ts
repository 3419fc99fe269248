// What a run is doing now, as another process sees it from the run folder alone: `status` and
// `serve` read it. The jobs running (since a thread began them, with their last report, e.g. the
// epoch of a training), the jobs queued for a thread, and the ETA (eta.ts), from plan.json,
// the journal and progress.jsonl. Nothing is written.
import { formatDuration } from '../duration';
import type { JobProgress } from '../jobs/kind';
import { type Eta, type EtaJob, estimateEta, formatEta } from './eta';
import { reportedFraction } from './eta-tracker';
import { type JournalEvent, readJournal } from './journal';
import { type AttemptProgress, attemptKey, readProgressFile } from './progress-file';
import { RunFolder } from './run-folder';
import { readStatus, type RunStatus } from './status';

export interface RunningJob {
  id: string;
  key: string;
  kind: string;
  attempt: number;
  /** Handed to the pool, waiting for a thread. */
  queued: boolean;
  /** When a thread began it (queued: when it was handed to the pool). */
  since: string;
  /** Seconds since a thread began it (0 while queued). */
  seconds: number;
  /** Its last report (a training's epoch, loss, accuracy). */
  report?: { text: string; fields: JobProgress['fields'] };
}

export interface LiveRun extends RunStatus {
  /** When the last run started, and on how many threads. */
  started?: { at: string; workers?: number };
  /** Running first (longest first), then queued. */
  running: RunningJob[];
  /** While a run is live. */
  eta?: Eta;
  /** Every attempt's reports, by `id#attempt` (progress.jsonl). */
  attempts: Map<string, AttemptProgress>;
  /** The journal's events since the last run started. */
  events: JournalEvent[];
}

type RunStarted = Extract<JournalEvent, { event: 'run-started' }>;

export function readLiveRun(runDir: string, now = Date.now()): LiveRun {
  const status = readStatus(runDir);
  const folder = new RunFolder(status.runDir);
  const journal = readJournal(folder.journalFile);
  let first = journal.length - 1;
  while (first >= 0 && journal[first].event !== 'run-started') first--;
  const thisRun = first >= 0 ? journal.slice(first) : [];
  const runStarted = thisRun[0] as RunStarted | undefined;
  const attempts = readProgressFile(folder.progressFile);
  const running: RunningJob[] = [];
  for (const job of status.plan.jobs) {
    const { state, last } = status.states.get(job.id)!;
    if (state !== 'running' || last?.event !== 'started') continue;
    const progress = attempts.get(attemptKey(job.id, last.attempt));
    const begun = progress?.begunAt;
    const report = progress?.reports.at(-1);
    running.push({
      id: job.id,
      key: job.key,
      kind: job.kind,
      attempt: last.attempt,
      queued: !begun,
      since: begun ?? last.at,
      seconds: begun ? Math.max(0, (now - Date.parse(begun)) / 1000) : 0,
      ...(report ? { report: { text: report.text, fields: report.fields } } : {}),
    });
  }
  running.sort((a, b) => Number(a.queued) - Number(b.queued) || b.seconds - a.seconds);
  const live = {
    ...status,
    ...(runStarted ? { started: { at: runStarted.at, workers: runStarted.workers } } : {}),
    running,
    attempts,
    events: thisRun,
  };
  if (!status.liveRun) return live;
  return { ...live, eta: estimateEta(etaJobs(status, thisRun, running), runStarted?.workers ?? 1) };
}

/** Each job as estimateEta reads it: finished in this run (how long it took), running, waiting, or ended. */
function etaJobs(status: RunStatus, thisRun: JournalEvent[], running: RunningJob[]): EtaJob[] {
  const took = new Map<string, number>();
  for (const event of thisRun) if (event.event === 'finished') took.set(event.id, event.ms / 1000);
  const now = new Map(running.map((job) => [job.id, job]));
  return status.plan.jobs.map((job) => {
    const base = { id: job.id, needs: Object.values(job.needs).map((need) => need.id), cost: job.cost };
    const { state } = status.states.get(job.id)!;
    const run = now.get(job.id);
    if (run && !run.queued) {
      const fraction = run.report ? reportedFraction(run.report.fields) : undefined;
      return {
        ...base,
        state: 'running',
        seconds: run.seconds,
        ...(fraction === undefined ? {} : { fraction }),
      };
    }
    if (state === 'pending' || run) return { ...base, state: 'waiting' };
    if (state === 'done' && took.has(job.id))
      return { ...base, state: 'finished', seconds: took.get(job.id) };
    return { ...base, state: 'ended' };
  });
}

/** The jobs a live run is running, with their time and last report, and its ETA. */
export function formatLive({
  running,
  eta,
  started,
}: Pick<LiveRun, 'running' | 'eta' | 'started'>): string[] {
  const begun = running.filter((job) => !job.queued);
  const queued = running.filter((job) => job.queued);
  const threads = started?.workers ? ` on ${started.workers} thread${started.workers === 1 ? '' : 's'}` : '';
  const lines = [`running now${threads}:${begun.length ? '' : ' none yet'}`];
  const width = Math.max(0, ...begun.map((job) => job.key.length));
  for (const job of begun)
    lines.push(
      `  ${job.key.padEnd(width)}  for ${formatDuration(job.seconds)}${job.report ? `  ${job.report.text}` : ''}`,
    );
  if (queued.length)
    lines.push(
      `queued for a thread: ${queued.length} (${queued
        .slice(0, 3)
        .map((job) => job.key)
        .join(', ')}${queued.length > 3 ? ', …' : ''})`,
    );
  if (eta)
    lines.push(
      `${formatEta(eta, formatDuration)}${eta.measured && !eta.overdue ? ` (${eta.secondsPerCost.toFixed(2)} s per unit of the plan's cost, measured on the jobs done so far)` : ''}`,
    );
  return lines;
}
