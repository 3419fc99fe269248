// The run folder's `lock` file: one live run per folder. A lock whose process is gone (killed,
// crashed machine) is taken over; one held by a live process refuses the new run (exit code 3).
// On this host the process table tells, with the process's start time and the boot id, so that a
// PID reused by an unrelated process does not hold the folder forever. A lock from another host (a shared folder on a cluster)
// is live while its run keeps touching it: the holder refreshes the file's time every 30 s, and
// a lock untouched for 5 minutes belongs to a run that is gone.
import { linkSync, readFileSync, rmSync, statSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { writing } from '../files';
import os from 'node:os';
import { UserError } from '../errors';
import { EXIT } from '../exit-codes';
import { bootId, processStartTicks } from './process-identity';

export interface LockOwner {
  pid: number;
  host: string;
  startedAt: string;
  /** The process's start time in clock ticks since boot, so that a reused PID is not taken for it. */
  processStart?: string;
  /** The boot it ran in: after a reboot every PID is someone else's. */
  bootId?: string;
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

/** The folder is not free (exit code 3): another live run holds its lock, or a recent lock cannot be read. */
export class LockHeldError extends UserError {
  constructor(
    readonly lockFile: string,
    readonly owner: LockOwner | undefined,
    message = `another run (${describeOwner(owner!)}) is using this folder; ` +
      `wait for it to finish or stop it. If that run is gone, delete ${lockFile}`,
  ) {
    super(message, EXIT.locked);
  }
}

/** A lock file that does not hold a lock this program wrote (empty, cut short, edited by hand). */
function unreadableLock(lockFile: string, why: string, timing: LockTiming): LockHeldError {
  return new LockHeldError(
    lockFile,
    undefined,
    `${lockFile} cannot be read as a lock (${why}); if no run is using this folder, remove it (rm ${JSON.stringify(lockFile)}) and run again. ` +
      `It is taken over by itself once untouched for ${Math.round(timing.leaseMs / 1000)} s`,
  );
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

/** Throws (a message of what is wrong) unless the text is a lock this program wrote. */
function parseLock(text: string, lockFile: string): LockOwner {
  if (!text.trim()) throw new Error('it is empty');
  let owner: LockOwner;
  try {
    owner = JSON.parse(text) as LockOwner;
  } catch {
    throw new Error('it is not JSON');
  }
  if (
    owner === null ||
    typeof owner !== 'object' ||
    !Number.isInteger(owner.pid) ||
    typeof owner.host !== 'string' ||
    typeof owner.startedAt !== 'string'
  )
    throw new Error(`expected {"pid", "host", "startedAt"}, found ${text.trim().slice(0, 40)}`);
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
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  // The PID is alive: it is the owner's only if it is the same boot and the same process start.
  if (owner.bootId !== undefined && bootId() !== undefined && owner.bootId !== bootId()) return false;
  if (owner.processStart === undefined) return true;
  const start = processStartTicks(owner.pid);
  return start === undefined || start === owner.processStart;
}

export interface HeldLock {
  /** The owner whose stale lock was taken over, if any. */
  tookOverFrom?: LockOwner;
  /** The lock taken over could not be read (and nobody had touched it for a lease). */
  tookOverUnreadable?: boolean;
  release(): void;
}

export function acquireLock(lockFile: string, timing: LockTiming = LOCK_TIMING): HeldLock {
  const me: LockOwner = {
    pid: process.pid,
    host: os.hostname(),
    startedAt: new Date().toISOString(),
    ...definedOnly({ processStart: processStartTicks(process.pid), bootId: bootId() }),
  };
  let tookOverFrom: LockOwner | undefined;
  let tookOverUnreadable = false;
  for (let tries = 0; tries < 5; tries++) {
    try {
      // A hard link fails when the name exists: an atomic test-and-set of a complete file.
      const temp = `${lockFile}.tmp-${process.pid}`;
      try {
        writing(lockFile, () => writeFileSync(temp, JSON.stringify(me)));
        linkSync(temp, lockFile);
      } finally {
        rmSync(temp, { force: true });
      }
      let released = false;
      const heartbeat = setInterval(() => touch(lockFile, me), timing.heartbeatMs).unref();
      return {
        tookOverFrom,
        tookOverUnreadable,
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
    if (statSync(lockFile, { throwIfNoEntry: false })?.isFile() === false)
      throw new LockHeldError(
        lockFile,
        undefined,
        `${lockFile} is not a file (a folder, or something else no run writes), so no run can lock this folder; remove it (rm -r ${JSON.stringify(lockFile)}) and run again`,
      );
    const text = safeRead(lockFile);
    if (text === undefined) continue; // removed meanwhile: try again
    let owner: LockOwner | undefined;
    try {
      owner = parseLock(text, lockFile);
    } catch (error) {
      // Whoever wrote it, a lock nobody touched for a whole lease is stale like any other.
      const touchedAt = statSync(lockFile, { throwIfNoEntry: false })?.mtimeMs;
      if (touchedAt !== undefined && Date.now() - touchedAt < timing.leaseMs)
        throw unreadableLock(lockFile, (error as Error).message, timing);
    }
    if (owner && isLive(owner, timing)) throw new LockHeldError(lockFile, owner);
    // Take over only the lock we judged stale, not one another run created meanwhile.
    if (safeRead(lockFile) === text) {
      try {
        unlinkSync(lockFile);
      } catch {
        // another run took it over first; the next try sees its lock
      }
    }
    if (owner) tookOverFrom = owner;
    else tookOverUnreadable = true;
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

function definedOnly<T extends object>(fields: T): Partial<T> {
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined)) as Partial<T>;
}

function safeRead(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}
