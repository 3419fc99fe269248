// The gradient experiments' jobs: the plan, the tfjs autodiff check on random problems, and a
// check job that fails loudly when a gradient is wrong.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { ExactResult } from '../../src/kinds/bptt/exact-job';
import type { TfjsResult } from '../../src/kinds/bptt/tfjs-job';
import { jobKinds } from '../../src/jobs/registry';
import { rnnGradientsExperiment } from '../../src/kinds/bptt/rnn-gradients';
import type { JsonValue } from '../../src/jobs/kind';
import { allElements, getElement } from '../../src/rnn/parameters';
import { problemGradients } from '../../src/rnn/problem';
import { relativeError } from '../../src/rnn/relative-error';
import { randomLstmProblem, randomRnnProblem, randomSource } from './random-configs';
import { expandContext, removeRunFolders, runPlanned } from '../helpers/run-gradient-jobs';

afterAll(removeRunFolders);

const problem5 = () => {
  const {
    name: _n,
    kind: _k,
    ...own
  } = JSON.parse(readFileSync(path.join(__dirname, '../../configs/problem5.json'), 'utf8')).experiments[0];
  return own;
};

describe('the plan', () => {
  test('exact, finite-difference chunks, tfjs, then a check that needs them all', () => {
    const config = rnnGradientsExperiment.schema.parse({
      ...problem5(),
      checks: { finiteDifferences: { chunkSize: 5 } },
    });
    const jobs = rnnGradientsExperiment.expand(config, expandContext('p5'));
    // W, U, V: 4 elements each; b, c, h0: 2 each → 18 elements in chunks of 5.
    expect(jobs.map((j) => j.key)).toEqual([
      'p5/exact',
      ...[0, 1, 2, 3].map((i) => `p5/finite-differences/chunk=${i}`),
      'p5/tfjs',
      'p5/check',
    ]);
    const check = jobs[jobs.length - 1];
    expect(Object.values(check.needs!)).toEqual(jobs.slice(0, -1).map((j) => j.key));
    expect(check.publish).toEqual(['tables/checks.csv', 'tables/check_summary.csv']);
    expect(jobs[0].publish).toContain('tables/dL_db_per_step.csv');
    expect(jobs[0].publish).toContain('tables/jacobians.csv');
    expect(jobs[0].publish).toContain('tables/update.csv');
  });

  test('checks can be skipped', () => {
    const config = rnnGradientsExperiment.schema.parse({
      ...problem5(),
      checks: { finiteDifferences: false, tfjs: false },
    });
    expect(rnnGradientsExperiment.expand(config, expandContext('p5')).map((j) => j.kind)).toEqual([
      'bptt-exact',
      'bptt-check',
    ]);
  });
});

test('tfjs autodiff (float32) agrees with exact BPTT on 10 random problems of each cell, within the default tolerance', async () => {
  const tfjs = jobKinds.find((k) => k.kind === 'bptt-tfjs')!;
  const r = randomSource(3);
  for (const make of [randomRnnProblem, randomLstmProblem]) {
    for (let i = 0; i < 10; i++) {
      const problem = make(r);
      const { gradients } = problemGradients(problem);
      const result = (await tfjs.run(
        { problem, backend: 'wasm' },
        { dir: '', needs: {}, cache: new Map(), signal: new AbortController().signal, progress: () => {} },
      )) as unknown as TfjsResult;
      for (const e of allElements(problem.parameters, problem.ties)) {
        // The defaults of the tfjs check: 1e-3 relative, floor 1e-3.
        expect(
          relativeError(
            getElement(gradients[e.parameter], e.index),
            getElement(result.gradients[e.parameter], e.index),
            1e-3,
          ),
        ).toBeLessThanOrEqual(1e-3);
      }
    }
  }
});

test('the check job fails loudly, naming the check and the element, when a gradient is wrong', async () => {
  const config = rnnGradientsExperiment.schema.parse({ ...problem5(), checks: { tfjs: false } });
  const jobs = rnnGradientsExperiment.expand(config, expandContext('p5'));
  // A wrong exact gradient: dL/dW[1][0] off by 1e-4 relative.
  const tamper = ({ job, result }: { job: { kind: string }; result: JsonValue }) => {
    if (job.kind !== 'bptt-exact') return result;
    const exact = result as unknown as ExactResult;
    (exact.gradients.W as number[][])[1][0] *= 1 + 1e-4;
    return result;
  };
  await expect(runPlanned(jobs, tamper)).rejects.toThrow(
    /^bptt-check: finite differences vs exact BPTT: largest relative error 9\.999e-5 at W\[1\]\[0\] \(exact 0\.0045\d+, finite differences 0\.0045\d+\) exceeds the tolerance 0\.000001$/,
  );
});
