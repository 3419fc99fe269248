// Progress of a run: live bars per job kind on a terminal (cli-progress), plain log lines
// elsewhere, or `--log json` events. A log (lines or JSON) also says how long jobs are getting on
// (e.g. each training epoch), and, when nothing else was written for a minute, which jobs are
// running: a nightly log never stays silent for long.
import type { MultiBar, SingleBar } from 'cli-progress';
import { formatDuration } from '../duration';
import type { JobProgress } from '../jobs/kind';
import type { PlanJob } from '../plan/build-plan';
import type { LogFields } from './log';

export interface KindTotals {
  kind: string;
  total: number;
  /** Already done or failed before this run started. */
  done: number;
  failed: number;
}

export interface Progress {
  start(totals: KindTotals[]): void;
  /** The job's attempt was handed to the pool. */
  started(job: PlanJob): void;
  /** A running job reports how it is getting on. */
  running(job: PlanJob, attempt: number, update: JobProgress): void;
  finished(job: PlanJob, ms: number): void;
  failed(job: PlanJob, error: string, attempt: number, final: boolean): void;
  blocked(job: PlanJob, by: PlanJob): void;
  /** A message that must not break the display. */
  log(line: string): void;
  stop(): void;
}

export type ProgressMode = 'auto' | 'bars' | 'lines' | 'none';

/** A log says which jobs are running when it has been silent this long. */
export const HEARTBEAT_MS = 60_000;

export function createProgress(
  mode: ProgressMode,
  write: (line: string) => void = (line) => process.stdout.write(`${line}\n`),
  heartbeatMs = HEARTBEAT_MS,
): Progress {
  const resolved = mode === 'auto' ? (process.stdout.isTTY ? 'bars' : 'lines') : mode;
  if (resolved === 'bars') return new BarProgress();
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

  start(totals: KindTotals[]): void {
    for (const t of totals) {
      this.total += t.total;
      this.ended += t.done + t.failed;
    }
  }
  started(job: PlanJob): void {
    this.runningSince.delete(job.key);
    this.runningSince.set(job.key, Date.now());
  }
  abstract running(job: PlanJob, attempt: number, update: JobProgress): void;
  finished(job: PlanJob, _ms: number): void {
    this.runningSince.delete(job.key);
    this.ended++;
  }
  failed(job: PlanJob, _error: string, _attempt: number, final: boolean): void {
    this.runningSince.delete(job.key);
    if (final) this.ended++;
  }
  blocked(_job: PlanJob, _by: PlanJob): void {
    this.ended++;
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
      `running [${this.ended}/${this.total}] ${key} for ${formatDuration(seconds)}${others ? ` (and ${others} more)` : ''}`,
    );
  }
  running(job: PlanJob, _attempt: number, update: JobProgress): void {
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
  running(job: PlanJob, attempt: number, update: JobProgress): void {
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
    this.emit('heartbeat', {
      done: this.ended,
      total: this.total,
      running: this.runningSince.size,
      longest: key,
      longestSeconds: Math.round(seconds),
    });
    this.spoke();
  }
}

interface KindBar {
  bar: SingleBar;
  done: number;
  failed: number;
  doneThisRun: number;
}

/** cli-progress, loaded only for a terminal. */
const cliProgress = () => require('cli-progress') as typeof import('cli-progress');

class BarProgress implements Progress {
  private readonly multibar: MultiBar = new (cliProgress().MultiBar)(
    {
      format: '{kind} |{bar}| {value}/{total} done, {failed} failed | {rate}/s | ETA {eta_formatted}',
      hideCursor: true,
      clearOnComplete: false,
      stopOnComplete: false,
      etaBuffer: 50,
    },
    cliProgress().Presets.shades_classic,
  );
  private readonly bars = new Map<string, KindBar>();
  private readonly startedAt = Date.now();
  private width = 0;

  start(totals: KindTotals[]): void {
    this.width = Math.max(...totals.map((t) => t.kind.length), 4);
    for (const t of totals) {
      const bar = this.multibar.create(t.total, t.done, {
        kind: t.kind.padEnd(this.width),
        failed: t.failed,
        rate: '0.0',
      });
      this.bars.set(t.kind, { bar, done: t.done, failed: t.failed, doneThisRun: 0 });
    }
  }
  private update(kind: string): void {
    const entry = this.bars.get(kind);
    if (!entry) return;
    const elapsed = Math.max((Date.now() - this.startedAt) / 1000, 0.001);
    entry.bar.update(entry.done, { failed: entry.failed, rate: (entry.doneThisRun / elapsed).toFixed(1) });
  }
  // The bars show life on their own.
  started(): void {}
  running(): void {}
  finished(job: PlanJob): void {
    const entry = this.bars.get(job.kind);
    if (entry) {
      entry.done++;
      entry.doneThisRun++;
    }
    this.update(job.kind);
  }
  failed(job: PlanJob, error: string, attempt: number, final: boolean): void {
    if (final) {
      const entry = this.bars.get(job.kind);
      if (entry) entry.failed++;
      this.update(job.kind);
    }
    this.multibar.log(`${final ? 'FAILED' : 'retry '} ${job.key}: ${error} (attempt ${attempt})\n`);
  }
  blocked(job: PlanJob, by: PlanJob): void {
    const entry = this.bars.get(job.kind);
    if (entry) entry.failed++;
    this.update(job.kind);
    this.multibar.log(`blocked ${job.key} (needs ${by.key}, which failed)\n`);
  }
  log(line: string): void {
    this.multibar.log(`${line}\n`);
  }
  stop(): void {
    this.multibar.stop();
  }
}
