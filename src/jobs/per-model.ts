// What the kinds that compare models share: one measuring job per model, then one job that
// gathers them (needing each by a name of the model), or that one gathering job alone when the
// models' own jobs are what it reads.
import type { PlannedJob } from './kind';
import { type ProbedModel, withModel } from './model-source';

/** Needs of one job on every model's job: `name(model)` → the model job's key. */
export function modelNeeds<M extends { key?: string }>(
  models: readonly M[],
  name: (model: M) => string,
): Record<string, string> {
  return Object.fromEntries(
    models.map((model) => {
      if (model.key === undefined) throw new Error(`model ${name(model)} has no job to need`);
      return [name(model), model.key];
    }),
  );
}

/** `measure(model)` for every model, then `gather(needs)`, whose needs name each measuring job by `name(model)`. */
export function perModelJobs<M>(
  models: readonly M[],
  name: (model: M) => string,
  measure: (model: M) => PlannedJob,
  gather: (needs: Record<string, string>) => PlannedJob,
): PlannedJob[] {
  const measuring = models.map((model) => ({ model, job: measure(model) }));
  const needs = modelNeeds(
    measuring.map(({ model, job }) => ({ model, key: job.key })),
    ({ model }) => name(model),
  );
  return [...measuring.map(({ job }) => job), gather(needs)];
}

/**
 * A claim over probed models: `measure(model, key)` runs on each model (key `prefix/label`), then
 * `verdict(needs, key, labels)` (key `prefix/verdict`) needs each measuring job by its model's label.
 */
export function claimOverModels(
  prefix: string,
  models: readonly ProbedModel[],
  measure: (model: ProbedModel, key: string) => PlannedJob,
  verdict: (needs: Record<string, string>, key: string, labels: string[]) => PlannedJob,
): PlannedJob[] {
  return perModelJobs(
    models,
    (model) => model.label,
    (model) => withModel(model, measure(model, `${prefix}/${model.label}`)),
    (needs) =>
      verdict(
        needs,
        `${prefix}/verdict`,
        models.map((m) => m.label),
      ),
  );
}
