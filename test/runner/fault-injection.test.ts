// Fault injection: one test per way a run was broken (issue 12's table), plus SIGTERM and SIGINT
// mid-run. Each ends with the published tables equal to those of an undisturbed run, or with the
// exact error and exit code. Runs go through the compiled CLI, on the tiny `selftest` kind and
// on small real MNIST files (IDX cases).
import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import fs from 'node:fs';
import path from 'node:path';
import { buildReportAfterRun } from '../../src/report/build-report';
import { runExperiments } from '../../src/runner/run';
import type { RunSummary } from '../../src/runner/summary';
import { IDX, patchIdx, writeSmallMnist } from '../helpers/idx-folder';
import { runCli, startCli, tables, writeConfig } from '../helpers/runner';
import { tempDir } from '../helpers/temp-dir';

/** a (two jobs) → b → c, every job publishes a table computed from the tables it needs. */
const chain = (name = 'chain') => ({
  name,
  experiments: [
    { name: 'a', kind: 'selftest', jobs: 2 },
    { name: 'b', kind: 'selftest', from: 'a' },
    { name: 'c', kind: 'selftest', from: 'b' },
  ],
});

const run = (dir: string, ...args: string[]) => runCli([...args, '--progress', 'none'], dir);

/** The published tables of an undisturbed run of `config` (in a folder of its own). */
async function undisturbed(config: object): Promise<Map<string, string>> {
  const dir = tempDir();
  writeConfig(dir, 'config.json', config);
  const result = await run(dir, 'config.json');
  expect(result.code).toBe(0);
  return tables(path.join(dir, 'outputs', (config as { name: string }).name));
}

/** The folder of the finished job with this key. */
function jobDirOf(runDir: string, key: string): string {
  const jobs = path.join(runDir, 'jobs');
  const id = readdirSync(jobs).find(
    (name) =>
      existsSync(path.join(jobs, name, 'result.json')) &&
      JSON.parse(readFileSync(path.join(jobs, name, 'result.json'), 'utf8')).key === key,
  );
  if (!id) throw new Error(`no finished job ${key}`);
  return path.join(jobs, id);
}

/** Every file under `dir` whose name says it is a temporary or attempt leftover. */
function leftovers(dir: string): string[] {
  const found: string[] = [];
  const walk = (sub: string) => {
    for (const name of readdirSync(path.join(dir, sub))) {
      const rel = path.join(sub, name);
      if (name.includes('.tmp-')) found.push(rel);
      if (statSync(path.join(dir, rel)).isDirectory()) walk(rel);
    }
  };
  walk('');
  return found;
}

let reference: Map<string, string>;
beforeAll(async () => {
  reference = await undisturbed(chain());
});

test('result.json cut to half its size: it reruns with its dependents, the log says why', async () => {
  const dir = tempDir();
  writeConfig(dir, 'chain.json', chain());
  expect((await run(dir, 'chain.json')).code).toBe(0);
  const runDir = path.join(dir, 'outputs', 'chain');
  const result = path.join(jobDirOf(runDir, 'a/seed=1/job=0'), 'result.json');
  truncateSync(result, Math.floor(statSync(result).size / 2));

  const explained = await runCli(['status', runDir, '--explain', 'c/seed=1/job=0'], dir);
  expect(explained.stdout).toContain(
    'will run again: it was made from a/seed=1/job=0, which runs again (result.json of a/seed=1/job=0 is not valid JSON)',
  );
  const again = await run(dir, 'chain.json');
  expect(again.code).toBe(0);
  expect(again.stdout).toContain(
    'result.json of a/seed=1/job=0 is not valid JSON: rerunning it and its 2 dependents\n',
  );
  expect(again.stdout).toContain('4 done (3 now)');
  expect(tables(runDir)).toEqual(reference);
});

