// What the dropout claims (homework Problem 1 (1) and (5)) share: they compare the models of a
// train experiment (e.g. Figure 1 swept over dropout rates, several seeds). Each claim plans one
// measuring job per model and one job that gathers, tabulates and judges; each model's dropout
// rate is read from its saved topology, so any `layers` list or sweep works.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { FieldError } from '../../config-errors';
import {
  defineExperiment,
  type ExpandContext,
  type ExperimentKind,
  type JobDefinition,
  type ModelRef,
  type NeededJob,
  type PlannedJob,
} from '../../jobs/kind';
import type { VerdictSettings } from '../../claims/evidence';
import { mean, sampleSd } from '../../claims/verdict';
import { perModelJobs } from '../../jobs/per-model';

const TRAIN_NAME = 'expected the name of a "train" experiment of this config, or a list of them';
export const trainExperimentField = z
  .union([
    z.string({ error: TRAIN_NAME }).min(1, TRAIN_NAME),
    z.array(z.string().min(1, TRAIN_NAME), { error: TRAIN_NAME }).min(1, TRAIN_NAME),
  ])
  .describe(
    'The train experiment(s) whose models are compared, every seed and sweep point: a name, or a list of names (e.g. a dropout sweep and the Figure 1 run that already trains one of its rates).',
  );
export type TrainExperiments = z.infer<typeof trainExperimentField>;

/** The experiment names a `model` field lists. */
export const trainExperiments = (field: TrainExperiments): string[] =>
  typeof field === 'string' ? [field] : field;

/** Layers of a saved model's topology (`model/model.json`): class name and config. */
export function savedLayers(modelDir: string): { className: string; config: Record<string, unknown> }[] {
  const file = path.join(modelDir, 'model.json');
  let topology: { modelTopology?: { config?: { layers?: unknown } } };
  try {
    topology = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new Error(`${file}: cannot read the saved model (${(error as Error).message})`);
  }
  const layers = topology.modelTopology?.config?.layers;
  if (!Array.isArray(layers))
    throw new Error(`${file}: expected a layer list at modelTopology.config.layers`);
  return layers.map((l: { class_name: string; config: Record<string, unknown> }) => ({
    className: l.class_name,
    config: l.config,
  }));
}

/** A saved model's dropout rate: the largest rate among its Dropout layers, 0 without one. */
export function dropoutRateOf(modelDir: string): number {
  const rates = savedLayers(modelDir)
    .filter((l) => l.className === 'Dropout')
    .map((l) => Number(l.config.rate));
  return Math.max(0, ...rates);
}

/** The models of the named train experiments; a clear error when one has none. */
export function comparedModels(ctx: ExpandContext, field: TrainExperiments): ModelRef[] {
  return trainExperiments(field).flatMap((name) => {
    const models = ctx.modelsOf(name);
    if (models.length === 0)
      throw new FieldError(['model'], `the train experiment "${name}" trains no models to compare`);
    return models;
  });
}

/**
 * A claim experiment that plans one `measure` job per compared model (needs it as `model`; keyed
 * by the model's train job, unique across experiments), then one `gather` job that needs every
 * measuring job, named by that train job's key, and publishes the claim's files.
 */
export function perModelExperiment<
  C extends { model: TrainExperiments; verdict: VerdictSettings },
  M extends object,
>(spec: {
  kind: string;
  description: string;
  schema: z.ZodType<C>;
  measure: JobDefinition<M>;
  params: (config: C, ctx: ExpandContext) => M;
  /** Cost of one measuring job. */
  cost: (config: C) => number;
  gather: JobDefinition<GatherParams>;
  publish: string[];
}): ExperimentKind<C> {
  return defineExperiment<C>({
    kind: spec.kind,
    description: spec.description,
    schema: spec.schema,
    references: (config) => trainExperiments(config.model),
    expand(config, ctx): PlannedJob[] {
      return perModelJobs(
        comparedModels(ctx, config.model),
        (m) => m.key,
        (m) =>
          spec.measure.plan({
            key: `${ctx.prefix}/${m.key}`,
            params: spec.params(config, ctx),
            needs: { model: m.key },
            cost: spec.cost(config),
          }),
        (needs) =>
          spec.gather.plan({
            key: ctx.prefix,
            params: { verdict: config.verdict },
            needs,
            cost: 0.5,
            publish: spec.publish,
          }),
      );
    },
  });
}

/** What every per-model measure carries: which model it is, and its test accuracy. */
export interface RatedMeasure {
  /** The model's label, e.g. `dropout=0.5,seed=2`. */
  model: string;
  rate: number;
  seed: number;
  testAccuracy: number;
}

/** A gathering job's params: how its verdicts are judged. */
export interface GatherParams {
  verdict: VerdictSettings;
}

/** The results of the needed measuring jobs, by model label. */
export function neededMeasures<T extends RatedMeasure>(
  measure: JobDefinition<never, T>,
  needs: Record<string, NeededJob>,
): T[] {
  return measure.resultsOf(needs).sort((a, b) => a.rate - b.rate || a.seed - b.seed);
}

export interface SeedByRate {
  /** The rates, ascending. */
  rates: number[];
  /** The seeds, ascending. */
  seeds: number[];
  /** values[seed][rate], in the orders above. */
  values: number[][];
}

/** A measure arranged as seed × rate for the verdicts; every seed must have every rate exactly once. */
export function seedByRate<T extends RatedMeasure>(measures: T[], value: (m: T) => number): SeedByRate {
  const rates = [...new Set(measures.map((m) => m.rate))].sort((a, b) => a - b);
  const seeds = [...new Set(measures.map((m) => m.seed))].sort((a, b) => a - b);
  const values = seeds.map((seed) =>
    rates.map((rate) => {
      const found = measures.filter((m) => m.rate === rate && m.seed === seed);
      if (found.length !== 1)
        throw new Error(
          `expected one model with dropout ${rate} and seed ${seed}, found ${found.length} (${measures.map((m) => m.model).join(', ')}): compare models that differ in dropout and seed only`,
        );
      return value(found[0]);
    }),
  );
  return { rates, seeds, values };
}

/** The values at one rate, one per seed in seed order. */
export function atRate(table: SeedByRate, rate: number): number[] {
  const column = table.rates.indexOf(rate);
  return table.values.map((row) => row[column]);
}

/** Mean and sd over seeds at each rate, for the summary tables. */
export function rateSummary(table: SeedByRate): { rate: number; seeds: number; mean: number; sd: number }[] {
  return table.rates.map((rate) => {
    const values = atRate(table, rate);
    return { rate, seeds: values.length, mean: mean(values), sd: sampleSd(values) };
  });
}
