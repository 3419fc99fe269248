// The run folder's `lock` file: one live run per folder. A lock whose process is gone (killed,
// crashed machine) is taken over; one held by a live process refuses the new run (exit code 3).
// On this host the process table tells. A lock from another host (a shared folder on a cluster)
// is live while its run keeps touching it: the holder refreshes the file's time every 30 s, and
// a lock untouched for 5 minutes belongs to a run that is gone.
import { linkSync, readFileSync, statSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { UserError } from '../errors';
import { EXIT } from './exit-codes';

export interface LockOwner {
  pid: number;
  host: string;
  startedAt: string;
  /** When its run last touched the lock (the file's modification time, ms); not stored in the file. */
  touchedAt?: number;
}

export interface LockTiming {
  /** How often the holder touches its lock. */
  heartbeatMs: number;
  /** How long a lock from another host stays live untouched. */
  leaseMs: number;
}

export const LOCK_TIMING: LockTiming = { heartbeatMs: 30_000, leaseMs: 300_000 };

/** Exit code 3. */
export class LockHeldError extends UserError {
  constructor(
    readonly lockFile: string,
    readonly owner: LockOwner,
  ) {
    super(
      `another run (${describeOwner(owner)}) is using this folder; ` +
        `wait for it to finish or stop it. If that run is gone, delete ${lockFile}`,
      EXIT.locked,
    );
  }
}

/** "pid 12 on node-3, started …, its lock touched 4 s ago" */
export function describeOwner(owner: LockOwner): string {
  const touched =
    owner.touchedAt === undefined
      ? ''
      : `, its lock touched ${Math.round((Date.now() - owner.touchedAt) / 1000)} s ago`;
  return `pid ${owner.pid} on ${owner.host}, started ${owner.startedAt}${touched}`;
}

export function readLock(lockFile: string): LockOwner | undefined {
  try {
    return parseLock(readFileSync(lockFile, 'utf8'), lockFile);
  } catch {
    return undefined;
  }
}

function parseLock(text: string, lockFile: string): LockOwner {
  const owner = JSON.parse(text) as LockOwner;
  const touchedAt = statSync(lockFile, { throwIfNoEntry: false })?.mtimeMs;
  return touchedAt === undefined ? owner : { ...owner, touchedAt };
}

/** Whether the lock's owner may still be running: its process on this host, its recent touches from another. */
export function isLive(owner: LockOwner, timing: LockTiming = LOCK_TIMING): boolean {
  if (owner.host !== os.hostname())
    return owner.touchedAt === undefined || Date.now() - owner.touchedAt < timing.leaseMs;
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

export function acquireLock(lockFile: string, timing: LockTiming = LOCK_TIMING): HeldLock {
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
      const heartbeat = setInterval(() => touch(lockFile, me), timing.heartbeatMs).unref();
      return {
        tookOverFrom,
        release() {
          if (released) return;
          released = true;
          clearInterval(heartbeat);
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
      owner = parseLock(text, lockFile);
    } catch {
      throw new Error(
        `${lockFile} is not a lock this program wrote; delete it if no run is using the folder`,
      );
    }
    if (isLive(owner, timing)) throw new LockHeldError(lockFile, owner);
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

/** Tells runs on other hosts this one is alive; a lock removed by hand or taken over by another run is left alone. */
function touch(lockFile: string, me: LockOwner): void {
  const owner = readLock(lockFile);
  if (owner?.pid !== me.pid || owner.host !== me.host || owner.startedAt !== me.startedAt) return;
  const now = new Date();
  try {
    utimesSync(lockFile, now, now);
  } catch {
    // removed meanwhile: the run ends without it
  }
}

function safeRead(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}
