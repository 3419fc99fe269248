// A job that runs out of memory at run time fails alone: its network passed the plan's estimate,
// but the wasm heap (tensors) or the JavaScript heap of its thread reaches the limit derived from
// --max-memory. Each failure is one line that says so and names the job; a thread that died is
// replaced, and the other jobs finish and publish. Exit code 1 (some jobs failed).
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { trainingMemory } from '../../src/models/memory';
import { readJournal } from '../../src/runner/journal';
import { runCli, writeConfig } from '../helpers/runner';
import { tempDir } from '../helpers/temp-dir';

const WIDE = [
  { type: 'flatten' },
  { type: 'dense', units: 5000 },
  { type: 'dense', units: 10, activation: 'softmax' },
] as const;
const LIMIT_MB = 80;

test('out of memory at run time: the job fails alone with a one-line message; the thread is replaced; the rest publish', async () => {
  // Just under the limit at planning, so the run starts; tfjs' temporaries take it over.
  const estimate = trainingMemory(WIDE as never, [28, 28, 1], 32).bytes;
  expect(estimate).toBeLessThan(LIMIT_MB * 2 ** 20);
  expect(estimate).toBeGreaterThan(0.9 * LIMIT_MB * 2 ** 20);

  const dir = tempDir();
  writeConfig(dir, 'oom.json', {
    name: 'oom',
    defaults: {
      data: { source: 'mnist', train: { first: 100 }, test: { first: 100 } },
      training: { epochs: 1 },
      seeds: [1],
    },
    experiments: [
      { name: 'wide', kind: 'train', layers: WIDE },
      // Allocates JavaScript arrays until its thread's heap limit ends the thread.
      { name: 'heap', kind: 'selftest', action: 'oom', ms: 5000 },
      {
        name: 'small',
        kind: 'train',
        layers: [{ type: 'flatten' }, { type: 'dense', units: 10, activation: 'softmax' }],
      },
      { name: 'filters', kind: 'filters', model: 'small' },
    ],
  });
  const started = Date.now();
  const result = await runCli(
    ['oom.json', '--workers', '1', '--retries', '0', '--max-memory', `${LIMIT_MB}M`, '--progress', 'lines'],
    dir,
  );
  const seconds = (Date.now() - started) / 1000;
  expect(result.code).toBe(1);
  expect(result.stderr).toBe('');

  const wide = `wide/seed=1: ran out of memory: a tensor of \\d+ MB does not fit in the wasm heap \\(\\d+ MB in use or free, limit ${LIMIT_MB} MB per job: --max-memory\\) \\[ERR_WASM_OUT_OF_MEMORY\\]`;
  const heap = `heap/seed=1/job=0: ran out of memory: its thread's JavaScript heap reached the limit of ${LIMIT_MB} MB \\(--max-memory, or defaults.workerMemoryMb\\); the thread was ended and replaced \\[ERR_WORKER_OUT_OF_MEMORY\\]`;
  for (const message of [wide, heap]) {
    expect(result.stdout).toMatch(
      new RegExp(`^FAILED  \\[\\d+/\\d+\\] ${message} \\(attempt 1, giving up\\)$`, 'm'),
    );
    expect(result.stdout).toMatch(new RegExp(`^  failed ${message.replace(':', ' \\[\\w+\\]:')}$`, 'm'));
  }

  const runDir = path.join(dir, 'outputs', 'oom');
  const summary = JSON.parse(readFileSync(path.join(runDir, 'summary.json'), 'utf8'));
  expect(summary.exitCode).toBe(1);
  expect(summary.failures.map((f: { key: string }) => f.key).sort()).toEqual([
    'heap/seed=1/job=0',
    'wide/seed=1',
  ]);
  expect(summary.counts).toMatchObject({ done: 3, failed: 2, blocked: 1, pending: 0 });
  expect(existsSync(path.join(runDir, 'tables', 'filters'))).toBe(true);

  // With one worker, a job finished after the heap job ended its thread: a new thread ran it.
  const events = readJournal(path.join(runDir, 'journal.jsonl'));
  const died = events.findIndex((e) => e.event === 'failed' && e.key.startsWith('heap/'));
  expect(died).toBeGreaterThan(-1);
  expect(events.slice(died).some((e) => e.event === 'finished')).toBe(true);
  expect(seconds).toBeLessThan(60);
});
