// Resume under fire: a sweep killed with SIGKILL at random moments, then rerun, ends with the
// same tables as an uninterrupted run, and no job recorded as finished is ever computed again.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { readJournal } from '../../src/runner/journal';
import { runExperiments } from '../../src/runner/run';
import { sleep, startCli, tables, writeConfig } from '../helpers/runner';
import { tempDir } from '../helpers/temp-dir';

const config = {
  defaults: { seeds: [1, 2] },
  experiments: [
    { name: 'base', kind: 'selftest', jobs: 8, ms: 80 },
    { name: 'derived', kind: 'selftest', from: 'base', jobs: 2, ms: 60, sweep: { rows: [2, 4] } },
  ],
};

/** Finished jobs: id → identity of its result file (inode and time), to prove it is never rewritten. */
function recordedResults(runDir: string): Map<string, string> {
  const results = new Map<string, string>();
  const jobsDir = path.join(runDir, 'jobs');
  if (!existsSync(jobsDir)) return results;
  for (const id of readdirSync(jobsDir)) {
    if (id.startsWith('.')) continue;
    const file = path.join(jobsDir, id, 'result.json');
    // A job folder under its final name always holds a complete result.
    const record = JSON.parse(readFileSync(file, 'utf8'));
    expect(record.id).toBe(id);
    const stat = statSync(file);
    results.set(id, `${stat.ino}:${stat.mtimeMs}`);
  }
  return results;
}

test('killed with SIGKILL at random moments, resumed: identical tables, nothing recomputed', async () => {
  const reference = tempDir();
  writeConfig(reference, 'sweep.json', config);
  const expected = await runExperiments({
    config: 'sweep.json',
    cwd: reference,
    workers: 2,
    progress: 'none',
    log: () => {},
  });
  expect(expected.exitCode).toBe(0);
  const expectedTables = tables(expected.runDir);
  expect(expectedTables.size).toBe(24);

  const dir = tempDir();
  writeConfig(dir, 'sweep.json', config);
  const runDir = path.join(dir, 'outputs', 'sweep');
  const seen = new Map<string, string>();
  // Random moments inside the run: after 1-5 jobs finished, plus up to 60 ms (every job takes
  // 60 ms or more, so each killed run finishes at most ~7 of the 24 jobs and the last run has work left).
  const moments: string[] = [];
  for (let kill = 0; kill < 3; kill++) {
    const jobs = 1 + Math.floor(Math.random() * 5);
    const delay = Math.round(Math.random() * 60);
    moments.push(`after ${jobs} jobs + ${delay} ms`);
    const { child, done, lines } = startCli(['sweep.json', '--workers', '2'], dir);
    await lines(/^done /, jobs);
    await sleep(delay);
    child.kill('SIGKILL');
    const killed = await done;
    expect({ signal: killed.signal, moments }).toEqual({ signal: 'SIGKILL', moments });
    for (const [id, identity] of recordedResults(runDir)) {
      if (seen.has(id)) expect([id, identity]).toEqual([id, seen.get(id)]);
      seen.set(id, identity);
    }
  }
  const final = await startCli(['sweep.json', '--workers', '2'], dir).done;
  expect({ code: final.code, stderr: final.stderr, moments }).toEqual({ code: 0, stderr: '', moments });
  // The kills landed inside the run: some jobs were left for the last run.
  expect(seen.size).toBeGreaterThanOrEqual(3);
  expect(final.stdout).toMatch(/^done /m);

  // Every result recorded before a kill is the very same file now.
  const after = recordedResults(runDir);
  expect(after.size).toBe(24);
  for (const [id, identity] of seen) expect([id, after.get(id)]).toEqual([id, identity]);
  // The journal agrees: no job started again once it had finished.
  const finished = new Set<string>();
  for (const event of readJournal(path.join(runDir, 'journal.jsonl'))) {
    if (event.event === 'started') expect(finished.has(event.id)).toBe(false);
    if (event.event === 'finished') finished.add(event.id);
  }
  expect(tables(runDir)).toEqual(expectedTables);
  expect(existsSync(path.join(runDir, 'lock'))).toBe(false);
});
