// Writing files so that nothing half-written ever carries its final name, and so that a failed
// write says which file it was writing (Node's ENOSPC error names no path).
import {
  closeSync,
  constants,
  fstatSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { threadId } from 'node:worker_threads';
import { UserError } from './errors';
import { EXIT } from './exit-codes';

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

/** Why a file cannot be read as data: it is not a regular file, or is over `maxBytes`. */
export class NotRegularFileError extends Error {
  override name = 'NotRegularFileError';
  constructor(
    readonly file: string,
    readonly reason: string,
  ) {
    super(reason);
  }
}

/** Why a read of `readRegularFile` failed, in words for a message: the file's kind or size, or the system's error code. */
export function readFailure(error: unknown): string {
  if (error instanceof NotRegularFileError) return error.reason;
  return (error as NodeJS.ErrnoException).code ?? (error as Error).message;
}

/**
 * Reads a regular file whole. A folder, FIFO, socket or device is refused without a blocking read
 * (it is opened non-blocking, then checked), and a file over `maxBytes` before it is read.
 */
export function readRegularFile(file: string, maxBytes = Number.POSITIVE_INFINITY): Buffer {
  const fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) throw new NotRegularFileError(file, `it is ${kindOfFile(stat)}, not a regular file`);
    if (stat.size > maxBytes)
      throw new NotRegularFileError(
        file,
        `it is ${stat.size.toLocaleString('en')} bytes, over the limit of ${maxBytes.toLocaleString('en')}`,
      );
    return readFileSync(fd);
  } finally {
    closeSync(fd);
  }
}

function kindOfFile(stat: import('node:fs').Stats): string {
  if (stat.isDirectory()) return 'a folder';
  if (stat.isFIFO()) return 'a FIFO (named pipe)';
  if (stat.isSocket()) return 'a socket';
  if (stat.isCharacterDevice() || stat.isBlockDevice()) return 'a device';
  return 'not a regular file';
}
