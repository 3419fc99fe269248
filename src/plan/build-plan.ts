// Validated config → job graph: each experiment expands its sweep points into planned jobs,
// the runner checks keys, needs and publish paths, orders the jobs and gives each a content id.
import type { ValidConfig } from '../config/validate';
import { ConfigError, FieldError, formatPath, type ConfigProblem } from '../config-errors';
import type { ExpandContext, ExperimentKind, JobKind, JsonObject, ModelRef, PlannedJob } from '../jobs/kind';
import { canonicalJson } from '../canonical-json';
import { estimatedSeconds } from './cost-model';
import { checkConfigData, type DataFolders, identityParams } from './data-identity';
import { CODE_VERSION, jobId } from './job-id';
import { kindCodeDigest } from '../jobs/code-identity';
import { kindModuleOf } from '../jobs/registry';

export interface PlanJob {
  id: string;
  key: string;
  /** Name of the experiment that planned it (the first segment of its key). */
  experiment: string;
  kind: string;
  /** Digest of the job kind's code when planned (jobs/code-identity.ts). */
  code: string;
  params: JsonObject;
  /** Name → the needed job's key and id. */
  needs: Record<string, { key: string; id: string }>;
  /** Estimated CPU seconds on this kind of machine (plan/cost-model.ts). */
  cost: number;
  /** The kind's own measure of the job's work, which the cost model turns into seconds. */
  work: number;
  publish: string[];
}

export interface Plan {
  name: string;
  codeVersion: string;
  /** Every job after every job it needs. */
  jobs: PlanJob[];
}

