// summary.json never outlives the run it describes: a run that cannot write its own (a full disk
// at the start, or when the summary is written) leaves none, says so, and ends with exit code 1.
import { spawnSync } from 'node:child_process';
import fs, { closeSync, existsSync, openSync, readFileSync, writeSync } from 'node:fs';
import path from 'node:path';
import { runExperiments } from '../../src/runner/run';
import { runCli, writeConfig } from '../helpers/runner';
import { tempDir } from '../helpers/temp-dir';

const config = { name: 'small', experiments: [{ name: 'ok', kind: 'selftest', jobs: 2 }] };
const quiet = { progress: 'none' as const };

/** A write of a file whose name ends with `suffix` fails as on a full disk; the rest go through. */
function failWrites(suffix: RegExp): jest.SpyInstance {
  const write = fs.writeFileSync;
  return jest.spyOn(fs, 'writeFileSync').mockImplementation((file, ...rest) => {
    if (suffix.test(String(file)))
      throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
    return write(file, ...rest);
  });
}

test('the summary cannot be written: the log says so, no summary.json is left, exit code 1', async () => {
  const dir = tempDir();
  writeConfig(dir, 'small.json', config);
  const summaryFile = path.join(dir, 'outputs', 'small', 'summary.json');
  const first = await runExperiments({ config: 'small.json', cwd: dir, workers: 1, ...quiet, log: () => {} });
  expect(first.exitCode).toBe(0);
  expect(existsSync(summaryFile)).toBe(true);

  const lines: string[] = [];
  const spy = failWrites(/summary\.json\.tmp-/);
  let again: Awaited<ReturnType<typeof runExperiments>>;
  try {
    again = await runExperiments({
      config: 'small.json',
      cwd: dir,
      workers: 1,
      ...quiet,
      log: (l) => lines.push(l),
    });
  } finally {
    spy.mockRestore();
  }
  expect(again.exitCode).toBe(1);
  expect(existsSync(summaryFile)).toBe(false); // not the first run's "exit code 0"
  expect(lines).toContain(`${summaryFile} could not be written: this run has no summary (exit code 1)`);
  expect(lines.at(-1)).toBe(`disk full writing ${summaryFile}: free space and run again`);
});

// As root, a real full disk (a tmpfs filled to the last byte); otherwise an injected ENOSPC.
const asRoot = process.getuid?.() === 0;

test("the disk is full when a run starts: the last run's summary (exit code 0) is removed, exit 1 naming the file", async () => {
  const dir = tempDir();
  writeConfig(dir, 'small.json', config);
  let out = path.join(dir, 'outputs');
  if (asRoot) {
    out = tempDir();
    const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', out]);
    if (mounted.status !== 0) throw new Error(`mount failed: ${mounted.stderr}`);
  }
  try {
    const first = await runCli(['small.json', '--out', out, '--progress', 'none'], dir);
    expect(first.code).toBe(0);
    const summaryFile = path.join(out, 'small', 'summary.json');
    expect(JSON.parse(readFileSync(summaryFile, 'utf8')).exitCode).toBe(0);
    if (asRoot) {
      fill(path.join(out, 'filler'));
      const full = await runCli(['small.json', '--out', out, '--force', '--progress', 'none'], dir);
      expect(full.code).toBe(1);
      expect(full.stderr).toMatch(/^disk full writing \/\S+: free space and run again\n$/);
    } else {
      const spy = failWrites(/\.tmp-/);
      await expect(
        runExperiments({
          config: 'small.json',
          cwd: dir,
          out,
          force: true,
          workers: 1,
          ...quiet,
          log: () => {},
        }),
      ).rejects.toThrow(/^disk full writing \/\S+: free space and run again$/);
      spy.mockRestore();
    }
    expect(existsSync(summaryFile)).toBe(false);
    expect(existsSync(path.join(out, 'small', 'lock'))).toBe(false);
  } finally {
    if (asRoot) spawnSync('umount', [out]);
  }
});

/** Writes to `file` until the file system takes no more. */
function fill(file: string): void {
  const fd = openSync(file, 'w');
  const block = Buffer.alloc(4096, 1);
  try {
    for (;;) writeSync(fd, block);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
  } finally {
    closeSync(fd);
  }
}
