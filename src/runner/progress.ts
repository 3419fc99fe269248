// Progress of a run: live bars per job kind on a terminal (cli-progress), plain log lines elsewhere.
import type { MultiBar, SingleBar } from 'cli-progress';
import type { PlanJob } from '../plan/build-plan';

export interface KindTotals {
  kind: string;
  total: number;
  /** Already done or failed before this run started. */
  done: number;
  failed: number;
}

export interface Progress {
  start(totals: KindTotals[]): void;
  finished(job: PlanJob, ms: number): void;
  failed(job: PlanJob, error: string, attempt: number, final: boolean): void;
  blocked(job: PlanJob, by: PlanJob): void;
  /** A message that must not break the display. */
  log(line: string): void;
  stop(): void;
}

export type ProgressMode = 'auto' | 'bars' | 'lines' | 'none';

export function createProgress(
  mode: ProgressMode,
  write: (line: string) => void = (line) => process.stdout.write(`${line}\n`),
): Progress {
  const resolved = mode === 'auto' ? (process.stdout.isTTY ? 'bars' : 'lines') : mode;
  if (resolved === 'bars') return new BarProgress();
  if (resolved === 'lines') return new LineProgress(write);
  return new LineProgress(() => {});
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 0)} s`;

class LineProgress implements Progress {
  private total = 0;
  private ended = 0;

  constructor(private readonly write: (line: string) => void) {}

  start(totals: KindTotals[]): void {
    for (const t of totals) {
      this.total += t.total;
      this.ended += t.done + t.failed;
    }
  }
  finished(job: PlanJob, ms: number): void {
    this.ended++;
    this.write(`done    [${this.ended}/${this.total}] ${job.key} (${seconds(ms)})`);
  }
  failed(job: PlanJob, error: string, attempt: number, final: boolean): void {
    if (final) this.ended++;
    const tag = final ? `FAILED  [${this.ended}/${this.total}]` : 'retry  ';
    this.write(`${tag} ${job.key}: ${error} (attempt ${attempt}${final ? ', giving up' : ''})`);
  }
  blocked(job: PlanJob, by: PlanJob): void {
    this.ended++;
    this.write(`blocked [${this.ended}/${this.total}] ${job.key} (needs ${by.key}, which failed)`);
  }
  log(line: string): void {
    this.write(line);
  }
  stop(): void {}
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