// Key segments become folder names (`tables/<key>/...`): no separators, no dot folders.
const SEGMENT = /^[^/\\:*?"<>|\0]+$/;

/** `data`: the checked IDX folders (checked here, without a hash cache, when not given). */
export function buildPlan(
  config: ValidConfig<ExperimentKind>,
  jobKinds: readonly JobKind[],
  data: DataFolders = checkConfigData(config),
  codeOf: (kind: string) => string = (kind) => kindCodeDigest(kindModuleOf(kind)),
): Plan {
  const problems: ConfigProblem[] = [];
  const versions = new Map(jobKinds.map((k) => [k.kind, codeOf(k.kind)]));
  const modelsOf = new Map<string, ModelRef[]>();
  const planned: { job: PlannedJob; experiment: string; where: string }[] = [];
  const whereOfKey = new Map<string, string>();

  for (const experiment of config.experiments) {
    for (const point of experiment.points) {
      const sweepPoint = point.label ? ` (${point.label})` : '';
      const where = formatPath(['experiments', experiment.index]) + sweepPoint;
      const ctx: ExpandContext = {
        name: experiment.name,
        prefix: point.prefix,
        configDir: config.dir ?? process.cwd(),
        defaults: config.defaults,
        modelsOf(name: string): ModelRef[] {
          const models = modelsOf.get(name);
          if (!models) {
            const other = config.experiments.find((e) => e.name === name);
            if (!other) throw new Error(`no experiment is named "${name}"`);
            if (!other.kind.models)
              throw new Error(`experiment "${name}" (kind "${other.kind.kind}") trains no models`);
            throw new Error(
              `models of "${name}" were asked for, but kind "${experiment.kind.kind}" does not list "${name}" in references()`,
            );
          }
          return models;
        },
      };
      try {
        for (const job of experiment.kind.expand(point.config, ctx))
          planned.push({ job, experiment: experiment.name, where });
        if (experiment.kind.models) {
          const models = modelsOf.get(experiment.name) ?? [];
          models.push(...experiment.kind.models(point.config, ctx));
          modelsOf.set(experiment.name, models);
        }
      } catch (error) {
        // A FieldError points at the field of the experiment it is about.
        const path =
          error instanceof FieldError
            ? formatPath(['experiments', experiment.index, ...error.field]) + sweepPoint
            : where;
        problems.push({ path, message: (error as Error).message });
      }
    }
    if (experiment.kind.models && !modelsOf.has(experiment.name)) modelsOf.set(experiment.name, []);
  }
  if (problems.length) throw new ConfigError(config.file, problems);

  /** Each job's params as canonical JSON: written once, for the check, the id and the plan. */
  const paramsJson = new Map<PlannedJob, string>();
  for (const { job, experiment, where } of planned) {
    const problem = checkPlannedJob(job, experiment, versions, paramsJson);
    if (problem) problems.push({ path: where, message: problem });
    else if (whereOfKey.has(job.key))
      problems.push({
        path: where,
        message: `job key "${job.key}" is also planned by ${whereOfKey.get(job.key)}`,
      });
    else whereOfKey.set(job.key, where);
  }
  if (problems.length) throw new ConfigError(config.file, problems);

  const jobs = orderAndIdentify(planned, versions, paramsJson, data, problems);
  if (problems.length) throw new ConfigError(config.file, problems);
  return { name: config.name, codeVersion: CODE_VERSION, jobs };
}

function checkPlannedJob(
  job: PlannedJob,
  experiment: string,
  versions: Map<string, string>,
  paramsJson: Map<PlannedJob, string>,
): string | undefined {
  if (
    typeof job.key !== 'string' ||
    !job.key.split('/').every((s) => SEGMENT.test(s) && s !== '.' && s !== '..')
  )
    return `job key ${JSON.stringify(job.key)} is not a path of plain segments`;
  if (job.key.split('/')[0] !== experiment)
    return `job key "${job.key}" does not start with the experiment name "${experiment}"`;
  if (!versions.has(job.kind))
    return `job "${job.key}" has job kind "${job.kind}", which no worker runs (add it to jobKinds in src/jobs/registry.ts)`;
  try {
    paramsJson.set(job, canonicalJson(job.params));
  } catch (error) {
    return `job "${job.key}" has params that are not plain JSON: ${(error as Error).message}`;
  }
  for (const file of job.publish ?? []) {
    const parts = file.split('/');
    if (parts.length < 2 || !parts.every((s) => SEGMENT.test(s) && s !== '.' && s !== '..'))
      return `job "${job.key}" publishes "${file}": expected a relative path inside a folder, such as tables/x.csv`;
  }
  return undefined;
}

/** Orders jobs so that needs come first (Kahn, stable in planned order) and computes ids on the way. */
function orderAndIdentify(
  planned: { job: PlannedJob; experiment: string; where: string }[],
  versions: Map<string, string>,
  paramsJson: Map<PlannedJob, string>,
  data: DataFolders,
  problems: ConfigProblem[],
): PlanJob[] {
  const byKey = new Map(planned.map((p) => [p.job.key, p]));
  const waiting = new Map<string, number>();
  const dependents = new Map<string, string[]>();
  for (const { job, where } of planned) {
    const needKeys = Object.entries(job.needs ?? {});
    for (const [name, key] of needKeys) {
      if (!byKey.has(key))
        problems.push({
          path: where,
          message: `job "${job.key}" needs "${key}" (as "${name}"), which no experiment plans`,
        });
      else if (dependents.has(key)) dependents.get(key)!.push(job.key);
      else dependents.set(key, [job.key]);
    }
    waiting.set(job.key, new Set(needKeys.map(([, key]) => key)).size);
  }
  if (problems.length) return [];

  const ids = new Map<string, string>();
  const keyOfId = new Map<string, string>();
  const ordered: PlanJob[] = [];
  const ready = planned.filter((p) => waiting.get(p.job.key) === 0).map((p) => p.job.key);
  for (let i = 0; i < ready.length; i++) {
    const { job, experiment, where } = byKey.get(ready[i])!;
    const needs: PlanJob['needs'] = {};
    for (const [name, key] of Object.entries(job.needs ?? {})) needs[name] = { key, id: ids.get(key)! };
    const text = paramsJson.get(job)!;
    const params = JSON.parse(text) as JsonObject;
    const code = versions.get(job.kind)!;
    // A job whose params hold a model file's path is identified by its content (PlannedJob.identity).
    const identity = identityParams(job.identity ?? params, data);
    const id = jobId(
      {
        kind: job.kind,
        code,
        params: identity,
        needs: Object.fromEntries(Object.entries(needs).map(([n, need]) => [n, need.id])),
      },
      identity === params ? text : undefined,
    );
    const twin = keyOfId.get(id);
    if (twin)
      problems.push({
        path: where,
        message: `jobs "${twin}" and "${job.key}" would compute the same thing (same kind, params and needs)`,
      });
    keyOfId.set(id, job.key);
    ids.set(job.key, id);
    ordered.push({
      id,
      key: job.key,
      experiment,
      kind: job.kind,
      code,
      params,
      needs,
      cost: estimatedSeconds(job.kind, job.cost ?? 1),
      work: job.cost ?? 1,
      publish: job.publish ?? [],
    });
    for (const next of new Set(dependents.get(job.key) ?? [])) {
      const left = waiting.get(next)! - 1;
      waiting.set(next, left);
      if (left === 0) ready.push(next);
    }
  }
  if (ordered.length < planned.length) {
    const stuck = planned.filter((p) => !ids.has(p.job.key)).map((p) => p.job.key);
    problems.push({
      path: byKey.get(stuck[0])!.where,
      message: `jobs need each other in a cycle: ${stuck.slice(0, 5).join(', ')}${stuck.length > 5 ? ', ...' : ''}`,
    });
  }
  return ordered;
}
