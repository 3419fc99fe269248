// The contract between the runner and the experiments.
//
// Layout rule: src/jobs/ (this contract and what kinds share) sits below src/kinds/ (every
// experiment and job kind: plan, run, publish) and above nothing of theirs; the domain folders
// (attribution, occlusion, claims, rnn, probes, models, tf, render, data) import no kind.
// test/layout.test.ts keeps the rule and the absence of import cycles.
//
// An experiment kind lives on the coordinator side: it validates its own part of a config and
// expands one concrete experiment (one point of its sweep grid) into planned jobs.
// A job kind lives on the worker side: a plain async function from JSON params and a context
// to a small JSON result, writing any artifacts (CSV tables, PNG figures, model files) into
// `ctx.dir`. Defined with defineJob, it also plans its own jobs (`someJob.plan({...})`), so the
// planner refers to the definition and never repeats its kind name or casts its params.
// The runner owns ids, scheduling, retries, the journal and the run folder.
import type { z } from 'zod';
import type { Defaults } from '../config/schema';
import type { PlannedLayer } from '../models/shapes';

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

/** A finished job that another job needs. */
export interface NeededJob {
  id: string;
  /** Its readable key, e.g. `train/seed=1` (figure titles name the probed model by it). */
  key?: string;
  kind: string;
  /** The needed job's folder (`jobs/<id>/`), with its artifacts. */
  dir: string;
  result: JsonValue;
}

export interface JobContext {
  /** Folder for this job's artifacts. It exists, is empty, and is moved into place only when the job succeeds. */
  dir: string;
  /** The jobs this one needs, by the names used in `PlannedJob.needs`. */
  needs: Record<string, NeededJob>;
  /** Per-worker-thread cache for loaded data sets and models; survives between jobs on one thread. */
  cache: Map<string, unknown>;
  /** Aborted when the job times out or the run is stopped. */
  signal: AbortSignal;
  /** Tells the run's log how a long job is getting on (e.g. once per training epoch). */
  progress(update: JobProgress): void;
}

/** What a long job says of itself while it runs. */
export interface JobProgress {
  /** One short line for the text log, e.g. `epoch 3/12: loss 0.2345, accuracy 0.9312, ETA 1 min 30 s`. */
  text: string;
  /** The same as numbers, for `--log json`. */
  fields: Record<string, number | string | null>;
}

/** A result as a job returns it: plain JSON, or objects JSON.stringify turns into it (typed arrays become lists). */
export type JobResult = JsonValue | object;

// biome-ignore lint/suspicious/noExplicitAny: the registry holds kinds of every params type
export interface JobKind<P = any, R extends JobResult = JobResult> {
  /** Unique. What the kind computes is identified by its code (jobs/code-identity.ts), not by a version. */
  kind: string;
  /** Resolves with the job's result, which jobs that need this one read with `resultOf`. */
  run(params: P, ctx: JobContext): Promise<R>;
}

/** A job kind that plans its own jobs: the planner refers to the definition, not to its kind name. */
export interface JobDefinition<P, R extends JobResult = JobResult> extends JobKind<P, R> {
  /** A planned job of this kind; `params` are checked against the kind's params type. */
  plan(job: Omit<PlannedJob, 'kind' | 'params'> & { params: P }): PlannedJob;
  /** The result of a needed job of this kind, typed as this kind's `run` returns it; another kind's is an error. */
  resultOf(need: NeededJob | undefined): R;
  /** The results of every needed job, each of which must be of this kind, in the order of `needs`. */
  resultsOf(needs: Record<string, NeededJob>): R[];
}

/**
 * Defines a job kind for the worker (`run`) and the planner (`plan`), and registers it: loading
 * its module is all it takes for the runner and the worker to know it.
 */
export function defineJob<P extends object, R extends JobResult = JobResult>(
  kind: JobKind<P, R>,
): JobDefinition<P, R> {
  const definition: JobDefinition<P, R> = {
    ...kind,
    // Params must be plain JSON (the planner checks them with canonicalJson); typed as an
    // interface, they are not a JsonObject to TypeScript: this is the one cast that says so.
    plan: ({ params, ...job }) => ({ ...job, kind: kind.kind, params: params as unknown as JsonObject }),
    resultOf(need) {
      if (!need) throw new Error(`a needed "${kind.kind}" job is missing`);
      if (need.kind !== kind.kind)
        throw new Error(
          `needed job ${need.key ?? need.id} is a "${need.kind}" job, not a "${kind.kind}" job`,
        );
      // The runner hands each need the result this kind's run returned (as JSON): the one place
      // that trusts the stored result to be of this kind's type.
      return need.result as R;
    },
    resultsOf: (needs) => Object.values(needs).map((need) => definition.resultOf(need)),
  };
  register(registered.jobs, definition, 'job');
  return definition;
}

