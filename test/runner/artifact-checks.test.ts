// Artifacts are checked where they are used, not only by `status --verify`: a plain rerun re-hashes
// what it reuses (a file changed in place with the same size reruns its job and those made from
// it), a job checks the folders it needs before loading them, and publishing checks each copy.
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { PlanJob } from '../../src/plan/build-plan';
import { publishJobs } from '../../src/runner/publish';
import { RunFolder } from '../../src/runner/run-folder';
import { ArtifactChangedError, verifyNeeds } from '../../src/runner/verify';
import { isWorthRetrying } from '../../src/runner/transient';
import { runCli, tables, writeConfig } from '../helpers/runner';
import { tempDir } from '../helpers/temp-dir';

const chain = {
  name: 'chain',
  experiments: [
    { name: 'a', kind: 'selftest', jobs: 2 },
    { name: 'b', kind: 'selftest', from: 'a' },
  ],
};

/** The finished job folders of a run folder, by key. */
function jobsByKey(runDir: string): Map<string, { id: string; dir: string; job: PlanJob }> {
  const plan = JSON.parse(readFileSync(path.join(runDir, 'plan.json'), 'utf8')) as { jobs: PlanJob[] };
  return new Map(
    plan.jobs.map((job) => [job.key, { id: job.id, dir: path.join(runDir, 'jobs', job.id), job }]),
  );
}

/** Changes one digit of a file, keeping its size. */
function tamper(file: string): void {
  const bytes = readFileSync(file);
  bytes[bytes.length - 2] = bytes[bytes.length - 2] === 0x31 ? 0x32 : 0x31;
  writeFileSync(file, bytes);
}

async function finishedChain(): Promise<{ dir: string; runDir: string; reference: Map<string, string> }> {
  const dir = tempDir();
  writeConfig(dir, 'chain.json', chain);
  expect((await runCli(['chain.json', '--progress', 'none'], dir)).code).toBe(0);
  const runDir = path.join(dir, 'outputs', 'chain');
  return { dir, runDir, reference: tables(runDir) };
}

test('a table changed in place with the same size: a plain rerun sees it and reruns it with its dependents', async () => {
  const { dir, runDir, reference } = await finishedChain();
  tamper(path.join(jobsByKey(runDir).get('a/seed=1/job=1')!.dir, 'tables', 'values.csv'));
  const again = await runCli(['chain.json', '--progress', 'none'], dir);
  expect(again.code).toBe(0);
  expect(again.stdout).toContain(
    'tables/values.csv of a/seed=1/job=1 changed since it was written (its SHA-256 differs): rerunning it and its 1 dependent\n',
  );
  expect(again.stdout).toContain('3 done (2 now)');
  expect(tables(runDir)).toEqual(reference);
});

test('a job checks the folders it needs before loading them: a changed one is named, not loaded', async () => {
  const { runDir } = await finishedChain();
  const a = jobsByKey(runDir).get('a/seed=1/job=0')!;
  const needs = { from: { id: a.id, key: 'a/seed=1/job=0', dir: a.dir } };
  expect(() => verifyNeeds(needs)).not.toThrow();
  tamper(path.join(a.dir, 'tables', 'values.csv'));
  let error: unknown;
  try {
    verifyNeeds(needs);
  } catch (thrown) {
    error = thrown;
  }
  expect(error).toBeInstanceOf(ArtifactChangedError);
  expect((error as Error).message).toBe(
    'tables/values.csv of a/seed=1/job=0 changed since it was written (its SHA-256 differs): not loaded; the next run redoes that job',
  );
  expect(isWorthRetrying(error)).toBe(false);
});

test('publishing checks each copy against the recorded SHA-256: a changed file is not published', async () => {
  const { runDir } = await finishedChain();
  const folder = new RunFolder(runDir);
  const b = jobsByKey(runDir).get('b/seed=1/job=0')!;
  const published = folder.publishedFile(b.job.key, 'tables/values.csv');
  expect(existsSync(published)).toBe(true);
  tamper(path.join(b.dir, 'tables', 'values.csv'));
  const changed: string[] = [];
  const kept = publishJobs(folder, [b.job], (message) => changed.push(message));
  expect(changed).toEqual([
    'tables/values.csv of b/seed=1/job=0 changed since it was written (its SHA-256 differs): not published; the next run redoes the job',
  ]);
  expect(kept.has(published)).toBe(false);
  expect(readdirSync(path.dirname(published)).filter((name) => name.includes('.tmp-'))).toEqual([]);
});
