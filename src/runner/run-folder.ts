// Where everything of a run lives: `outputs/<config name>/`.
//   plan.json      the expanded job graph of the last run
//   config.json    the config the last run read (JSON even when the file was YAML)
//   journal.jsonl  append-only events of every run
//   jobs/<id>/     one finished job: result.json and its artifacts
//   tables/, figures/  published copies of the jobs' files, under the job keys
//   summary.json   counts and failures of the last run
//   data-hashes.json  SHA-256 of the IDX files the config reads, by path, size and time
//   lock           present while a run is live
import { readdirSync, rmSync } from 'node:fs';
import path from 'node:path';

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
  /** A published file: `tables/x.csv` of job `exp/seed=1` → `<run>/tables/exp/seed=1/x.csv`. */
  publishedFile(key: string, file: string): string {
    const [top, ...rest] = file.split('/');
    return path.join(this.dir, top, ...key.split('/'), ...rest);
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
