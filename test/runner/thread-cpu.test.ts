// Each finished job's journal entry carries the CPU its worker thread spent on it, apart from its
// wall time: a job that sleeps costs next to no CPU however long it takes, one that computes costs
// about its wall time. (Linux: /proc/thread-self; the CI machines are Linux.)
import path from 'node:path';
import { readJournal } from '../../src/runner/journal';
import { runExperiments } from '../../src/runner/run';
import { threadCpuMs } from '../../src/runner/thread-cpu';
import { writeConfig } from '../helpers/runner';
import { tempDir } from '../helpers/temp-dir';

test("the calling thread's CPU grows by the work it does, in 10 ms ticks, never faster than the clock", () => {
  const before = threadCpuMs()!;
  const started = performance.now();
  let x = 1;
  // Until 100 ms of CPU are counted (however busy the machine), or 20 s have gone.
  while (threadCpuMs()! - before < 100 && performance.now() - started < 20_000)
    for (let i = 0; i < 1e5; i++) x = (x * 1103515245 + 12345) % 2147483648;
  const spent = threadCpuMs()! - before;
  const wall = performance.now() - started;
  expect(x).toBeGreaterThanOrEqual(0);
  expect(spent % 10).toBe(0);
  expect(spent).toBeGreaterThanOrEqual(100);
  expect(spent).toBeLessThanOrEqual(wall + 20);
});

test("the journal: a sleeping job's CPU is far below its wall time, a computing job's close to it", async () => {
  const dir = tempDir();
  writeConfig(dir, 'cpu.json', {
    experiments: [
      { name: 'sleeps', kind: 'selftest', action: 'sleep', ms: 1500 },
      { name: 'computes', kind: 'selftest', action: 'compute', ms: 400 },
    ],
  });
  const summary = await runExperiments({
    config: 'cpu.json',
    cwd: dir,
    workers: 1,
    progress: 'none',
    log: () => {},
  });
  expect(summary.counts.done).toBe(2);
  const finished = Object.fromEntries(
    readJournal(path.join(summary.runDir, 'journal.jsonl')).flatMap((e) =>
      e.event === 'finished' ? [[e.key.split('/')[0], e]] : [],
    ),
  );
  // The sleeping job's CPU is its setup and files (a cold thread loads modules); the computing job
  // burns about 400 ms of CPU on top of that, whatever its wall time on a busy machine.
  const [sleeps, computes] = [finished.sleeps, finished.computes];
  expect(sleeps.cpuMs).toBeDefined();
  expect(computes.cpuMs).toBeDefined();
  expect(sleeps.ms).toBeGreaterThanOrEqual(1500);
  expect(sleeps.cpuMs!).toBeLessThan(sleeps.ms / 3);
  expect(computes.cpuMs!).toBeGreaterThan(sleeps.cpuMs! + 100);
  expect(computes.cpuMs!).toBeLessThanOrEqual(computes.ms + 30);
});
