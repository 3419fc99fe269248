// --stage s/S --shard k/N: the graph in stages, each job after its needs (in an earlier stage, or
// earlier in the same task), each stage shared by cost between tasks that read earlier stages'
// jobs from the folders beside them; merged, the tables equal one unstaged run's. A task whose inputs are missing or damaged stops, naming them, and
// never runs another stage's job.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { readJournal } from '../../src/runner/journal';
import { mergeRuns } from '../../src/runner/merge';
import { dryRun, formatDryRun, planRun, runExperiments } from '../../src/runner/run';
import { parseShard } from '../../src/runner/shard';
import type { PlanJob } from '../../src/plan/build-plan';
import { parseStage, placeJobs, stageLayout } from '../../src/runner/stage';
import { runCli, tables, writeConfig } from '../helpers/runner';
import { tempDir } from '../helpers/temp-dir';

const quiet = { progress: 'none' as const, log: () => {} };

// Stage 1: train ×3 seeds and loose; stage 2: probe ×3 (each needs its seed's train) and after ×3
// (each gathers its seed's two probe jobs, and runs in their task).
const config = {
  defaults: { seeds: [1, 2, 3] },
  experiments: [
    { name: 'train', kind: 'selftest', ms: 40 },
    { name: 'probe', kind: 'selftest', from: 'train', jobs: 2 },
    { name: 'after', kind: 'selftest', from: 'probe' },
    { name: 'loose', kind: 'selftest', jobs: 4, ms: 5 },
  ],
};

function setUp() {
  const dir = tempDir();
  writeConfig(dir, 'sweep.json', config);
  return { dir, whole: planRun({ config: 'sweep.json', cwd: dir }).plan };
}

const task = (dir: string, s: string, k: string) =>
  runExperiments({
    config: 'sweep.json',
    cwd: dir,
    workers: 1,
    stage: parseStage(s),
    shard: parseShard(k),
    ...quiet,
  });

test('each job runs after its needs: in an earlier stage, or in the same task; a job gathering several joins their task', () => {
  const { whole } = setUp();
  for (const budget of [1, 2, 8]) {
    const placement = placeJobs(whole.jobs, budget);
    for (const job of whole.jobs)
      for (const need of Object.values(job.needs)) {
        const [of, at] = [placement.get(need.id)!, placement.get(job.id)!];
        if (of.stage.index === at.stage.index) expect(of.shard).toEqual(at.shard);
        else expect(of.stage.index).toBeLessThan(at.stage.index);
      }
  }
  const placement = placeJobs(whole.jobs, 2);
  const stageOf = (experiment: string) =>
    new Set(
      whole.jobs
        .filter((job) => job.experiment === experiment)
        .map((job) => placement.get(job.id)!.stage.index),
    );
  expect([...stageOf('train'), ...stageOf('loose')]).toEqual([1, 1]);
  expect([...stageOf('after')]).toEqual([2]); // no stage of its own
});

/** Jobs of made-up costs; needs by index. */
function madeUp(whole: PlanJob[], jobs: { cost: number; needs?: number[] }[]): PlanJob[] {
  return jobs.map(({ cost, needs = [] }, i) => ({
    ...whole[0],
    id: `j${i}`,
    key: `made-up/job=${i}`,
    cost,
    needs: Object.fromEntries(needs.map((n) => [`n${n}`, { key: `made-up/job=${n}`, id: `j${n}` }])),
  }));
}
const costs = (layout: ReturnType<typeof stageLayout>) =>
  layout.map((stage) => stage.loads.map((l) => l.cost));

test('tasks per stage: never more than the budget, the jobs, or total ÷ largest; shares balanced by cost', () => {
  const { whole } = setUp();
  const layout = stageLayout(whole.jobs, 8);
  expect(layout.map((s) => s.stage)).toEqual(['1/2', '2/2']);
  for (const stage of layout) {
    expect(stage.tasks).toBeLessThanOrEqual(Math.min(8, stage.jobs, Math.ceil(stage.cost / stage.largest)));
    expect(stage.loads).toHaveLength(stage.tasks);
    expect(stage.loads.reduce((sum, l) => sum + l.jobs, 0)).toBe(stage.jobs);
  }
  // Costs 5, 4, 3, 3, 1 on 2 tasks: largest first onto the least loaded gives 8 and 8.
  expect(
    costs(
      stageLayout(
        madeUp(
          whole.jobs,
          [5, 4, 3, 3, 1].map((cost) => ({ cost })),
        ),
        2,
      ),
    ),
  ).toEqual([[8, 8]]);
});

