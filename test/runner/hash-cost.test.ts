// What re-hashing costs a run, and the hashing it no longer repeats: a run reports the files, bytes
// and time it spent re-hashing what it reused, what its jobs needed and what it published
// (summary.json `hashing`, and a line at the end of the log). A needed job's file that the runner
// already hashed, unchanged since (same inode, size, mtime and ctime), is not read again by the
// job's thread; a file written in place is read again, whatever its size and mtime.
import { readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { artifactHash, costSince, hashCost, knownHashes, rememberHashes } from '../../src/runner/hash-cache';
import { runCli, sleep, writeConfig } from '../helpers/runner';
import { tempDir } from '../helpers/temp-dir';

/** Files changed less than 2 s before they are hashed are not remembered (racily clean). */
const SETTLED_MS = 2100;

const chain = {
  name: 'chain',
  experiments: [
    { name: 'a', kind: 'selftest', jobs: 2 },
    { name: 'b', kind: 'selftest', jobs: 3, from: 'a' },
  ],
};

test('a rerun reports its hashing; jobs do not re-read needed files the runner hashed', async () => {
  const dir = tempDir();
  writeConfig(dir, 'chain.json', chain);
  expect((await runCli(['chain.json', '--only', 'a', '--progress', 'none'], dir)).code).toBe(0);
  await sleep(SETTLED_MS);
  const run = await runCli(['chain.json', '--workers', '2', '--progress', 'none'], dir);
  expect(run.code).toBe(0);
  const summary = JSON.parse(readFileSync(path.join(dir, 'outputs', 'chain', 'summary.json'), 'utf8'));
  const tableBytes = (key: string) =>
    statSync(path.join(dir, 'outputs', 'chain', 'tables', ...key.split('/'), 'values.csv')).size;
  const aBytes = tableBytes('a/seed=1/job=0') + tableBytes('a/seed=1/job=1');
  // a's two tables, hashed once by the runner; each of b's three jobs needs both, and reads neither.
  expect(summary.hashing.reused).toMatchObject({ files: 2, bytes: aBytes });
  expect(summary.hashing.needed).toMatchObject({ files: 0, bytes: 0 });
  expect(summary.hashing.published.files).toBe(3); // b's new tables, each copy checked
  expect(run.stdout).toMatch(
    /^re-hashed 5 files, 0\.0 MB, \d+ ms: reused 2 files, .*; needed by jobs 0 files, .*; published 3 files, .*$/m,
  );
});

test('a remembered hash holds only while the file is unchanged: a rewrite with the same size and mtime is read again', async () => {
  const dir = tempDir();
  const file = path.join(dir, 'weights.bin');
  writeFileSync(file, 'abcdef');
  await sleep(SETTLED_MS);
  const first = artifactHash(dir, 'weights.bin');
  const before = hashCost();
  expect(artifactHash(dir, 'weights.bin')).toBe(first);
  expect(costSince(before).files).toBe(0);
  // What another thread gets with a task: the same hash, still checked against the file's signature.
  const sent = knownHashes([dir]);
  expect(Object.keys(sent[dir])).toEqual(['weights.bin']);

  const { mtime } = statSync(file);
  writeFileSync(file, 'abcdeX');
  utimesSync(file, mtime, mtime);
  rememberHashes(sent);
  const changed = artifactHash(dir, 'weights.bin');
  expect(changed).not.toBe(first);
  expect(costSince(before).files).toBe(1);
});
