// `claim-parameters` (Problem 2(1), "convolution needs far fewer parameters than dense layers"):
// a convolutional train experiment (Figure 1) against a train experiment of dense networks (a
// sweep of `layers` lists), trained on the same seeds. One job reads every model's parameter
// count and test accuracy and writes the table, an accuracy-versus-parameters chart and two
// verdicts: at the dense network closest to the same parameter budget, is convolution more
// accurate? And how many times the parameters does the smallest dense network reaching the
// convolutional one's accuracy need, against a factor?
import path from 'node:path';
import { z } from 'zod';
import { FieldError } from '../../config-errors';
import { defineJob, type NeededJob, type PlannedJob, defineExperiment } from '../../jobs/kind';
import type { ChartSpec } from '../../render/chart';
import { writeRecordsCsv } from '../../render/csv';
import { asPoints, defaultVerdictSettings, type VerdictSettings, verdictField } from '../../claims/evidence';
import { denseWidths, parameterCount, seedList, testAccuracyOf, trainedGroups } from './trained-groups';
import {
  differenceVerdict,
  figure,
  mean,
  sampleSd,
  thresholdVerdict,
  VERDICT_FILE,
  writeVerdictCsv,
  type VerdictRow,
} from '../../claims/verdict';

export const SAME_BUDGET_CLAIM =
  'P2(1) at the same parameter budget, convolution is more accurate than dense layers';
export const FEWER_PARAMETERS_CLAIM =
  'P2(1) convolution needs far fewer parameters than dense layers for the same accuracy';

/** Minimum effects that matter: Figure 1 more accurate at the same budget; the parameter ratio beyond `factor`. */
export const PARAMETERS_MARGINS = {
  sameBudget: { default: 0.5, unit: 'accuracy points' },
  parameterRatio: { default: 0, unit: "× the convolutional network's parameters, beyond factor" },
};
type Settings = VerdictSettings<keyof typeof PARAMETERS_MARGINS>;

const trainName = z.string().min(1, 'expected the name of a "train" experiment of this config');

const configSchema = z
  .object({
    convolution: trainName.describe(
      'The convolutional network (a train experiment without a sweep), e.g. Figure 1.',
    ),
    dense: trainName.describe(
      'Dense networks to compare with: a train experiment, usually a sweep of `layers` lists of growing width, trained on the same seeds.',
    ),
    factor: z
      .number()
      .gt(1)
      .default(2)
      .describe(
        '"Far fewer": the dense network reaching the convolutional accuracy must need more than this many times its parameters.',
      ),
    verdict: verdictField(PARAMETERS_MARGINS),
  })
  .strict();
type ParametersConfig = z.infer<typeof configSchema>;

export interface ParametersParams {
  factor: number;
  verdict: Settings;
  /** The convolutional network's experiment name, for the tables. */
  convolutionName: string;
  convolution: { seed: number; need: string }[];
  dense: { point: string; models: { seed: number; need: string }[] }[];
}

const FILES = [
  'tables/parameters.csv',
  'figures/accuracy_vs_parameters.svg',
  'figures/accuracy_vs_parameters.png',
  VERDICT_FILE,
];

export const parametersClaimExperiment = defineExperiment<ParametersConfig>({
  kind: 'claim-parameters',
  description: 'Claim P2(1): convolution needs far fewer parameters than dense layers for the same accuracy.',
  schema: configSchema,
  references: (config) => [config.convolution, config.dense],
  expand(config, ctx): PlannedJob[] {
    const conv = trainedGroups(ctx, config.convolution);
    const dense = trainedGroups(ctx, config.dense);
    if (conv.length !== 1)
      throw new FieldError(
        ['convolution'],
        `expected one network, but "${config.convolution}" trains ${conv.length} (a sweep): name a train experiment without a sweep`,
      );
    if (dense.length === 0) throw new FieldError(['dense'], `"${config.dense}" trains no models`);
    for (const group of dense)
      if (seedList(group) !== seedList(conv[0]))
        throw new FieldError(
          ['dense'],
          `"${config.dense}"${group.point ? ` (${group.point})` : ''} trains seeds ${seedList(group)}, but "${config.convolution}" trains ${seedList(conv[0])}: the comparison pairs them by seed`,
        );
    const needs: Record<string, string> = {};
    const need = (name: string, key: string) => {
      needs[name] = key;
      return name;
    };
    const params: ParametersParams = {
      factor: config.factor,
      verdict: config.verdict,
      convolutionName: config.convolution,
      convolution: conv[0].models.map((m) => ({
        seed: m.seed,
        need: need(`convolution/seed=${m.seed}`, m.key),
      })),
      dense: dense.map((g) => ({
        point: g.point,
        models: g.models.map((m) => ({ seed: m.seed, need: need(`dense/${g.point}/seed=${m.seed}`, m.key) })),
      })),
    };
    return [parametersClaimJob.plan({ key: ctx.prefix, params, needs, cost: 1, publish: FILES })];
  },
});

interface Network {
  name: string;
  parameters: number;
  /** Test accuracy by seed, in seed order. */
  accuracy: number[];
}

