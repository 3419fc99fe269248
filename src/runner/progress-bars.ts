// Progress bars on a terminal (cli-progress): the whole run with its ETA (eta.ts), one bar per
// job kind, and one per running training with its epochs, loss and accuracy.
import type { MultiBar, Options, SingleBar } from 'cli-progress';
import { formatDuration } from '../duration';
import type { JobProgress } from '../jobs/kind';
import type { PlanJob } from '../plan/build-plan';
import { formatEta } from './eta';
import { EtaTracker, type RunPlan, reportedFraction } from './eta-tracker';
import type { KindTotals, Progress } from './progress-events';

interface KindBar {
  bar: SingleBar;
  done: number;
  failed: number;
  doneThisRun: number;
}

/** cli-progress, loaded only for a terminal. */
const cliProgress = () => require('cli-progress') as typeof import('cli-progress');

/** How often the whole run's ETA is worked out again (it reads every job of the plan). */
const ETA_EVERY_MS = 1000;
const ALL = 'all jobs';

/** "loss 0.2345, accuracy 0.9312" from a training's epoch report. */
function epochText(fields: JobProgress['fields']): string {
  const shown = ['loss', 'accuracy'].filter((name) => typeof fields[name] === 'number');
  return shown.map((name) => `${name} ${(fields[name] as number).toFixed(4)}`).join(', ');
}

export class BarProgress implements Progress {
  private readonly multibar: MultiBar;
  private readonly bars = new Map<string, KindBar>();
  /** Running jobs that report epochs (trainings): job id → its bar of epochs. */
  private readonly epochBars = new Map<string, SingleBar>();
  private overall?: SingleBar;
  private readonly counts = { done: 0, failed: 0 };
  private eta?: EtaTracker;
  private etaTimer?: NodeJS.Timeout;
  private readonly startedAt = Date.now();
  private width = 0;

  /** `stream`: where to draw instead of the terminal (drawn then as lines, every 100 ms). */
  constructor(stream?: NodeJS.WritableStream) {
    const options: Options = {
      format: '{kind} |{bar}| {value}/{total} done, {failed} failed | {rate}/s',
      hideCursor: true,
      clearOnComplete: false,
      stopOnComplete: false,
      ...(stream ? { stream, noTTYOutput: true, notTTYSchedule: 100 } : {}),
    };
    this.multibar = new (cliProgress().MultiBar)(options, cliProgress().Presets.shades_classic);
  }

  start(totals: KindTotals[], run?: RunPlan): void {
    this.width = Math.max(...totals.map((t) => t.kind.length), ALL.length);
    const total = totals.reduce((n, t) => n + t.total, 0);
    this.counts.done = totals.reduce((n, t) => n + t.done, 0);
    this.counts.failed = totals.reduce((n, t) => n + t.failed, 0);
    this.overall = this.multibar.create(
      total,
      this.counts.done,
      { kind: ALL.padEnd(this.width), failed: this.counts.failed, runEta: '' },
      // cli-progress fills {eta} itself, from this bar's rate alone: the run's ETA is {runEta}.
      { format: '{kind} |{bar}| {value}/{total} done, {failed} failed | {runEta}' },
    );
    for (const t of totals) {
      const bar = this.multibar.create(t.total, t.done, {
        kind: t.kind.padEnd(this.width),
        failed: t.failed,
        rate: '0.0',
      });
      this.bars.set(t.kind, { bar, done: t.done, failed: t.failed, doneThisRun: 0 });
    }
    if (!run) return;
    this.eta = new EtaTracker(run);
    this.refreshEta();
    this.etaTimer = setInterval(() => this.refreshEta(), ETA_EVERY_MS).unref();
  }
  private refreshEta(): void {
    if (this.eta) this.overall?.update({ runEta: formatEta(this.eta.estimate(), formatDuration) });
  }
  private update(kind: string): void {
    this.overall?.update(this.counts.done, { failed: this.counts.failed });
    const entry = this.bars.get(kind);
    if (!entry) return;
    const elapsed = Math.max((Date.now() - this.startedAt) / 1000, 0.001);
    entry.bar.update(entry.done, { failed: entry.failed, rate: (entry.doneThisRun / elapsed).toFixed(1) });
  }
  private endEpochs(job: PlanJob): void {
    const bar = this.epochBars.get(job.id);
    if (bar) this.multibar.remove(bar);
    this.epochBars.delete(job.id);
  }
  private countFailed(job: PlanJob): void {
    this.counts.failed++;
    const entry = this.bars.get(job.kind);
    if (entry) entry.failed++;
    this.update(job.kind);
  }
  // The bars show life on their own.
  started(): void {}
  begun(job: PlanJob): void {
    this.eta?.begun(job);
  }
  /** A training's epoch: its own bar below the others, until it ends. */
  running(job: PlanJob, _attempt: number, update: JobProgress): void {
    this.eta?.report(job, update);
    if (reportedFraction(update.fields) === undefined) return;
    const { epoch, epochs } = update.fields as { epoch: number; epochs: number };
    let bar = this.epochBars.get(job.id);
    if (!bar) {
      bar = this.multibar.create(epochs, 0, {}, { format: '  {key} |{bar}| epoch {value}/{total}: {text}' });
      this.epochBars.set(job.id, bar);
    }
    bar.update(epoch, { key: job.key, text: epochText(update.fields) });
  }
  finished(job: PlanJob, ms: number): void {
    this.eta?.finished(job, ms);
    this.endEpochs(job);
    this.counts.done++;
    const entry = this.bars.get(job.kind);
    if (entry) {
      entry.done++;
      entry.doneThisRun++;
    }
    this.update(job.kind);
  }
  failed(job: PlanJob, error: string, attempt: number, final: boolean): void {
    this.eta?.failed(job, final);
    this.endEpochs(job);
    if (final) this.countFailed(job);
    this.multibar.log(`${final ? 'FAILED' : 'retry '} ${job.key}: ${error} (attempt ${attempt})\n`);
  }
  blocked(job: PlanJob, by: PlanJob): void {
    this.eta?.failed(job, true);
    this.countFailed(job);
    this.multibar.log(`blocked ${job.key} (needs ${by.key}, which failed)\n`);
  }
  log(line: string): void {
    this.multibar.log(`${line}\n`);
  }
  stop(): void {
    clearInterval(this.etaTimer);
    this.refreshEta();
    this.multibar.stop();
  }
}
