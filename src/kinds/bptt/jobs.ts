// The params of the job kinds both gradient experiments plan (all plain JSON).
import type { BackendName } from '../../models/training-spec';
import type { StencilPoints } from '../../rnn/finite-differences';
import type { ParameterElement } from '../../rnn/parameters';
import type { BpttProblem } from '../../rnn/problem';
import type { UpdateConfig } from './config';

import type { Approximation } from '../../rnn/exact-lstm';

export type { Approximation };

export interface ExactParams {
  problem: BpttProblem;
  update: UpdateConfig | null;
  /** LSTM only: also compute this approximate dL/db_f and compare it with the true one. */
  approximation: Approximation | null;
}

export interface FiniteDifferencesParams {
  problem: BpttProblem;
  elements: ParameterElement[];
  step: number;
  points: StencilPoints;
}

export interface TfjsParams {
  problem: BpttProblem;
  backend: BackendName;
}

export interface Tolerance {
  tolerance: number;
  floor: number;
}

export interface CheckParams {
  /** Number of finite-difference chunks (needed as `finite-differences/chunk=<i>`), or null when skipped. */
  finiteDifferences: (Tolerance & { chunks: number }) | null;
  tfjs: Tolerance | null;
}

/** Name in `needs` of finite-difference chunk i. */
export const chunkNeed = (i: number) => `finite-differences/chunk=${i}`;
