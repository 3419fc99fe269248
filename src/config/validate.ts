// From a parsed config file to validated experiments, one entry per sweep point, in the order
// their references need (an experiment comes after the experiments whose models it probes).
import path from 'node:path';
import type { z } from 'zod';
import { didYouMean } from '../suggest';
import { inputJsonSchema, issueProblems, schemaAt } from './describe';
import { ConfigError, formatPath, type ConfigProblem } from '../config-errors';
import { configFileSchema, type Defaults } from './schema';
import {
  expandSweep,
  fieldParts,
  hasField,
  MAX_SWEEP_POINTS,
  sweepSize,
  withField,
  type SweepAssignment,
} from './sweep';

export interface ExperimentPoint {
  /** Sweep label such as `learningRate=0.001`; undefined without a sweep. */
  label?: string;
  /** Start of every key of this point: the experiment name, plus `/label` when swept. */
  prefix: string;
  /** The experiment's own fields after its kind's schema (defaults filled in). */
  config: unknown;
}

/** What validating a config needs of an experiment kind (jobs/kind.ts's ExperimentKind is one). */
export interface ConfigKind {
  kind: string;
  /** Not for configs people write (the runner's own test kind): left out of messages. */
  internal?: boolean;
  schema: z.ZodType;
  // biome-ignore lint/suspicious/noExplicitAny: each kind reads its own config type
  references?(config: any): string[];
}

export interface ValidExperiment<K extends ConfigKind = ConfigKind> {
  /** Position in the file's `experiments` list. */
  index: number;
  name: string;
  kind: K;
  points: ExperimentPoint[];
  /** Experiments whose models this one reads. */
  references: string[];
}

export interface ValidConfig<K extends ConfigKind = ConfigKind> {
  file: string;
  /** Absolute folder of the file, when it was read from disk (relative paths in experiments start there). */
  dir?: string;
  name: string;
  defaults: Defaults;
  /** In dependency order. */
  experiments: ValidExperiment<K>[];
}

export function validateConfig<K extends ConfigKind>(
  value: unknown,
  file: string,
  kinds: readonly K[],
): ValidConfig<K> {
  const top = configFileSchema.safeParse(value, { reportInput: true });
  if (!top.success) {
    const root = inputJsonSchema(configFileSchema);
    throw new ConfigError(
      file,
      dedupe(top.error.issues.flatMap((issue) => issueProblems(issue, root, (p) => formatPath(p)))),
    );
  }
  const { defaults, experiments: rawExperiments } = top.data;
  const problems: ConfigProblem[] = [];
  const kindsByName = new Map(kinds.map((kind) => [kind.kind, kind]));
  const firstIndexOfName = new Map<string, number>();
  const experiments: ValidExperiment<K>[] = [];

  rawExperiments.forEach((raw, index) => {
    const at = (p: PropertyKey[]) => formatPath(['experiments', index, ...p]);
    const earlier = firstIndexOfName.get(raw.name);
    if (earlier !== undefined) {
      problems.push({
        path: at(['name']),
        message: `"${raw.name}" is already the name of experiments[${earlier}]`,
      });
      return;
    }
    firstIndexOfName.set(raw.name, index);
    const kind = kindsByName.get(raw.kind);
    if (!kind) {
      const publicKinds = kinds.filter((k) => !k.internal).map((k) => k.kind);
      const known = publicKinds.map((k) => `"${k}"`).join(', ');
      problems.push({
        path: at(['kind']),
        message: `unknown kind "${raw.kind}"${didYouMean(raw.kind, publicKinds) || ` (known kinds: ${known || 'none'})`}; run-experiments kinds lists them`,
      });
      return;
    }
    const { name: _name, kind: _kind, sweep, ...own } = raw;
    const points = validatePoints(raw.name, own, sweep, kind, at, problems);
    if (!points) return;
    const references = new Set<string>();
    for (const point of points)
      for (const name of kind.references?.(point.config) ?? []) references.add(name);
    experiments.push({ index, name: raw.name, kind, points, references: [...references] });
  });
  if (problems.length) throw new ConfigError(file, problems);

  checkReferences(experiments, rawExperiments, problems);
  if (problems.length) throw new ConfigError(file, problems);

  const name = top.data.name ?? path.basename(file, path.extname(file));
  return { file, name, defaults, experiments: dependencyOrder(experiments) };
}