test("a job's artifact deleted, or changed: it reruns with its dependents; status --verify finds a changed one", async () => {
  const dir = tempDir();
  writeConfig(dir, 'chain.json', chain());
  expect((await run(dir, 'chain.json')).code).toBe(0);
  const runDir = path.join(dir, 'outputs', 'chain');
  rmSync(path.join(jobDirOf(runDir, 'b/seed=1/job=0'), 'tables', 'values.csv'));
  const again = await run(dir, 'chain.json');
  expect(again.code).toBe(0);
  expect(again.stdout).toContain(
    'tables/values.csv of b/seed=1/job=0 is missing: rerunning it and its 1 dependent\n',
  );
  expect(tables(runDir)).toEqual(reference);

  // Same size, other bytes: only the full re-hash sees it, and then the next run reruns it.
  const file = path.join(jobDirOf(runDir, 'a/seed=1/job=1'), 'tables', 'values.csv');
  const bytes = readFileSync(file);
  bytes[bytes.length - 2] = bytes[bytes.length - 2] === 0x31 ? 0x32 : 0x31;
  writeFileSync(file, bytes);
  const verify = await runCli(['status', runDir, '--verify'], dir);
  expect(verify.code).toBe(1);
  expect(verify.stdout).toBe(
    [
      `${runDir}: 4 finished jobs re-hashed, 1 damaged:`,
      '  tables/values.csv of a/seed=1/job=1 changed since it was written (its SHA-256 differs)',
      'the next run reruns these and the jobs made from them',
      '',
    ].join('\n'),
  );
  const third = await run(dir, 'chain.json');
  expect(third.code).toBe(0);
  expect(third.stdout).toContain('4 done (3 now)');
  expect(tables(runDir)).toEqual(reference);
  expect((await runCli(['status', runDir, '--verify'], dir)).code).toBe(0);
});

// As root (CI, this machine), a real full disk: a small tmpfs; otherwise no tmpfs can be mounted.
const asRoot = process.getuid?.() === 0;

describe('disk full', () => {
  const mounts: string[] = [];
  afterAll(() => {
    for (const mount of mounts) spawnSync('umount', [mount]);
  });
  const tmpfs = (size: string): string => {
    const dir = tempDir();
    const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir]);
    if (mounted.status !== 0) throw new Error(`mount failed: ${mounted.stderr}`);
    mounts.push(dir);
    return dir;
  };
  // Jobs of 4,000 rows (about 90 kB of table each): a few fit in 24 or 400 kB, not all of them.
  const big = {
    name: 'big',
    experiments: [{ name: 'big', kind: 'selftest', jobs: 8, rows: 4000, action: 'sleep', ms: 50 }],
  };

  /** Without root no tmpfs can be mounted: the journal's writes fail instead (an injected ENOSPC). */
  async function injectedDiskFull(): Promise<void> {
    const dir = tempDir();
    writeConfig(dir, 'big.json', big);
    const append = fs.appendFileSync;
    const spy = jest.spyOn(fs, 'appendFileSync').mockImplementation((file, ...rest) => {
      if (String(file).endsWith('journal.jsonl'))
        throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
      return append(file, ...rest);
    });
    const lines: string[] = [];
    let summary: RunSummary;
    try {
      summary = await runExperiments({
        buildReport: buildReportAfterRun,
        config: 'big.json',
        cwd: dir,
        workers: 2,
        progress: 'none',
        log: (l) => lines.push(l),
      });
    } finally {
      spy.mockRestore();
    }
    const runDir = path.join(dir, 'outputs', 'big');
    expect(summary.exitCode).toBe(1);
    expect(lines.at(-1)).toBe(
      `disk full writing ${path.join(runDir, 'journal.jsonl')}: free space and run again`,
    );
    expect(summary.counts.pending).toBeGreaterThan(0); // no new job after the failed flush
    expect(existsSync(path.join(runDir, 'lock'))).toBe(false);
    const again = await run(dir, 'big.json', '--workers', '2');
    expect(again.code).toBe(0);
    expect(tables(runDir)).toEqual(await undisturbed(big));
  }

  test(
    "the journal's timed flush fails (an injected ENOSPC): no crash, no new job, lock released, exit 1; a plain rerun finishes",
    injectedDiskFull,
  );

  test.each(['24k', '400k'])(
    'a %s tmpfs: no new job, summary written, lock released, exit 1; a plain rerun after freeing space finishes',
    async (size) => {
      if (!asRoot) return injectedDiskFull();
      const dir = tempDir();
      writeConfig(dir, 'big.json', big);
      const out = tmpfs(size);
      const full = await run(dir, 'big.json', '--out', out, '--workers', '2');
      expect(full.code).toBe(1);
      expect(full.stdout).toMatch(/\ndisk full writing \/\S+: free space and run again\n$/);
      expect(full.stderr).toBe('');
      const runDir = path.join(out, 'big');
      expect(existsSync(path.join(runDir, 'lock'))).toBe(false);
      expect(leftovers(runDir)).toEqual([]);
      const summary = JSON.parse(readFileSync(path.join(runDir, 'summary.json'), 'utf8'));
      expect(summary.diskFull).toMatch(/^disk full writing /);
      expect(summary.counts.pending).toBeGreaterThan(0);

      spawnSync('mount', ['-o', 'remount,size=8m', out]);
      const again = await run(dir, 'big.json', '--out', out, '--workers', '2');
      expect(again.code).toBe(0);
      expect(tables(runDir)).toEqual(await undisturbed(big));
    },
  );
});

