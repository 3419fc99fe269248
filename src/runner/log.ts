// --log json: one JSON object per line, for cron mail, systemd's journal and CI logs.
// Every line has `at` (ISO time), `level` (info or error) and `event`:
//   run-start   run, runDir, config, jobs, toRun, reused, failedEarlier, blocked, workers, shard?, only?
//   job-start   id, key, kind, attempt
//   job-finish  id, key, kind, attempt, ms
//   job-fail    id, key, kind, attempt, ms, error, final (false: it will be retried)
//   job-blocked id, key, kind, by (id of the failed job it needs)
//   job-progress id, key, kind, attempt, text, and the job's own fields (training: epoch, epochs,
//               loss, accuracy, valLoss, valAccuracy, epochSeconds, etaSeconds)
//   heartbeat   done, total, running, longest (key of the job running longest), longestSeconds:
//               after 60 s without another event
//   message     text (what the text log would print, e.g. where the report went)
//   plan        (--dry-run) run, runDir, jobs, done, failedEarlier, blocked, toRun, byKind
//   run-end     run, runDir, exitCode, ms (wall time), counts, interrupted
//   run-error   exitCode (2: usage or config, 3: folder locked), error
import { appendFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { WriteError } from '../files';
import type { JournalEvent } from './journal';

export type LogFormat = 'text' | 'json';

export type LogFields = Record<string, unknown>;

export interface RunLogger {
  format: LogFormat;
  /** A human line (text) or a `message` event (json). */
  line(text: string): void;
  /** A structured event; ignored by the text format, which prints its own lines. */
  event(event: string, fields: LogFields, level?: 'info' | 'error'): void;
}

/** Text goes to stdout and JSON to stderr, or both to `file` (appended, so nightly runs add up). */
export function createRunLogger(format: LogFormat, file?: string): RunLogger {
  if (file) mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  // A log that cannot be written (disk full, a closed pipe such as `| head`) never stops the run.
  for (const stream of [process.stdout, process.stderr])
    if (stream.listenerCount('error') === 0) stream.on('error', () => {});
  let fileFailed = false;
  const append = (target: string, text: string) => {
    if (fileFailed) return;
    try {
      appendFileSync(target, text);
    } catch (error) {
      fileFailed = true;
      process.stderr.write(
        `${new WriteError(target, error).message} (the log stops here; the run goes on)\n`,
      );
    }
  };
  const write = file
    ? (text: string) => append(file, text)
    : format === 'json'
      ? (text: string) => process.stderr.write(text)
      : (text: string) => process.stdout.write(text);
  if (format === 'text') return { format, line: (text) => write(`${text}\n`), event: () => {} };
  const event = (name: string, fields: LogFields, level: 'info' | 'error' = 'info') =>
    write(`${JSON.stringify({ at: new Date().toISOString(), level, event: name, ...fields })}\n`);
  return { format, line: (text) => event('message', { text }), event };
}

/** A journal event about one job as a log event (run events are logged by the runner itself). */
export function jobLogEvent(
  event: Omit<JournalEvent, 'at'>,
): { event: string; fields: LogFields; level: 'info' | 'error' } | undefined {
  const { event: name, ...fields } = event as { event: string } & LogFields;
  switch (name) {
    case 'started':
      return { event: 'job-start', fields, level: 'info' };
    case 'finished':
      return { event: 'job-finish', fields, level: 'info' };
    case 'failed':
      return { event: 'job-fail', fields, level: 'error' };
    case 'blocked':
      return { event: 'job-blocked', fields, level: 'error' };
    default:
      return undefined;
  }
}