function validatePoints(
  experimentName: string,
  own: Record<string, unknown>,
  sweep: Record<string, unknown[]> | undefined,
  kind: ConfigKind,
  at: (p: PropertyKey[]) => string,
  problems: ConfigProblem[],
): ExperimentPoint[] | undefined {
  const root = inputJsonSchema(kind.schema);
  const sweepPath = (field: string) => `${at(['sweep'])}.${field}`;
  const before = problems.length;
  for (const field of Object.keys(sweep ?? {})) {
    if (!schemaAt(root, fieldParts(field)))
      problems.push({ path: sweepPath(field), message: `"${field}" is not a field of kind "${kind.kind}"` });
    else if (hasField(own, field))
      problems.push({
        path: sweepPath(field),
        message: `also set directly as ${at(fieldParts(field))}; set it in one place`,
      });
  }
  if (sweep && sweepSize(sweep) > MAX_SWEEP_POINTS)
    problems.push({
      path: at(['sweep']),
      message: `expands into ${sweepSize(sweep).toLocaleString('en')} points, over the limit of ${MAX_SWEEP_POINTS.toLocaleString('en')}: sweep fewer values or split the experiment`,
    });
  if (problems.length > before) return undefined;

  const grid = sweep ? expandSweep(sweep) : [{ assignments: [] as SweepAssignment[], label: '' }];
  const points: ExperimentPoint[] = [];
  const found: ConfigProblem[] = [];
  for (const { assignments, label } of grid) {
    const candidate = assignments.reduce((config, a) => withField(config, a.field, a.value), own);
    const parsed = kind.schema.safeParse(candidate, { reportInput: true });
    if (!parsed.success) {
      // A problem inside a swept value points at that value in the sweep list.
      const display = (p: PropertyKey[]) => {
        for (const a of assignments) {
          const parts = fieldParts(a.field);
          if (parts.every((part, i) => p[i] === part))
            return formatPath(p.slice(parts.length), `${sweepPath(a.field)}[${a.index}]`);
        }
        return at(p);
      };
      found.push(...parsed.error.issues.flatMap((issue) => issueProblems(issue, root, display)));
      continue;
    }
    points.push({
      label: label || undefined,
      prefix: label ? `${experimentName}/${label}` : experimentName,
      config: parsed.data,
    });
  }
  problems.push(...dedupe(found));
  if (found.length) return undefined;
  return points;
}

function checkReferences(
  experiments: ValidExperiment[],
  raw: Record<string, unknown>[],
  problems: ConfigProblem[],
): void {
  const byName = new Map(experiments.map((e) => [e.name, e]));
  for (const experiment of experiments) {
    for (const name of experiment.references) {
      if (byName.has(name)) continue;
      const where = pathOfValue(raw[experiment.index], name) ?? [];
      const names = experiments.map((e) => `"${e.name}"`).join(', ');
      problems.push({
        path: formatPath(['experiments', experiment.index, ...where]),
        message: `no experiment is named "${name}" (experiments: ${names})`,
      });
    }
  }
  if (problems.length) return;
  // Depth-first search for a cycle; report it once, at the experiment where it closes.
  const state = new Map<string, 'visiting' | 'done'>();
  const trail: string[] = [];
  const visit = (name: string): boolean => {
    if (state.get(name) === 'done') return false;
    if (state.get(name) === 'visiting') {
      const cycle = [...trail.slice(trail.indexOf(name)), name];
      const last = byName.get(trail[trail.length - 1])!;
      const where = pathOfValue(raw[last.index], name) ?? [];
      problems.push({
        path: formatPath(['experiments', last.index, ...where]),
        message: `cyclic reference: ${cycle.join(' → ')}`,
      });
      return true;
    }
    state.set(name, 'visiting');
    trail.push(name);
    for (const next of byName.get(name)!.references) if (visit(next)) return true;
    trail.pop();
    state.set(name, 'done');
    return false;
  };
  for (const experiment of experiments) if (visit(experiment.name)) return;
}

/** Experiments ordered so that each comes after those it references; otherwise in file order. */
function dependencyOrder<E extends ValidExperiment>(experiments: E[]): E[] {
  const placed = new Set<string>();
  const ordered: E[] = [];
  while (ordered.length < experiments.length) {
    for (const experiment of experiments) {
      if (placed.has(experiment.name) || !experiment.references.every((r) => placed.has(r))) continue;
      placed.add(experiment.name);
      ordered.push(experiment);
      break;
    }
  }
  return ordered;
}

/** Path of the first string equal to `value` inside `node` (to point at a reference). */
function pathOfValue(node: unknown, value: string, top = true): PropertyKey[] | undefined {
  if (node === value) return [];
  if (node === null || typeof node !== 'object') return undefined;
  for (const [key, child] of Object.entries(node)) {
    if (top && (key === 'name' || key === 'kind')) continue;
    const found = pathOfValue(child, value, false);
    if (found) return [Array.isArray(node) ? Number(key) : key, ...found];
  }
  return undefined;
}

function dedupe(problems: ConfigProblem[]): ConfigProblem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const text = `${p.path}\n${p.message}`;
    if (seen.has(text)) return false;
    seen.add(text);
    return true;
  });
}
