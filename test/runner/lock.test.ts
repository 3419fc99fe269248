// One live run per run folder: a second concurrent run is refused (exit code 3); a lock left by
// a killed run is taken over.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { acquireLock, LockHeldError } from '../../src/runner/lock';
import { bootId, processStartTicks } from '../../src/runner/process-identity';
import { runExperiments } from '../../src/runner/run';
import { runCli, startCli, writeConfig } from '../helpers/runner';
import { tempDir } from '../helpers/temp-dir';

const quiet = { progress: 'none' as const, log: () => {} };

test('a second run on a live folder is refused; after a kill -9 the stale lock is taken over', async () => {
  const dir = tempDir();
  writeConfig(dir, 'busy.json', {
    experiments: [
      { name: 'slow', kind: 'selftest', action: 'sleep', ms: 60000 }, // killed long before it ends
      { name: 'quick', kind: 'selftest' },
    ],
  });
  const lockFile = path.join(dir, 'outputs', 'busy', 'lock');

  const first = startCli(['busy.json', '--workers', '1'], dir);
  await first.lines(/^busy: 2 jobs/, 1); // printed once the lock is held
  expect(JSON.parse(readFileSync(lockFile, 'utf8')).pid).toBe(first.child.pid);

  await expect(runExperiments({ config: 'busy.json', cwd: dir, ...quiet })).rejects.toBeInstanceOf(
    LockHeldError,
  );
  const second = await runCli(['busy.json'], dir);
  expect(second.code).toBe(3);
  expect(second.stderr).toContain(`another run (pid ${first.child.pid} on ${os.hostname()}, started `);
  const status = await runCli(['status', path.join('outputs', 'busy')], dir);
  expect(status.stdout).toMatch(
    new RegExp(`a run is live: pid ${first.child.pid} on .*, its lock touched \\d+ s ago`),
  );

  first.child.kill('SIGKILL');
  await first.done;
  expect(existsSync(lockFile)).toBe(true); // left behind by the killed run

  writeConfig(dir, 'busy.json', { experiments: [{ name: 'quick', kind: 'selftest' }] });
  const lines: string[] = [];
  const third = await runExperiments({
    config: 'busy.json',
    cwd: dir,
    progress: 'none',
    log: (line) => lines.push(line),
  });
  expect(third.exitCode).toBe(0);
  expect(lines[0]).toContain(`took over the lock of a run that is gone (pid ${first.child.pid}`);
  expect(existsSync(lockFile)).toBe(false);
});

test('acquireLock: refuses a live owner, takes over a dead one, releases only its own lock', () => {
  const dir = tempDir();
  mkdirSync(dir, { recursive: true });
  const lockFile = path.join(dir, 'lock');
  const gone = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
  const deadPid = Number(gone.stdout.toString());

  writeFileSync(lockFile, JSON.stringify({ pid: process.ppid, host: os.hostname(), startedAt: 'earlier' }));
  expect(() => acquireLock(lockFile)).toThrow(LockHeldError);

  writeFileSync(lockFile, JSON.stringify({ pid: deadPid, host: os.hostname(), startedAt: 'earlier' }));
  const lock = acquireLock(lockFile);
  expect(lock.tookOverFrom?.pid).toBe(deadPid);
  expect(JSON.parse(readFileSync(lockFile, 'utf8')).pid).toBe(process.pid);
  expect(() => acquireLock(lockFile)).toThrow(LockHeldError); // this process holds it
  lock.release();
  expect(existsSync(lockFile)).toBe(false);
});

test('a lock whose PID now belongs to an unrelated process (another start time or boot) is taken over', () => {
  const dir = tempDir();
  const lockFile = path.join(dir, 'lock');
  const unrelated = process.ppid; // alive, and not the run that wrote the lock
  const start = processStartTicks(unrelated);
  const owner = { pid: unrelated, host: os.hostname(), startedAt: 'earlier' };
  if (start === undefined) return; // no /proc: a live PID is all there is to go by
  writeFileSync(lockFile, JSON.stringify({ ...owner, processStart: start, bootId: bootId() }));
  expect(() => acquireLock(lockFile)).toThrow(LockHeldError); // the very process: live

  writeFileSync(
    lockFile,
    JSON.stringify({ ...owner, processStart: `${Number(start) + 1}`, bootId: bootId() }),
  );
  const reused = acquireLock(lockFile);
  expect(reused.tookOverFrom?.pid).toBe(unrelated);
  const mine = JSON.parse(readFileSync(lockFile, 'utf8'));
  expect(mine).toMatchObject({
    pid: process.pid,
    processStart: processStartTicks(process.pid),
    bootId: bootId(),
  });
  reused.release();

  writeFileSync(lockFile, JSON.stringify({ ...owner, processStart: start, bootId: 'an-earlier-boot' }));
  const rebooted = acquireLock(lockFile);
  expect(rebooted.tookOverFrom?.pid).toBe(unrelated);
  rebooted.release();
});

test('a lock from another host is live while its run touches it, and taken over once untouched past the lease', async () => {
  const dir = tempDir();
  const lockFile = path.join(dir, 'lock');
  const timing = { heartbeatMs: 50, leaseMs: 60_000 };
  const other = { pid: 4242, host: `not-${os.hostname()}`, startedAt: 'earlier' };

  writeFileSync(lockFile, JSON.stringify(other)); // just touched: live
  expect(() => acquireLock(lockFile, timing)).toThrow(
    /another run \(pid 4242 on not-.*its lock touched \d+ s ago\)/,
  );

  const untouched = new Date(Date.now() - 61_000); // a node that died a minute ago
  utimesSync(lockFile, untouched, untouched);
  const lock = acquireLock(lockFile, timing);
  expect(lock.tookOverFrom).toMatchObject(other);

  // The holder touches its lock, so that runs on other hosts see it alive.
  utimesSync(lockFile, untouched, untouched);
  await new Promise((resolve) => setTimeout(resolve, 200));
  expect(Date.now() - statSync(lockFile).mtimeMs).toBeLessThan(1000);
  lock.release();
  expect(existsSync(lockFile)).toBe(false);
});

test('a lock file that cannot be read: exit 3 naming it and how to remove it; taken over once older than the lease', async () => {
  const dir = tempDir();
  writeConfig(dir, 'x.json', { experiments: [{ name: 'ok', kind: 'selftest' }] });
  const runDir = path.join(dir, 'outputs', 'x');
  const lockFile = path.join(runDir, 'lock');
  mkdirSync(runDir, { recursive: true });
  for (const [text, why] of [
    ['', 'it is empty'],
    ['12345', 'expected {"pid", "host", "startedAt"}, found 12345'],
    ['{"pid": 1', 'it is not JSON'],
  ]) {
    writeFileSync(lockFile, text);
    const refused = await runCli(['x.json', '--progress', 'none'], dir);
    expect(refused.code).toBe(3);
    expect(refused.stderr).toBe(
      `${lockFile} cannot be read as a lock (${why}); if no run is using this folder, remove it (rm "${lockFile}") and run again. It is taken over by itself once untouched for 300 s\n`,
    );
  }
  const old = new Date(Date.now() - 301_000);
  utimesSync(lockFile, old, old);
  const lines: string[] = [];
  const run = await runExperiments({
    config: 'x.json',
    cwd: dir,
    progress: 'none',
    log: (l) => lines.push(l),
  });
  expect(run.exitCode).toBe(0);
  expect(lines[0]).toBe(
    `took over ${lockFile}: it could not be read and nobody had touched it for the lease`,
  );
  expect(existsSync(lockFile)).toBe(false);
});
