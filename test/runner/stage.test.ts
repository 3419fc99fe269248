// --stage s/S --shard k/N: the graph in stages by dependency depth, each stage shared by cost
// between tasks that read earlier stages' jobs from the folders beside them; merged, the tables
// equal one unstaged run's. A task whose inputs are missing or damaged stops, naming them, and
// never runs another stage's job.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { readJournal } from '../../src/runner/journal';
import { mergeRuns } from '../../src/runner/merge';
import { dryRun, formatDryRun, planRun, runExperiments } from '../../src/runner/run';
import { parseShard } from '../../src/runner/shard';
import { assignTasks, parseStage, stageLayout, stagesOf } from '../../src/runner/stage';
import { tables, writeConfig } from '../helpers/runner';
import { tempDir } from '../helpers/temp-dir';

const quiet = { progress: 'none' as const, log: () => {} };

// Stage 1: train ×3 seeds and loose; stage 2: probe ×3 (each needs its seed's train);
// stage 3: after ×3 (each needs its seed's probe).
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

test('stages by depth: a job comes one stage after the latest job it needs', () => {
  const { whole } = setUp();
  const stageOf = stagesOf(whole.jobs);
  const byExperiment = new Map(whole.jobs.map((job) => [job.experiment, stageOf.get(job.id)]));
  expect(Object.fromEntries(byExperiment)).toEqual({ train: 1, probe: 2, after: 3, loose: 1 });
  for (const job of whole.jobs)
    for (const need of Object.values(job.needs))
      expect(stageOf.get(need.id)).toBeLessThan(stageOf.get(job.id)!);
});

test('tasks per stage: never more than the budget, the jobs, or total ÷ largest; shares balanced by cost', () => {
  const { whole } = setUp();
  const layout = stageLayout(whole.jobs, 8);
  expect(layout.map((s) => s.stage)).toEqual(['1/3', '2/3', '3/3']);
  for (const stage of layout) {
    expect(stage.tasks).toBeLessThanOrEqual(Math.min(8, stage.jobs, Math.ceil(stage.cost / stage.largest)));
    expect(stage.loads).toHaveLength(stage.tasks);
    expect(stage.loads.reduce((sum, l) => sum + l.jobs, 0)).toBe(stage.jobs);
  }
  // Costs 5, 4, 3, 3, 1 on 2 tasks: largest first onto the least loaded gives 8 and 8.
  const jobs = [5, 4, 3, 3, 1].map((cost, i) => ({ ...whole.jobs[i], id: `j${i}`, cost, needs: {} }));
  const taskOf = assignTasks(jobs, 2);
  const loads = [1, 2].map((t) => jobs.filter((j) => taskOf.get(j.id) === t).reduce((s, j) => s + j.cost, 0));
  expect(loads).toEqual([8, 8]);
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
    `sweep-stage-2-of-3-shard-${missingTask.shard.replace('/', '-of-')}`,
  );
  await expect(task(dir, secondStage, missingTask.shard)).rejects.toThrow(
    new RegExp(
      `missing or damaged; a task never runs another stage's jobs:\\n  train/seed=\\d/job=0 \\[\\w+\\], stage 1/3 task 2/2: not in ${dir}/outputs/sweep-stage-1-of-3-shard-2-of-2; not in ${dir}/outputs/sweep\\n    run it with: npx run-experiments ${dir}/sweep.json --stage 1/3 --shard 2/2 --out ${dir}/outputs`,
    ),
  );
  expect(existsSync(folder)).toBe(false);

  // Now every training is done, but one result is damaged: named, and not run again here.
  expect((await task(dir, layout[0].stage, '2/2')).exitCode).toBe(0);
  const train = whole.jobs.find((job) => job.key === 'train/seed=1/job=0')!;
  const holder = ['1-of-2', '2-of-2']
    .map((k) => path.join(dir, 'outputs', `sweep-stage-1-of-3-shard-${k}`, 'jobs', train.id))
    .find((jobDir) => existsSync(jobDir))!;
  const result = path.join(holder, 'result.json');
  writeFileSync(result, readFileSync(result, 'utf8').replace('"id"', '"ID"'));
  const runs = await Promise.allSettled(layout[1].loads.map((load) => task(dir, secondStage, load.shard)));
  const refused = runs.flatMap((r) => (r.status === 'rejected' ? [String(r.reason)] : []));
  // Both tasks of stage 2 run a probe of seed 1 (it has two jobs): both refuse.
  expect(refused).toHaveLength(2);
  for (const message of refused)
    expect(message).toMatch(
      /train\/seed=1\/job=0 \[\w+\], stage 1\/3 task \d\/2: result.json of train\/seed=1\/job=0 names id undefined, not \w+ in /,
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
  expect(merged.counts.pending).toBe(layout[1].jobs + layout[2].jobs);
});

test('a stage count or task number that does not fit the plan is a usage error; --stages N prints the layout', () => {
  const { dir } = setUp();
  expect(() => planRun({ config: 'sweep.json', cwd: dir, stage: parseStage('2/4') })).toThrow(
    'sweep has 3 stages, not 4 (was the config changed since the stages were submitted?)',
  );
  expect(() =>
    planRun({ config: 'sweep.json', cwd: dir, stage: parseStage('3/3'), shard: parseShard('4/4') }),
  ).toThrow(
    /stage 3\/3 has \d tasks? at a budget of 4 \(more would have nothing to do\); k must be from 1 to \d/,
  );
  expect(() => parseStage('0/3')).toThrow('--stage 0/3: s must be from 1 to S');
  const lines = formatDryRun(dryRun({ config: 'sweep.json', cwd: dir, stages: 2 }));
  expect(lines).toContain('  stage 2/3: selftest 6');
  expect(lines.join('\n')).toMatch(/^1\/3 +15 +2 /m);
});
