// The PyTorch reference for the step-time claim: absent python or torch is an answer, not an
// error; present, its numbers are a batch norm and a plain time per batch size.
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { PYTHON, torchReference, torchScript } from '../../src/claims/torch-reference';

const how = { warmupSteps: 1, timedSteps: 3, rounds: 2 };

test('no python at the given path: said plainly', () => {
  expect(torchReference([2], how, '/no/such/python3')).toEqual({
    available: false,
    reason: '/no/such/python3 does not exist',
  });
});

test('the script ships with the package', () => {
  expect(existsSync(torchScript())).toBe(true);
});

test('/usr/bin/python3: without torch said plainly; with torch, a time per batch size for both networks', () => {
  const hasTorch = existsSync(PYTHON) && spawnSync(PYTHON, ['-c', 'import torch']).status === 0;
  const reference = torchReference([2, 8], how);
  if (!existsSync(PYTHON))
    expect(reference).toEqual({ available: false, reason: `${PYTHON} does not exist` });
  else if (!hasTorch) expect(reference).toEqual({ available: false, reason: `${PYTHON} has no torch` });
  else {
    expect(reference.available).toBe(true);
    if (!reference.available) return;
    expect(reference.timings.map((t) => t.batchSize)).toEqual([2, 8]);
    for (const t of reference.timings) {
      expect(t.plainMs).toBeGreaterThan(0);
      expect(t.batchNormMs).toBeGreaterThan(0);
    }
  }
});
