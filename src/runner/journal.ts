// journal.jsonl: one JSON event per line, appended across runs, never rewritten.
// Lines are written in small batches (a result on disk, not the journal, says a job is done),
// so a killed run may lose its last few lines but never leaves a result half-written.
// A failed write (disk full) never throws from the timed flush: the lines stay in memory, the
// error goes to `onWriteError`, and the next flush tries again on a fresh line.
import { WriteError, writing } from '../files';
import { appendFileSync, closeSync, existsSync, openSync, readFileSync, readSync, statSync } from 'node:fs';

export type JournalEvent =
  | {
      at: string;
      event: 'run-started';
      pid: number;
      config: string;
      jobs: number;
      toRun: number;
      /** Worker threads (absent in journals of older runs). */
      workers?: number;
    }
  | { at: string; event: 'run-finished'; pid: number; exitCode: number; ms: number }
  | { at: string; event: 'started'; id: string; key: string; kind: string; attempt: number }
  | {
      at: string;
      event: 'finished';
      id: string;
      key: string;
      kind: string;
      attempt: number;
      ms: number;
      /** The worker thread's CPU for the job, where the system tells it (Linux). */
      cpuMs?: number;
    }
  | {
      at: string;
      event: 'failed';
      id: string;
      key: string;
      kind: string;
      attempt: number;
      ms: number;
      error: string;
      final: boolean;
      /** On a final failure: caused by the environment (the next plain run retries it), not by the job's code. */
      transient?: boolean;
    }
  | { at: string; event: 'blocked'; id: string; key: string; kind: string; by: string }
  /** `status --verify` found the job's folder damaged: the next run reruns it and its dependents. */
  | { at: string; event: 'damaged'; id: string; key: string; kind: string; reason: string };

type WithoutTime<E> = E extends unknown ? Omit<E, 'at'> : never;

const FLUSH_EVERY_MS = 200;

/** The journal, or another file of events written the same way (progress-file.ts). */
export class Journal<E extends { event: string } = JournalEvent> {
  private lines: string[] = [];
  private timer: NodeJS.Timeout | undefined;
  /** A write failed: it may have left part of a line, so the next write starts on a new one. */
  private cut = false;
  /** Called with each failed write (the lines are kept for the next flush). */
  onWriteError: (error: WriteError) => void = () => {};

  constructor(private readonly file: string) {
    // A run killed mid-line leaves a partial last line: start on a fresh one.
    writing(file, () => {
      if (existsSync(file) && statSync(file).size > 0 && lastByte(file) !== 0x0a) appendFileSync(file, '\n');
    });
  }

  append(event: WithoutTime<E>): void {
    this.lines.push(JSON.stringify({ at: new Date().toISOString(), ...event }));
    this.timer ??= setTimeout(() => this.flush(), FLUSH_EVERY_MS).unref();
  }

  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.lines.length === 0) return;
    const text = `${this.cut ? '\n' : ''}${this.lines.join('\n')}\n`;
    try {
      appendFileSync(this.file, text);
      this.lines = [];
      this.cut = false;
    } catch (error) {
      this.cut = true;
      this.onWriteError(new WriteError(this.file, error));
    }
  }
}

function lastByte(file: string): number {
  const fd = openSync(file, 'r');
  try {
    const buffer = Buffer.alloc(1);
    readSync(fd, buffer, 0, 1, statSync(file).size - 1);
    return buffer[0];
  } finally {
    closeSync(fd);
  }
}

/** Every complete event of a journal; a line cut short by a kill is skipped. */
export function readJournal<E = JournalEvent>(file: string): E[] {
  if (!existsSync(file)) return [];
  const events: E[] = [];
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line) continue;
    try {
      events.push(JSON.parse(line) as E);
    } catch {
      // partial line from a killed run
    }
  }
  return events;
}

export type JobEvent = Extract<JournalEvent, { id: string }>;

/** The last event of each job id. */
export function lastEventById(events: JournalEvent[]): Map<string, JobEvent> {
  const last = new Map<string, JobEvent>();
  for (const event of events) if ('id' in event) last.set(event.id, event);
  return last;
}
