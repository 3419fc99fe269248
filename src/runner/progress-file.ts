// progress.jsonl in the run folder: what happens inside the run's threads, for another process
// (`status`, `serve`) to see while the run goes on: a thread began a job's attempt (the journal's
// `started` is when it was queued), and each report a running job makes (a training's epoch with
// its loss and accuracy). Written by the run alone, appended in small batches as the journal is;
// emptied when a run starts.
import type { JobProgress } from '../jobs/kind';
import type { PlanJob } from '../plan/build-plan';
import { Journal, readJournal } from './journal';
import type { KindTotals, Progress } from './progress';

export type ProgressEvent =
  | { at: string; event: 'begun'; id: string; attempt: number }
  | {
      at: string;
      event: 'report';
      id: string;
      attempt: number;
      text: string;
      fields: JobProgress['fields'];
    };

/** The run's side: a Progress that appends what another process cannot see to progress.jsonl. */
export class ProgressRecorder implements Progress {
  private readonly file: Journal<ProgressEvent>;

  constructor(path: string) {
    this.file = new Journal<ProgressEvent>(path);
    // The journal's own writes report a full disk; this file is only a view of the run.
    this.file.onWriteError = () => {};
  }
  begun(job: PlanJob, attempt: number): void {
    this.file.append({ event: 'begun', id: job.id, attempt });
  }
  running(job: PlanJob, attempt: number, update: JobProgress): void {
    this.file.append({ event: 'report', id: job.id, attempt, text: update.text, fields: update.fields });
  }
  start(_totals: KindTotals[]): void {}
  started(): void {}
  finished(): void {}
  failed(): void {}
  blocked(): void {}
  log(): void {}
  stop(): void {
    this.file.flush();
  }
}

/** What another process reads: each attempt (`id#attempt`) with when a thread began it and its reports. */
export interface AttemptProgress {
  begunAt?: string;
  reports: Extract<ProgressEvent, { event: 'report' }>[];
}

export const attemptKey = (id: string, attempt: number) => `${id}#${attempt}`;

export function readProgressFile(file: string): Map<string, AttemptProgress> {
  const attempts = new Map<string, AttemptProgress>();
  for (const event of readJournal<ProgressEvent>(file)) {
    const key = attemptKey(event.id, event.attempt);
    const entry = attempts.get(key) ?? { reports: [] };
    if (event.event === 'begun') entry.begunAt = event.at;
    else entry.reports.push(event);
    attempts.set(key, entry);
  }
  return attempts;
}
