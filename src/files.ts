// Writing files so that nothing half-written ever carries its final name, and so that a failed
// write says which file it was writing (Node's ENOSPC error names no path).
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { threadId } from 'node:worker_threads';
import { UserError } from './errors';
import { EXIT } from './runner/exit-codes';

/** A file system that takes no more writes (full, over quota, read-only): the run starts no new job (see run.ts). */
const DISK_FULL = new Set(['ENOSPC', 'EDQUOT', 'EROFS']);

/** Whether an error (or a job's error, which travels as a plain object) says the disk takes no more writes. */
export function isDiskFull(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && DISK_FULL.has(code);
}

/** A write that failed, naming its file; carries the system error's code (ENOSPC, EACCES, ...). Exit code 1. */
export class WriteError extends UserError {
  readonly code: string | undefined;

  constructor(
    readonly file: string,
    cause: unknown,
  ) {
    const code = (cause as NodeJS.ErrnoException | null)?.code;
    super(writeMessage(file, code, (cause as Error | null)?.message ?? String(cause)), EXIT.failed);
    this.code = code;
  }
}

function writeMessage(file: string, code: string | undefined, detail: string): string {
  if (code === 'ENOSPC' || code === 'EDQUOT') return `disk full writing ${file}: free space and run again`;
  if (code === 'EROFS') return `read-only file system writing ${file}: make it writable and run again`;
  return `cannot write ${file}: ${detail}`;
}

/** Runs a write to `file`; its error, if any, becomes a WriteError naming the file. */
export function writing<T>(file: string, write: () => T): T {
  try {
    return write();
  } catch (error) {
    throw error instanceof WriteError ? error : new WriteError(file, error);
  }
}

let counter = 0;

/** Writes to a temporary name beside `file`, then renames it into place (atomic on one file system). */
export function writeFileAtomic(file: string, data: string | Uint8Array): void {
  const temp = `${file}.tmp-${process.pid}-${threadId}-${counter++}`;
  writing(file, () => {
    mkdirSync(path.dirname(file), { recursive: true });
    try {
      writeFileSync(temp, data);
      renameSync(temp, file);
    } catch (error) {
      rmSync(temp, { force: true });
      throw error;
    }
  });
}

export function writeJsonAtomic(file: string, value: unknown): void {
  writeFileAtomic(file, `${JSON.stringify(value, null, 2)}\n`);
}
