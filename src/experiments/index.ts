// Every experiment kind (coordinator side) and job kind (worker side) probelab knows.
// Add one line to each list per new kind.
import type { ExperimentKind, JobKind } from './kind';

export const experimentKinds: ExperimentKind[] = [];

export const jobKinds: JobKind[] = [];