test('a task that would finish early takes the jobs that need only its own; a gatherer too costly for one task waits a stage', () => {
  const { whole } = setUp();
  // Three trainings of 10 s on 2 tasks, a 4 s probe each: the task with one training runs its probe too.
  const trainings = madeUp(whole.jobs, [
    ...[0, 1, 2].map(() => ({ cost: 10 })),
    ...[0, 1, 2].map((n) => ({ cost: 4, needs: [n] })),
  ]);
  const layout = stageLayout(trainings, 2);
  expect(costs(layout)).toEqual([
    [20, 14],
    [4, 4],
  ]);
  // Four 10 s chunks and their 1 s summary: 41 s is more than a task's share (20.5 s) and a task's
  // start: the chunks spread, the summary waits. Four 0.5 s chunks: one task, summary included.
  const gather = (cost: number) =>
    madeUp(whole.jobs, [...[0, 1, 2, 3].map(() => ({ cost })), { cost: 1, needs: [0, 1, 2, 3] }]);
  expect(costs(stageLayout(gather(10), 2))).toEqual([[20, 20], [1]]);
  expect(costs(stageLayout(gather(0.5), 2))).toEqual([[3]]);
});

test('every task of every stage, then merge = one unstaged run; each job ran in exactly one task', async () => {
  const { dir, whole } = setUp();
  const layout = stageLayout(whole.jobs, 2);
  const runs = [];
  for (const stage of layout)
    for (const load of stage.loads) runs.push(await task(dir, stage.stage, load.shard));
  for (const run of runs) expect(run.exitCode).toBe(0);
  const finished = runs.flatMap((run) =>
    readJournal(path.join(run.runDir, 'journal.jsonl')).flatMap((e) =>
      e.event === 'finished' ? [e.id] : [],
    ),
  );
  expect(finished.sort()).toEqual(whole.jobs.map((job) => job.id).sort());

  const log: string[] = [];
  const merged = mergeRuns(
    runs.map((run) => run.runDir),
    path.join(dir, 'merged', 'sweep'),
    (line) => log.push(line),
  );
  expect(merged.exitCode).toBe(0);
  expect(merged.counts).toMatchObject({ total: whole.jobs.length, done: whole.jobs.length });
  expect(merged.merged!.shards.map((s) => `${s.stage} ${s.shard} ${s.state}`)).toEqual(
    layout.flatMap((stage) => stage.loads.map((l) => `${stage.stage} ${l.shard} complete`)),
  );
  const unstaged = await runExperiments({ config: 'sweep.json', cwd: dir, out: 'one', workers: 1, ...quiet });
  expect(tables(path.join(dir, 'merged', 'sweep'))).toEqual(tables(unstaged.runDir));
});

