// The modules that define job kinds, relative to this folder. The runner loads every experiment
// and job kind (index.ts); a worker thread loads only the module of each kind it runs, when it
// first runs one: the whole registry, with every experiment's config schema and the libraries
// they import, costs a thread ≈ 160 ms before its first job.
import type { JobKind } from './kind';

export const JOB_MODULES = [
  '../kinds/train',
  '../kinds/occlusion/occlusion-maps',
  '../kinds/occlusion/occlusion-population',
  '../kinds/selftest',
  '../kinds/bptt/exact-job',
  '../kinds/bptt/finite-differences-job',
  '../kinds/bptt/tfjs-job',
  '../kinds/bptt/check-job',
  '../kinds/curves',
  '../kinds/filters',
  '../kinds/feature-maps',
  '../kinds/shift',
  '../kinds/attribution/attribution-jobs',
  '../kinds/attribution-faithfulness/attribution-faithfulness-jobs',
  '../kinds/claims/batch-norm-batch-size',
  '../kinds/claims/batch-norm-step-time',
  '../kinds/claims/batch-norm-test-batch',
  '../kinds/claims/receptive-fields-claim',
  '../kinds/claims/parameters-claim',
  '../kinds/claims/pooling-claim',
  '../kinds/claims/dropout-convergence',
  '../kinds/claims/dropout-capacity',
  '../kinds/claims/dropout-sparsity',
  '../kinds/claims/dropout-variance-shift',
];

/** Job kind name → the module of JOB_MODULES that exports it, for each of `kinds`. */
export function jobKindModules(kinds: readonly JobKind[]): Record<string, string> {
  const wanted = new Set<unknown>(kinds);
  const modules: Record<string, string> = {};
  for (const name of JOB_MODULES) {
    for (const value of Object.values(require(name) as Record<string, unknown>))
      if (wanted.has(value)) modules[(value as JobKind).kind] = name;
  }
  return modules;
}

/** The job kind `name` among the exports of its module. */
export function jobKindIn(exports: Record<string, unknown>, name: string): JobKind | undefined {
  return Object.values(exports).find(
    (value): value is JobKind =>
      typeof value === 'object' && value !== null && (value as JobKind).kind === name && 'run' in value,
  );
}
