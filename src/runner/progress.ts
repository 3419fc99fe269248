// Progress of a run: live bars on a terminal (cli-progress: the whole run with its ETA, each job
// kind, each training's epochs), plain log lines elsewhere, or `--log json` events. A log (lines
// or JSON) also says how long jobs are getting on (e.g. each training epoch), and, when nothing
// else was written for a minute, which jobs are running and the ETA: a nightly log never stays
// silent for long. The ETA is eta.ts's, from the plan's costs and the pace measured so far.
import { formatDuration } from '../duration';
import type { JobProgress } from '../jobs/kind';
import type { PlanJob } from '../plan/build-plan';
import { formatEta } from './eta';
import { EtaTracker, type RunPlan } from './eta-tracker';
import type { LogFields } from './log';
import { BarProgress } from './progress-bars';

export type { KindTotals, Progress } from './progress-events';
import type { KindTotals, Progress } from './progress-events';

export type ProgressMode = 'auto' | 'bars' | 'lines' | 'none';

/** A log says which jobs are running when it has been silent this long. */
export const HEARTBEAT_MS = 60_000;

export function createProgress(
  mode: ProgressMode,
  write: (line: string) => void = (line) => process.stdout.write(`${line}\n`),
  heartbeatMs = HEARTBEAT_MS,
  /** Where bars are drawn (default: the terminal, stdout). */
  barStream?: NodeJS.WritableStream,
): Progress {
  const resolved = mode === 'auto' ? (process.stdout.isTTY ? 'bars' : 'lines') : mode;
  if (resolved === 'bars') return new BarProgress(barStream);
  if (resolved === 'lines') return new LineProgress(write, heartbeatMs);
  return new LineProgress(() => {});
}

/** `--log json`: job progress and heartbeats as events (the journal sends the job-* events). */
export function createEventProgress(
  emit: (event: string, fields: LogFields) => void,
  heartbeatMs = HEARTBEAT_MS,
): Progress {
  return new EventProgress(emit, heartbeatMs);
}

