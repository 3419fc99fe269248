// --only <experiment|kind>: the jobs of the named experiments or kinds, plus every job they need
// (a probe needs its trained model; one already done is reused, not run again).
import type { ValidConfig } from '../config/validate';
import type { Plan } from '../plan/build-plan';
import { UsageError } from '../errors';

export function selectOnly(plan: Plan, config: ValidConfig, names: readonly string[]): Plan {
  const experimentKind = new Map(config.experiments.map((e) => [e.name, e.kind.kind]));
  const known = new Set([
    ...experimentKind.keys(),
    ...experimentKind.values(),
    ...plan.jobs.map((job) => job.kind),
  ]);
  const unknown = names.filter((name) => !known.has(name));
  if (unknown.length)
    throw new UsageError(
      `--only ${unknown.join(', ')}: no experiment or kind of ${config.file} has this name; expected one of: ${[...known].sort().join(', ')}`,
    );
  const wanted = new Set(names);
  const keep = new Set<string>();
  for (const job of plan.jobs)
    if (
      wanted.has(job.experiment) ||
      wanted.has(job.kind) ||
      wanted.has(experimentKind.get(job.experiment) ?? '')
    )
      keep.add(job.id);
  // Jobs come after their needs: walking backwards adds needs of needs.
  for (let i = plan.jobs.length - 1; i >= 0; i--) {
    const job = plan.jobs[i];
    if (keep.has(job.id)) for (const need of Object.values(job.needs)) keep.add(need.id);
  }
  return { ...plan, jobs: plan.jobs.filter((job) => keep.has(job.id)) };
}
