// One gradient experiment (either cell) → its jobs: the exact computation, finite-difference
// chunks and a tfjs autodiff run that each recompute the gradients independently, and one check
// job that compares them all with the exact values.
import { allElements } from '../../rnn/parameters';
import type { BpttProblem } from '../../rnn/problem';
import type { ExpandContext, PlannedJob } from '../../jobs/kind';
import { bpttCheckJob } from './check-job';
import type { ChecksConfig, UpdateConfig } from './config';
import { bpttExactJob } from './exact-job';
import { bpttFiniteDifferencesJob } from './finite-differences-job';
import type { Approximation, CheckParams, ExactParams, FiniteDifferencesParams, TfjsParams } from './jobs';
import { chunkNeed } from './jobs';
import { bpttTfjsJob } from './tfjs-job';

export interface GradientExperiment {
  problem: BpttProblem;
  update?: UpdateConfig;
  approximation?: Approximation;
  checks: ChecksConfig;
}

/** Files the exact job writes, relative to its folder. */
export function exactJobFiles(
  experiment: Pick<GradientExperiment, 'problem' | 'update' | 'approximation'>,
): string[] {
  const files = [
    'tables/gradients.json',
    'tables/forward.csv',
    'tables/loss.csv',
    'tables/gradients.csv',
    'tables/dL_db_per_step.csv',
  ];
  if (experiment.problem.cell === 'rnn') files.push('tables/jacobians.csv');
  if (experiment.update) files.push('tables/update.csv');
  if (experiment.approximation) files.push('tables/forget_bias_homework_vs_true.csv');
  return files;
}

export const CHECK_FILES = ['tables/checks.csv', 'tables/check_summary.csv'];

export function planGradientJobs(experiment: GradientExperiment, ctx: ExpandContext): PlannedJob[] {
  const { problem, checks } = experiment;
  const exactKey = `${ctx.prefix}/exact`;
  const exact: ExactParams = {
    problem,
    update: experiment.update ?? null,
    approximation: experiment.approximation ?? null,
  };
  const jobs: PlannedJob[] = [
    bpttExactJob.plan({ key: exactKey, params: exact, cost: 0.01, publish: exactJobFiles(experiment) }),
  ];
  const needs: Record<string, string> = { exact: exactKey };
  const check: CheckParams = { finiteDifferences: null, tfjs: null };

  if (checks.finiteDifferences) {
    const { step, points, chunkSize, tolerance, floor } = checks.finiteDifferences;
    const elements = allElements(problem.parameters, problem.ties);
    const chunks = Math.ceil(elements.length / chunkSize);
    for (let i = 0; i < chunks; i++) {
      const params: FiniteDifferencesParams = {
        problem,
        elements: elements.slice(i * chunkSize, (i + 1) * chunkSize),
        step,
        points,
      };
      const key = `${ctx.prefix}/finite-differences/chunk=${i}`;
      jobs.push(bpttFiniteDifferencesJob.plan({ key, params, cost: 0.01 }));
      needs[chunkNeed(i)] = key;
    }
    check.finiteDifferences = { tolerance, floor, chunks };
  }

  if (checks.tfjs) {
    const { backend, tolerance, floor } = checks.tfjs;
    const params: TfjsParams = { problem, backend: backend ?? ctx.defaults.backend };
    const key = `${ctx.prefix}/tfjs`;
    // Most of its cost is loading tfjs into the thread.
    jobs.push(bpttTfjsJob.plan({ key, params, cost: 0.5 }));
    needs.tfjs = key;
    check.tfjs = { tolerance, floor };
  }

  jobs.push(
    bpttCheckJob.plan({ key: `${ctx.prefix}/check`, params: check, needs, cost: 0.01, publish: CHECK_FILES }),
  );
  return jobs;
}