function chart(networks: Network[], convolutionName: string): ChartSpec {
  const values = networks.flatMap((n) =>
    n.accuracy.map((accuracy) => ({
      network: n.name,
      family: n.name === convolutionName ? 'convolution' : 'dense',
      parameters: n.parameters,
      accuracy,
    })),
  );
  return {
    title: 'Test accuracy against parameter count (one point per seed)',
    width: 420,
    height: 260,
    data: { values },
    mark: { type: 'point', filled: true, size: 60 },
    encoding: {
      x: {
        field: 'parameters',
        type: 'quantitative',
        scale: { type: 'log' },
        title: 'parameters (log scale)',
      },
      y: { field: 'accuracy', type: 'quantitative', scale: { zero: false }, title: 'test accuracy' },
      color: { field: 'family', type: 'nominal', title: 'network' },
      shape: { field: 'family', type: 'nominal' },
    },
  } as ChartSpec;
}

/** The two verdicts from the networks (the first one convolutional, the others dense). */
export function parametersVerdicts(
  conv: Network,
  dense: Network[],
  factor: number,
  settings: Settings = defaultVerdictSettings(PARAMETERS_MARGINS),
): VerdictRow[] {
  // Only the convolutional network must be trained as the claim means it: the small dense networks are weak by design.
  const judged = { accuracies: conv.accuracy, evidence: settings };
  const closest = [...dense].sort(
    (a, b) =>
      Math.abs(Math.log(a.parameters / conv.parameters)) - Math.abs(Math.log(b.parameters / conv.parameters)),
  )[0];
  const bySize = [...dense].sort((a, b) => a.parameters - b.parameters);
  const largest = bySize[bySize.length - 1];
  const reaching = conv.accuracy.map((target, seed) => bySize.find((n) => n.accuracy[seed] >= target));
  const unreached = reaching.filter((n) => n === undefined).length;
  const ratios = reaching.map((n) => (n ?? largest).parameters / conv.parameters);
  const fewer = thresholdVerdict({
    ...judged,
    claim: FEWER_PARAMETERS_CLAIM,
    unit: PARAMETERS_MARGINS.parameterRatio.unit,
    margin: settings.margins.parameterRatio,
    measure:
      `parameters of the smallest dense network whose test accuracy reaches ${conv.name}'s (same seed) ÷ ${conv.name}'s ${conv.parameters}` +
      (unreached
        ? `; for ${unreached} seed(s) none did, so the largest (${largest.parameters}) gives a lower bound`
        : ''),
    values: ratios,
    threshold: factor,
    direction: 'above',
  });
  // A lower bound below the factor says nothing against the claim: the dense networks were too small to tell.
  if (unreached && fewer.verdict !== 'supported')
    Object.assign(fewer, {
      verdict: 'inconclusive',
      reason: `${fewer.reason}; but a lower bound cannot say "not supported": the dense sweep stopped too small`,
    });
  return [
    differenceVerdict({
      ...judged,
      claim: SAME_BUDGET_CLAIM,
      measure: `test accuracy, ${conv.name} (${conv.parameters} parameters) − ${closest.name} (${closest.parameters}, ${figure(closest.parameters / conv.parameters)}×)`,
      unit: PARAMETERS_MARGINS.sameBudget.unit,
      margin: settings.margins.sameBudget,
      a: asPoints(conv.accuracy),
      b: asPoints(closest.accuracy),
      direction: 'greater',
    }),
    fewer,
  ];
}

export const parametersClaimJob = defineJob<ParametersParams>({
  kind: 'claim-parameters',
  async run(params, ctx) {
    const network = (name: (first: NeededJob) => string, models: { need: string }[]): Network => {
      const jobs = models.map((m) => ctx.needs[m.need]);
      return { name: name(jobs[0]), parameters: parameterCount(jobs[0]), accuracy: jobs.map(testAccuracyOf) };
    };
    const conv = network(() => params.convolutionName, params.convolution);
    // Named by their widths (`dense 784-16-10`), which say more than the sweep point's position.
    const dense = params.dense.map((g) => network((first) => `dense ${denseWidths(first)}`, g.models));
    const seeds = params.convolution.map((m) => m.seed);
    writeRecordsCsv(
      path.join(ctx.dir, FILES[0]),
      [conv, ...dense].map((n) => ({
        network: n.name,
        parameters: n.parameters,
        ...Object.fromEntries(seeds.map((s, i) => [`test_accuracy seed=${s}`, n.accuracy[i].toFixed(4)])),
        mean: mean(n.accuracy).toFixed(4),
        sd: sampleSd(n.accuracy).toFixed(4),
      })),
    );
    const { writeChart } = require('../../render/chart') as typeof import('../../render/chart');
    await writeChart(
      path.join(ctx.dir, 'figures/accuracy_vs_parameters'),
      chart([conv, ...dense], conv.name),
    );
    const rows = parametersVerdicts(conv, dense, params.factor, params.verdict);
    writeVerdictCsv(path.join(ctx.dir, VERDICT_FILE), rows);
    return { convolutionParameters: conv.parameters, verdicts: rows.map((r) => r.verdict) };
  },
});
