// Every experiment kind (coordinator side) and job kind (worker side) probelab knows.
// Add one line to each list per new kind.
import type { ExperimentKind, JobKind } from './kind';
import { trainExperiment, trainJob, trainSummaryJob } from './train';

export const experimentKinds: ExperimentKind[] = [
  trainExperiment,
];

export const jobKinds: JobKind[] = [
  trainJob,
  trainSummaryJob,
];
