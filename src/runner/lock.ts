// The run folder's `lock` file: one live run per folder. A lock whose process is gone (killed,
// crashed machine) is taken over; one held by a live process refuses the new run (exit code 3).
import { linkSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';

export interface LockOwner {
  pid: number;
  host: string;
  startedAt: string;
}

export class LockHeldError extends Error {
  constructor(
    readonly lockFile: string,
    readonly owner: LockOwner,
  ) {
    super(
      `another run (pid ${owner.pid} on ${owner.host}, started ${owner.startedAt}) is using this folder; ` +
        `wait for it to finish or stop it. If that run is gone, delete ${lockFile}`,
    );
    this.name = 'LockHeldError';
  }
}

export function readLock(lockFile: string): LockOwner | undefined {
  try {
    return JSON.parse(readFileSync(lockFile, 'utf8')) as LockOwner;
  } catch {
    return undefined;
  }
}

/** Whether the lock's owner may still be running (always true for another host: we cannot tell). */
export function isLive(owner: LockOwner): boolean {
  if (owner.host !== os.hostname()) return true;
  if (owner.pid === process.pid) return true;
  try {
    process.kill(owner.pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export interface HeldLock {
  /** The owner whose stale lock was taken over, if any. */
  tookOverFrom?: LockOwner;
  release(): void;
}

export function acquireLock(lockFile: string): HeldLock {
  const me: LockOwner = { pid: process.pid, host: os.hostname(), startedAt: new Date().toISOString() };
  let tookOverFrom: LockOwner | undefined;
  for (let tries = 0; tries < 5; tries++) {
    try {
      // A hard link fails when the name exists: an atomic test-and-set of a complete file.
      const temp = `${lockFile}.tmp-${process.pid}`;
      writeFileSync(temp, JSON.stringify(me));
      try {
        linkSync(temp, lockFile);
      } finally {
        unlinkSync(temp);
      }
      let released = false;
      return {
        tookOverFrom,
        release() {
          if (released) return;
          released = true;
          if (readLock(lockFile)?.pid === me.pid) unlinkSync(lockFile);
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const text = safeRead(lockFile);
    if (text === undefined) continue; // removed meanwhile: try again
    let owner: LockOwner;
    try {
      owner = JSON.parse(text) as LockOwner;
    } catch {
      throw new Error(`${lockFile} is not a lock this program wrote; delete it if no run is using the folder`);
    }
    if (isLive(owner)) throw new LockHeldError(lockFile, owner);
    // Take over only the lock we judged stale, not one another run created meanwhile.
    if (safeRead(lockFile) === text) {
      try {
        unlinkSync(lockFile);
      } catch {
        // another run took it over first; the next try sees its lock
      }
    }
    tookOverFrom = owner;
  }
  throw new Error(`could not take the lock ${lockFile}: it keeps changing`);
}

function safeRead(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}