/** Defines an experiment kind and registers it, as defineJob does a job kind. */
// biome-ignore lint/suspicious/noExplicitAny: a kind of any config type
export function defineExperiment<C = any>(kind: ExperimentKind<C>): ExperimentKind<C> {
  register(registered.experiments, kind, 'experiment');
  return kind;
}

/** Every kind defined so far in this thread, by name (jobs/registry.ts loads the kinds folder to fill it). */
export const registered = {
  jobs: new Map<string, JobKind>(),
  experiments: new Map<string, ExperimentKind>(),
};

function register<K extends { kind: string }>(kinds: Map<string, K>, kind: K, what: string): void {
  if (kinds.has(kind.kind))
    throw new Error(`two ${what} kinds are named "${kind.kind}": rename one (kind names are unique)`);
  kinds.set(kind.kind, kind);
}

/** One job as an experiment plans it; the runner turns `key`s into content ids. */
export interface PlannedJob {
  /** Unique within the run and readable: `${ctx.prefix}/seed=1`, `${ctx.prefix}/seed=1/chunk=3`. */
  key: string;
  kind: string;
  params: JsonObject;
  /**
   * What the job id hashes instead of `params`, when params hold a path whose content is hashed
   * (a model file): moving the file then keeps the id, replacing it changes the id.
   */
  identity?: JsonObject;
  /** name → key of a job this one needs (that job's result and folder arrive as `ctx.needs[name]`). */
  needs?: Record<string, string>;
  /**
   * The job's work in the kind's own units (e.g. images × epochs / 1000), which plan/cost-model.ts
   * turns into estimated seconds for ordering, sharding, the ETA and --dry-run.
   */
  cost?: number;
  /**
   * Files this job writes under its folder that belong in the run's published output, as
   * paths relative to the job folder, e.g. `tables/prob_of_6.csv`. The runner copies them to
   * `<run>/<path with the experiment name as its first folder>` after the run.
   */
  publish?: string[];
}

/** A trained model another experiment can probe. */
export interface ModelRef {
  /** Key of the job whose folder holds the model. */
  key: string;
  seed: number;
  /** Short readable label, e.g. `seed=1` or `lr=0.001,seed=1`. */
  label: string;
  /** Its layers (Keras names and classes, output shapes), so that probes can plan their files. */
  layers?: PlannedLayer[];
}

export interface ExpandContext {
  /** The experiment's name in the config. */
  name: string;
  /**
   * Start of every key this experiment plans: the experiment's name, plus the sweep point's
   * label when the experiment has a sweep (e.g. `train/lr=0.001`). Keys are `${prefix}/...`.
   */
  prefix: string;
  /** Absolute folder of the config file (default: the working folder): relative paths in an experiment start there. */
  configDir?: string;
  /** The config's shared defaults (data, backend, training, seeds, ...), validated, with every default filled in. */
  defaults: Defaults;
  /** Trained models produced by another experiment of the same config (for `model: "<name>"`). */
  modelsOf(experimentName: string): ModelRef[];
}

// biome-ignore lint/suspicious/noExplicitAny: the registry holds kinds of every config type
export interface ExperimentKind<C = any> {
  kind: string;
  /** One line for `run-experiments kinds`: what the experiment does. */
  description: string;
  /** Not for configs people write (e.g. the runner's own test kind): left out of `kinds` and messages. */
  internal?: boolean;
  /** The experiment's own fields (besides `name`, `kind`, `sweep`), with defaults filled in. */
  schema: z.ZodType<C>;
  /** Names of the experiments this one reads models from, so the runner can check references and cycles. */
  references?(config: C): string[];
  /** One concrete experiment (a single sweep point) → its jobs. */
  expand(config: C, ctx: ExpandContext): PlannedJob[];
  /** For experiments that train: the models the expanded jobs produce. */
  models?(config: C, ctx: ExpandContext): ModelRef[];
}
