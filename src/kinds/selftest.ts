// `selftest`: a diagnostic experiment for the runner itself (its tests and benchmarks).
// Its jobs burn a fixed amount of CPU, sleep, or misbehave on purpose — throw, call
// process.exit, allocate until the worker's heap limit, hang — and otherwise write a small
// deterministic table, so a run's published tables can be compared byte for byte.
//
//   { "name": "spin", "kind": "selftest", "jobs": 8, "action": "compute", "ms": 200 }
//   { "name": "after", "kind": "selftest", "from": "spin" }   // each job needs spin's jobs of its seed
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { deriveSeed, mulberry32 } from '../random';
import { writeRecordsCsv } from '../render/csv';
import { defineJob, type ModelRef, type PlannedJob, defineExperiment } from '../jobs/kind';

const actions = ['compute', 'sleep', 'throw', 'exit', 'oom', 'hang', 'flaky'] as const;

export const selftestSchema = z
  .object({
    jobs: z.number().int().positive().default(1).describe('Jobs per seed.'),
    seeds: z
      .array(z.number().int().nonnegative())
      .min(1)
      .optional()
      .describe('Seeds (default: defaults.seeds).'),
    action: z
      .enum(actions)
      .default('compute')
      .describe(
        'compute: CPU work; sleep; throw; exit: process.exit in the worker; oom: allocate until the heap limit; hang: busy loop forever; flaky: throw on its first attempt in this run folder only.',
      ),
    ms: z
      .number()
      .nonnegative()
      .default(0)
      .describe('compute: CPU work of about this many ms on one core; sleep: how long.'),
    rows: z
      .number()
      .int()
      .nonnegative()
      .default(3)
      .describe('Rows of the table tables/values.csv each job writes and publishes (0: none).'),
    from: z
      .string()
      .min(1)
      .optional()
      .describe('Another selftest experiment: each job needs all its jobs of the same seed.'),
  })
  .strict();
export type SelftestConfig = z.output<typeof selftestSchema>;

export interface SelftestParams {
  /** The experiment point's prefix: keeps equal settings of two experiments apart. */
  tag: string;
  seed: number;
  index: number;
  action: (typeof actions)[number];
  ms: number;
  rows: number;
}

function seedsOf(config: SelftestConfig, defaults: { seeds: number[] }): number[] {
  return config.seeds ?? defaults.seeds;
}

function keyOf(prefix: string, seed: number, index: number): string {
  return `${prefix}/seed=${seed}/job=${index}`;
}

export const selftestExperiment = defineExperiment<SelftestConfig>({
  kind: 'selftest',
  description: "The runner's own test kind: trivial jobs.",
  internal: true,
  schema: selftestSchema,
  references: (config) => (config.from ? [config.from] : []),
  expand(config, ctx) {
    const inputs = config.from ? ctx.modelsOf(config.from) : [];
    const jobs: PlannedJob[] = [];
    for (const seed of seedsOf(config, ctx.defaults)) {
      const sameSeed = inputs.filter((m) => m.seed === seed);
      const needed = sameSeed.length ? sameSeed : inputs;
      for (let index = 0; index < config.jobs; index++) {
        const params: SelftestParams = {
          tag: ctx.prefix,
          seed,
          index,
          action: config.action,
          ms: config.ms,
          rows: config.rows,
        };
        jobs.push(
          selftestJob.plan({
            key: keyOf(ctx.prefix, seed, index),
            params,
            needs: Object.fromEntries(needed.map((m, i) => [`in${i}`, m.key])),
            cost: Math.max(config.ms, 1) / 1000,
            publish: config.rows > 0 ? ['tables/values.csv'] : [],
          }),
        );
      }
    }
    return jobs;
  },
  models(config, ctx): ModelRef[] {
    return seedsOf(config, ctx.defaults).flatMap((seed) =>
      Array.from({ length: config.jobs }, (_, index) => ({
        key: keyOf(ctx.prefix, seed, index),
        seed,
        label: `seed=${seed},job=${index}`,
      })),
    );
  },
});

/** Iterations of the xorshift loop per millisecond on one core of the reference machine. */
const ITERATIONS_PER_MS = 450_000;

function burn(iterations: number, start: number): number {
  let x = start | 0 || 1;
  for (let i = 0; i < iterations; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
  }
  return x >>> 0;
}

function allocateForever(): never {
  // Arrays of doubles fill the heap fastest (measured: objects and strings take 5-10× longer to hit the limit).
  const hog: number[][] = [];
  for (;;) {
    const chunk = new Array<number>(1 << 17);
    for (let i = 0; i < chunk.length; i++) chunk[i] = i + 0.5;
    hog.push(chunk);
  }
}

export const selftestJob = defineJob<SelftestParams>({
  kind: 'selftest',
  async run(params, ctx) {
    const streamSeed = deriveSeed(params.seed, `${params.tag}/${params.index}`);
    let checksum = streamSeed;
    switch (params.action) {
      case 'compute':
        checksum = burn(Math.round(params.ms * ITERATIONS_PER_MS), streamSeed);
        break;
      case 'sleep':
        await sleep(params.ms, undefined, { signal: ctx.signal });
        break;
      case 'throw':
        throw new Error(`selftest job ${params.tag} #${params.index} throws as asked`);
      case 'exit':
        return process.exit(7);
      case 'oom':
        return allocateForever();
      case 'hang':
        for (;;);
      case 'flaky': {
        // The marker lives beside the job folders (the runner leaves dot-names other than .tmp-/.old- alone),
        // so the job fails once per run folder: on its first attempt ever.
        const marker = path.join(path.dirname(ctx.dir), `.selftest-flaky-${streamSeed.toString(16)}`);
        if (!existsSync(marker)) {
          writeFileSync(marker, '');
          throw new Error(`selftest job ${params.tag} #${params.index} fails on its first attempt as asked`);
        }
        break;
      }
    }

    // Inputs: the needed jobs' results and the tables in their folders.
    let inputTotal = 0;
    let inputRows = 0;
    for (const need of Object.values(ctx.needs)) {
      inputTotal += (need.result as { total: number }).total;
      const table = path.join(need.dir, 'tables', 'values.csv');
      if (existsSync(table)) inputRows += readFileSync(table, 'utf8').trim().split('\n').length - 1;
    }

    const random = mulberry32(streamSeed);
    const values = Float64Array.from({ length: params.rows }, () => Math.round(random() * 1e6) / 1e6);
    if (params.rows > 0) {
      writeRecordsCsv(
        path.join(ctx.dir, 'tables', 'values.csv'),
        Array.from(values, (value, row) => ({
          seed: params.seed,
          index: params.index,
          row,
          value,
          inputTotal: Math.round(inputTotal * 1e6) / 1e6,
          inputRows,
        })),
      );
    }
    const total = values.reduce((sum, v) => sum + v, 0);
    // `values` is a typed array on purpose: the runner transfers it and stores it as a JSON list.
    return { total, checksum, inputs: Object.keys(ctx.needs).length, values };
  },
});