describe('IDX data', () => {
  const dataConfig = (dir: string, experiments: object[]) => ({
    name: 'idx',
    defaults: { data: { source: 'idx', dir }, training: { epochs: 1, batchSize: 50 } },
    experiments,
  });

  test('a label of 42: exit 2 before any job runs, naming the file and the index', async () => {
    const dir = tempDir();
    const data = writeSmallMnist(path.join(dir, 'data'));
    patchIdx(path.join(data, IDX.trainLabels), 8, 3, 42);
    writeConfig(dir, 'idx.json', dataConfig(data, [{ name: 'train', kind: 'train' }]));
    const result = await run(dir, 'idx.json');
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      `idx.json: defaults.data: ${path.join(data, IDX.trainLabels)}: label 42 at index 3 is out of range: expected 0 ≤ label < 10 (the classes of the test labels in ${path.join(data, IDX.testLabels)})\n`,
    );
    expect(existsSync(path.join(dir, 'outputs'))).toBe(false);
  });

  test('IDX files replaced in place rerun what used them; the same files moved rerun nothing', async () => {
    const dir = tempDir();
    const data = writeSmallMnist(path.join(dir, 'data'));
    writeConfig(dir, 'idx.json', dataConfig(data, [{ name: 'train', kind: 'train' }]));
    expect((await run(dir, 'idx.json')).code).toBe(0);

    writeSmallMnist(data, 150); // other training images under the same names
    const replaced = await run(dir, 'idx.json', '--dry-run');
    expect(replaced.stdout).toContain('idx: 2 jobs: 0 already done, 0 failed earlier, 0 blocked, 2 to run');

    writeSmallMnist(data); // the original files again, then moved elsewhere
    const moved = path.join(dir, 'moved');
    renameSync(data, moved);
    writeConfig(dir, 'idx.json', dataConfig(moved, [{ name: 'train', kind: 'train' }]));
    const after = await run(dir, 'idx.json', '--dry-run');
    expect(after.stdout).toContain('idx: 2 jobs: 2 already done, 0 failed earlier, 0 blocked, 0 to run');
  });

  test('a truncated IDX file: exit 2 and nothing runs; once fixed, a plain run finishes', async () => {
    const dir = tempDir();
    const data = writeSmallMnist(path.join(dir, 'data'));
    truncateSync(path.join(data, IDX.testImages), 16 + 28 * 28 * 40);
    writeConfig(dir, 'idx.json', dataConfig(data, [{ name: 'ok', kind: 'selftest' }]));
    const bad = await run(dir, 'idx.json');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe(
      `idx.json: defaults.data: ${path.join(data, IDX.testImages)}: truncated: 31376 bytes, expected 78416 for 100 images of 28×28 (index 40 is the first incomplete one)\n`,
    );
    writeSmallMnist(data);
    const fixed = await run(dir, 'idx.json');
    expect(fixed.code).toBe(0);
  });
});