test('inputs missing or damaged: the task stops naming each with the command that runs it, writes nothing, runs no other stage', async () => {
  const { dir, whole } = setUp();
  const layout = stageLayout(whole.jobs, 2);
  const secondStage = layout[1].stage;
  // Stage 1's first task only: the trainings of task 2 are missing.
  expect((await task(dir, layout[0].stage, '1/2')).exitCode).toBe(0);
  const missingTask = layout[1].loads.find((load) => {
    try {
      planRun({
        config: 'sweep.json',
        cwd: dir,
        stage: parseStage(secondStage),
        shard: parseShard(load.shard),
      });
      return false;
    } catch {
      return true;
    }
  })!;
  const folder = path.join(
    dir,
    'outputs',
    `sweep-stage-2-of-2-shard-${missingTask.shard.replace('/', '-of-')}`,
  );
  await expect(task(dir, secondStage, missingTask.shard)).rejects.toThrow(
    new RegExp(
      `missing or damaged; a task never runs another stage's jobs:\\n  train/seed=\\d/job=0 \\[\\w+\\], stage 1/2 task 2/2: not in ${dir}/outputs/sweep-stage-1-of-2-shard-2-of-2; not in ${dir}/outputs/sweep\\n    run it with: npx run-experiments ${dir}/sweep.json --stage 1/2 --shard 2/2 --out ${dir}/outputs`,
    ),
  );
  expect(existsSync(folder)).toBe(false);

  // Now every training is done, but one result is damaged: named, and not run again here.
  expect((await task(dir, layout[0].stage, '2/2')).exitCode).toBe(0);
  const train = whole.jobs.find((job) => job.key === 'train/seed=1/job=0')!;
  const holder = ['1-of-2', '2-of-2']
    .map((k) => path.join(dir, 'outputs', `sweep-stage-1-of-2-shard-${k}`, 'jobs', train.id))
    .find((jobDir) => existsSync(jobDir))!;
  const result = path.join(holder, 'result.json');
  writeFileSync(result, readFileSync(result, 'utf8').replace('"id"', '"ID"'));
  const runs = await Promise.allSettled(layout[1].loads.map((load) => task(dir, secondStage, load.shard)));
  const refused = runs.flatMap((r) => (r.status === 'rejected' ? [String(r.reason)] : []));
  // The task of stage 2 that runs seed 1's probes refuses (the other one has no need of it).
  expect(refused).toHaveLength(1);
  for (const message of refused)
    expect(message).toMatch(
      /train\/seed=1\/job=0 \[\w+\], stage 1\/2 task \d\/2: result.json of train\/seed=1\/job=0 names id undefined, not \w+ in /,
    );
  // The damaged training was not run again anywhere.
  const trainRuns = readJournal(path.join(path.dirname(path.dirname(holder)), 'journal.jsonl')).filter(
    (e) => e.event === 'started' && e.id === train.id,
  );
  expect(trainRuns).toHaveLength(1);
});

test('merge of an incomplete submission names each missing task by stage, with the command that runs it', async () => {
  const { dir, whole } = setUp();
  const layout = stageLayout(whole.jobs, 2);
  const first = await task(dir, layout[0].stage, '1/2');
  const second = await task(dir, layout[0].stage, '2/2');
  const log: string[] = [];
  const merged = mergeRuns([first.runDir, second.runDir], path.join(dir, 'merged', 'sweep'), (line) =>
    log.push(line),
  );
  expect(merged.exitCode).toBe(1);
  const laterTasks = layout.slice(1).flatMap((stage) => stage.loads.map((load) => ({ stage, load })));
  for (const { stage, load } of laterTasks)
    expect(log).toContain(
      `  stage ${stage.stage} shard ${load.shard} missing: no folder of it was given; its ${load.jobs} jobs are counted as pending; rerun: npx run-experiments ${dir}/sweep.json --stage ${stage.stage} --shard ${load.shard} --out ${dir}/outputs`,
    );
  expect(merged.counts.total).toBe(whole.jobs.length);
  expect(merged.counts.pending).toBe(layout[1].jobs);
});

test('a stage count or task number that does not fit the plan is a usage error; --stages N prints the layout', () => {
  const { dir } = setUp();
  expect(() => planRun({ config: 'sweep.json', cwd: dir, stage: parseStage('2/4') })).toThrow(
    'sweep has 2 stages, not 4 (was the config changed since the stages were submitted?)',
  );
  expect(() =>
    planRun({ config: 'sweep.json', cwd: dir, stage: parseStage('2/2'), shard: parseShard('4/4') }),
  ).toThrow(
    /stage 2\/2 has \d tasks? at a budget of 4 \(more would have nothing to do\); k must be from 1 to \d/,
  );
  expect(() => parseStage('0/3')).toThrow('--stage 0/3: s must be from 1 to S');
  const lines = formatDryRun(dryRun({ config: 'sweep.json', cwd: dir, stages: 2 }));
  expect(lines).toContain('  stage 2/2: selftest 9');
  expect(lines.join('\n')).toMatch(/^1\/2 +15 +2 /m);
});

test("through the CLI, a stage's task writes no report (it holds a part of one stage; merge writes the report)", async () => {
  const { dir } = setUp();
  const ran = await runCli(['sweep.json', '--stage', '1/2', '--shard', '2/2', '--progress', 'none'], dir);
  expect({ code: ran.code, stderr: ran.stderr }).toEqual({ code: 0, stderr: '' });
  const folder = path.join(dir, 'outputs', 'sweep-stage-1-of-2-shard-2-of-2');
  expect(existsSync(path.join(folder, 'summary.json'))).toBe(true);
  expect(existsSync(path.join(folder, 'report.html'))).toBe(false);
});
