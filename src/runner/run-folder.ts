// Where everything of a run lives: `outputs/<config name>/`.
//   plan.json      the expanded job graph of the last run
//   config.json    the config the last run read (JSON even when the file was YAML)
//   journal.jsonl  append-only events of every run
//   progress.jsonl what the live run's threads report (a job begun, a training's epochs)
//   jobs/<id>/     one finished job: result.json and its artifacts
//   tables/, figures/  published copies of the jobs' files, under the job keys
//   summary.json   counts and failures of the last run
//   data-hashes.json  SHA-256 of the IDX files the config reads, by path, size and time
//   lock           present while a run is live
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { UsageError } from '../errors';

/**
 * A JSON file of a run folder that a command needs (plan.json, summary.json): one that is
 * missing, damaged or not what `isValid` expects is a UsageError (exit code 2) naming it.
 */
export function readRunFile<T>(file: string, isValid: (value: unknown) => boolean): T {
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError(
      `${file}: ${code ? `cannot be read (${code})` : 'is not valid JSON'}; it is rewritten by the next run of the config`,
    );
  }
  if (!isValid(value))
    throw new UsageError(
      `${file}: is not a file this program wrote; it is rewritten by the next run of the config`,
    );
  return value as T;
}

export class RunFolder {
  readonly jobsDir: string;

  constructor(readonly dir: string) {
    this.jobsDir = path.join(dir, 'jobs');
  }

  get planFile(): string {
    return path.join(this.dir, 'plan.json');
  }
  get configFile(): string {
    return path.join(this.dir, 'config.json');
  }
  get journalFile(): string {
    return path.join(this.dir, 'journal.jsonl');
  }
  get progressFile(): string {
    return path.join(this.dir, 'progress.jsonl');
  }
  get summaryFile(): string {
    return path.join(this.dir, 'summary.json');
  }
  get dataHashesFile(): string {
    return path.join(this.dir, 'data-hashes.json');
  }
  get lockFile(): string {
    return path.join(this.dir, 'lock');
  }
  // Ids are plain hex, so these paths need no path.join (called for every job, several times).
  jobDir(id: string): string {
    return `${this.jobsDir}${path.sep}${id}`;
  }
  resultFile(id: string): string {
    return `${this.jobsDir}${path.sep}${id}${path.sep}result.json`;
  }
  /** Where an attempt runs; renamed to `jobDir(id)` only when it succeeds. */
  attemptDir(id: string, attempt: number): string {
    return `${this.jobsDir}${path.sep}.tmp-${id}-${attempt}`;
  }
  /**
   * A published file: `tables/x.csv` of job `exp/seed=1` → `<run>/tables/exp/seed=1/x.csv`. A
   * job's saved model (`model/…`) is published under `models/`, beside tables/ and figures/.
   */
  publishedFile(key: string, file: string): string {
    const [top, ...rest] = file.split('/');
    return path.join(this.dir, top === 'model' ? 'models' : top, ...key.split('/'), ...rest);
  }

  /** Removes what killed runs left behind: attempt folders and temporary files under `jobs/`. */
  removeLeftovers(): void {
    let names: string[];
    try {
      names = readdirSync(this.jobsDir);
    } catch {
      return;
    }
    for (const name of names)
      if (name.startsWith('.tmp-') || name.startsWith('.old-'))
        rmSync(path.join(this.jobsDir, name), { recursive: true, force: true });
  }
}