test('a second config with the same name: tables/ shows its experiments only; the first comes back from jobs/', async () => {
  const dir = tempDir();
  const other = { name: 'chain', experiments: [{ name: 'z', kind: 'selftest', jobs: 3 }] };
  writeConfig(dir, 'chain.json', chain());
  writeConfig(dir, 'other.json', other);
  expect((await run(dir, 'chain.json')).code).toBe(0);
  const runDir = path.join(dir, 'outputs', 'chain');

  expect((await run(dir, 'other.json')).code).toBe(0);
  expect(tables(runDir)).toEqual(await undisturbed(other));
  const summary = JSON.parse(readFileSync(path.join(runDir, 'summary.json'), 'utf8'));
  expect(summary.configHash).toMatch(/^[0-9a-f]{16}$/);
  expect(readFileSync(path.join(runDir, 'report.html'), 'utf8')).toContain(`; config ${summary.configHash}.`);

  const back = await run(dir, 'chain.json');
  expect(back.code).toBe(0);
  expect(back.stdout).toContain('4 done (0 now)');
  expect(tables(runDir)).toEqual(reference);
  const again = JSON.parse(readFileSync(path.join(runDir, 'summary.json'), 'utf8'));
  expect(again.configHash).not.toBe(summary.configHash);
});

test('a job that fails this run leaves no stale published file under its key', async () => {
  const dir = tempDir();
  const config = (action: string) => ({
    name: 'stale',
    experiments: [
      { name: 'ok', kind: 'selftest' },
      { name: 'x', kind: 'selftest', action },
    ],
  });
  writeConfig(dir, 'stale.json', config('compute'));
  expect((await run(dir, 'stale.json')).code).toBe(0);
  const runDir = path.join(dir, 'outputs', 'stale');
  expect([...tables(runDir).keys()].sort()).toEqual([
    'ok/seed=1/job=0/values.csv',
    'x/seed=1/job=0/values.csv',
  ]);

  writeConfig(dir, 'stale.json', config('throw'));
  const failed = await run(dir, 'stale.json', '--retries', '0');
  expect(failed.code).toBe(1);
  expect([...tables(runDir).keys()]).toEqual(['ok/seed=1/job=0/values.csv']);
  expect(existsSync(path.join(runDir, 'tables', 'x'))).toBe(false);
});

test('its standard output closed mid-run (`| head -1`): the run finishes, writes its summary and releases its lock', async () => {
  const dir = tempDir();
  writeConfig(dir, 'chain.json', chain());
  const running = startCli(['chain.json', '--progress', 'lines'], dir);
  await running.lines(/^chain: 4 jobs/, 1);
  running.child.stdout!.destroy();
  const ended = await running.done;
  expect(ended.code).toBe(0);
  expect(ended.stderr).toBe('');
  const runDir = path.join(dir, 'outputs', 'chain');
  expect(existsSync(path.join(runDir, 'lock'))).toBe(false);
  expect(JSON.parse(readFileSync(path.join(runDir, 'summary.json'), 'utf8')).counts.done).toBe(4);
  expect(tables(runDir)).toEqual(reference);
});

