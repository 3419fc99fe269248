// PyTorch's batch norm ÷ plain step-time ratio beside probelab's, as a reference for the P1(3)
// step-time claim: scripts/torch-step-time.py, run by /usr/bin/python3 when it has torch.
// Absent torch is an answer ("no reference"), not an error.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { packageRoot } from '../package-root';

export const PYTHON = '/usr/bin/python3';

export interface TorchTiming {
  batchSize: number;
  plainMs: number;
  batchNormMs: number;
}

export type TorchReference =
  | { available: true; torch: string; timings: TorchTiming[] }
  | { available: false; reason: string };

/** The script, found from the package root whether this file runs from src/ (tests) or dist/. */
export function torchScript(): string {
  return path.join(packageRoot(), 'scripts', 'torch-step-time.py');
}

/** Times Figure 1 plain and with batch norm in PyTorch at these batch sizes, or says why it could not. */
export function torchReference(
  batchSizes: readonly number[],
  how: { warmupSteps: number; timedSteps: number; rounds: number },
  python = PYTHON,
): TorchReference {
  if (!existsSync(python)) return { available: false, reason: `${python} does not exist` };
  const probe = spawnSync(python, ['-c', 'import torch'], { encoding: 'utf8', timeout: 60_000 });
  if (probe.status !== 0) return { available: false, reason: `${python} has no torch` };
  const args = [
    torchScript(),
    batchSizes.join(','),
    String(how.warmupSteps),
    String(how.timedSteps),
    String(how.rounds),
  ];
  const run = spawnSync(python, args, { encoding: 'utf8', timeout: 600_000 });
  const last = run.stdout?.trim().split('\n').at(-1) ?? '';
  if (run.status !== 0 || !last.startsWith('{'))
    throw new Error(
      `${python} ${args.join(' ')} failed (exit ${run.status}): ${run.stderr?.trim().slice(-500)}`,
    );
  const parsed = JSON.parse(last) as { torch: string; timings: TorchTiming[] };
  return { available: true, torch: parsed.torch, timings: parsed.timings };
}