/** Every event to each of `all` (the display and the run folder's progress.jsonl). */
export function teeProgress(...all: Progress[]): Progress {
  return {
    start: (totals, run) => all.forEach((p) => p.start(totals, run)),
    started: (job) => all.forEach((p) => p.started(job)),
    begun: (job, attempt) => all.forEach((p) => p.begun(job, attempt)),
    running: (job, attempt, update) => all.forEach((p) => p.running(job, attempt, update)),
    finished: (job, ms) => all.forEach((p) => p.finished(job, ms)),
    failed: (job, error, attempt, final) => all.forEach((p) => p.failed(job, error, attempt, final)),
    blocked: (job, by) => all.forEach((p) => p.blocked(job, by)),
    log: (line) => all.forEach((p) => p.log(line)),
    stop: () => all.forEach((p) => p.stop()),
  };
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 0)} s`;

/**
 * What a log needs besides its own lines: how many jobs have ended, which are running since
 * when, and a timer that calls `heartbeat` whenever the log has been silent for `heartbeatMs`.
 */
abstract class LogProgress implements Progress {
  protected total = 0;
  protected ended = 0;
  /** Job key → when its attempt was handed to the pool, in the order they were. */
  protected readonly runningSince = new Map<string, number>();
  protected eta?: EtaTracker;
  private readonly timer?: NodeJS.Timeout;

  constructor(heartbeatMs?: number) {
    if (heartbeatMs !== undefined) this.timer = setInterval(() => this.beat(), heartbeatMs).unref();
  }

  /** Something was written: the silence starts again. */
  protected spoke(): void {
    this.timer?.refresh();
  }
  private beat(): void {
    if (this.runningSince.size > 0) this.heartbeat();
  }
  /** Says which jobs are running, the one running longest first. */
  protected abstract heartbeat(): void;
  protected oldestRunning(): { key: string; seconds: number } {
    const [key, since] = this.runningSince.entries().next().value!;
    return { key, seconds: (Date.now() - since) / 1000 };
  }

  start(totals: KindTotals[], run?: RunPlan): void {
    for (const t of totals) {
      this.total += t.total;
      this.ended += t.done + t.failed;
    }
    if (run) this.eta = new EtaTracker(run);
  }
  started(job: PlanJob): void {
    this.runningSince.delete(job.key);
    this.runningSince.set(job.key, Date.now());
  }
  begun(job: PlanJob): void {
    this.eta?.begun(job);
  }
  running(job: PlanJob, _attempt: number, update: JobProgress): void {
    this.eta?.report(job, update);
  }
  finished(job: PlanJob, ms: number): void {
    this.runningSince.delete(job.key);
    this.ended++;
    this.eta?.finished(job, ms);
  }
  failed(job: PlanJob, _error: string, _attempt: number, final: boolean): void {
    this.runningSince.delete(job.key);
    if (final) this.ended++;
    this.eta?.failed(job, final);
  }
  blocked(job: PlanJob, _by: PlanJob): void {
    this.ended++;
    this.eta?.failed(job, true);
  }
  /** "; ETA 3 min 20 s" when the run's plan is known. */
  protected etaText(): string {
    return this.eta ? `; ${formatEta(this.eta.estimate(), formatDuration)}` : '';
  }
  log(_line: string): void {
    this.spoke();
  }
  stop(): void {
    clearInterval(this.timer);
  }
}

class LineProgress extends LogProgress {
  constructor(
    private readonly write: (line: string) => void,
    heartbeatMs?: number,
  ) {
    super(heartbeatMs);
  }
  private say(line: string): void {
    this.write(line);
    this.spoke();
  }
  protected heartbeat(): void {
    const { key, seconds } = this.oldestRunning();
    const others = this.runningSince.size - 1;
    this.say(
      `running [${this.ended}/${this.total}] ${key} for ${formatDuration(seconds)}${others ? ` (and ${others} more)` : ''}${this.etaText()}`,
    );
  }
  override running(job: PlanJob, attempt: number, update: JobProgress): void {
    super.running(job, attempt, update);
    this.say(`running ${job.key}: ${update.text}`);
  }
  override finished(job: PlanJob, ms: number): void {
    super.finished(job, ms);
    this.say(`done    [${this.ended}/${this.total}] ${job.key} (${seconds(ms)})`);
  }
  override failed(job: PlanJob, error: string, attempt: number, final: boolean): void {
    super.failed(job, error, attempt, final);
    const tag = final ? `FAILED  [${this.ended}/${this.total}]` : 'retry  ';
    this.say(`${tag} ${job.key}: ${error} (attempt ${attempt}${final ? ', giving up' : ''})`);
  }
  override blocked(job: PlanJob, by: PlanJob): void {
    super.blocked(job, by);
    this.say(`blocked [${this.ended}/${this.total}] ${job.key} (needs ${by.key}, which failed)`);
  }
  override log(line: string): void {
    this.say(line);
  }
}

class EventProgress extends LogProgress {
  constructor(
    private readonly emit: (event: string, fields: LogFields) => void,
    heartbeatMs: number,
  ) {
    super(heartbeatMs);
  }
  // Every job event goes to the log too (through the journal): each one breaks the silence.
  override started(job: PlanJob): void {
    super.started(job);
    this.spoke();
  }
  override finished(job: PlanJob, ms: number): void {
    super.finished(job, ms);
    this.spoke();
  }
  override failed(job: PlanJob, error: string, attempt: number, final: boolean): void {
    super.failed(job, error, attempt, final);
    this.spoke();
  }
  override blocked(job: PlanJob, by: PlanJob): void {
    super.blocked(job, by);
    this.spoke();
  }
  override running(job: PlanJob, attempt: number, update: JobProgress): void {
    super.running(job, attempt, update);
    this.emit('job-progress', {
      id: job.id,
      key: job.key,
      kind: job.kind,
      attempt,
      text: update.text,
      ...update.fields,
    });
    this.spoke();
  }
  protected heartbeat(): void {
    const { key, seconds } = this.oldestRunning();
    const eta = this.eta?.estimate();
    this.emit('heartbeat', {
      done: this.ended,
      total: this.total,
      running: this.runningSince.size,
      longest: key,
      longestSeconds: Math.round(seconds),
      ...(eta ? { etaSeconds: Math.round(eta.seconds), etaMeasured: eta.measured } : {}),
    });
    this.spoke();
  }
}