test('a lost thread is a transient failure, retried by the next plain run; a throw is deterministic and is not', async () => {
  const dir = tempDir();
  writeConfig(dir, 'mixed.json', {
    name: 'mixed',
    experiments: [
      { name: 'exits', kind: 'selftest', action: 'exit' },
      { name: 'throws', kind: 'selftest', action: 'throw' },
    ],
  });
  const first = await run(dir, 'mixed.json', '--retries', '0');
  expect(first.code).toBe(1);
  const runDir = path.join(dir, 'outputs', 'mixed');
  const causes = (file: string) =>
    Object.fromEntries(
      JSON.parse(readFileSync(file, 'utf8')).failures.map((f: { key: string; cause: string }) => [
        f.key,
        f.cause,
      ]),
    );
  expect(causes(path.join(runDir, 'summary.json'))).toEqual({
    'exits/seed=1/job=0': 'transient',
    'throws/seed=1/job=0': 'deterministic',
  });
  const status = await runCli(['status', runDir], dir);
  expect(status.stdout).toMatch(
    /exits\/seed=1\/job=0 \[\w+\] after 1 attempt\(s\), transient \(the environment\): the next run retries it: worker exited with code: 7/,
  );
  expect(status.stdout).toMatch(
    /throws\/seed=1\/job=0 \[\w+\] after 1 attempt\(s\), deterministic: --rerun-failed retries it: selftest job throws #0 throws as asked/,
  );
  const again = await run(dir, 'mixed.json', '--retries', '0');
  expect(again.stdout).toContain('mixed: 2 jobs, 1 already done or failed, 1 to run');
  const second = JSON.parse(readFileSync(path.join(runDir, 'summary.json'), 'utf8'));
  expect(second.failures.map((f: { key: string; earlier: boolean }) => [f.key, f.earlier])).toEqual([
    ['exits/seed=1/job=0', false],
    ['throws/seed=1/job=0', true],
  ]);
});

test('an empty lock file: exit 3, naming it and how to remove it', async () => {
  const dir = tempDir();
  writeConfig(dir, 'chain.json', chain());
  const lock = path.join(dir, 'outputs', 'chain', 'lock');
  mkdirSync(path.dirname(lock), { recursive: true });
  writeFileSync(lock, '');
  const result = await run(dir, 'chain.json');
  expect(result.code).toBe(3);
  expect(result.stderr).toBe(
    `${lock} cannot be read as a lock (it is empty); if no run is using this folder, remove it (rm "${lock}") and run again. It is taken over by itself once untouched for 300 s\n`,
  );
});

test('--workers abc: exit 2, naming the value', async () => {
  const dir = tempDir();
  writeConfig(dir, 'chain.json', chain());
  const result = await run(dir, 'chain.json', '--workers', 'abc');
  expect(result.code).toBe(2);
  expect(result.stderr).toBe(
    '--workers: expected a positive integer, got "abc"\n\n(run-experiments --help lists the commands and options)\n',
  );
});

test('a duplicate JSON key: exit 2, naming the key and its line', async () => {
  const dir = tempDir();
  writeFileSync(
    path.join(dir, 'dup.json'),
    '{\n  "name": "dup",\n  "experiments": [\n    { "name": "a", "kind": "selftest", "jobs": 2, "jobs": 3 }\n  ]\n}\n',
  );
  const result = await run(dir, 'dup.json');
  expect(result.code).toBe(2);
  expect(result.stderr).toBe(
    'dup.json: experiments[0]: duplicate key "jobs" at line 4 (first at line 4): remove one of them\n',
  );
});

test.each(['SIGTERM', 'SIGINT'] as const)(
  '%s mid-run: exit 130, lock removed; a plain rerun completes',
  async (signal) => {
    const dir = tempDir();
    const slow = {
      name: 'slow',
      experiments: [
        { name: 'a', kind: 'selftest', jobs: 6, action: 'sleep', ms: 400 },
        { name: 'b', kind: 'selftest', from: 'a' },
      ],
    };
    writeConfig(dir, 'slow.json', slow);
    const running = startCli(['slow.json', '--workers', '2', '--progress', 'lines'], dir);
    await running.lines(/^slow: 7 jobs/, 1);
    await new Promise((resolve) => setTimeout(resolve, 600));
    running.child.kill(signal);
    const stopped = await running.done;
    expect(stopped.code).toBe(130);
    const runDir = path.join(dir, 'outputs', 'slow');
    expect(existsSync(path.join(runDir, 'lock'))).toBe(false);
    expect(JSON.parse(readFileSync(path.join(runDir, 'summary.json'), 'utf8')).interrupted).toBe(true);

    const again = await run(dir, 'slow.json', '--workers', '2');
    expect(again.code).toBe(0);
    expect(tables(runDir)).toEqual(await undisturbed(slow));
  },
);
