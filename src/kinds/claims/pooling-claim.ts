// `claim-pooling` (Problem 2(2), "pooling makes the representation approximately invariant to
// small translations"): the shift probe's accuracy-versus-shift curve (whole test set, shifted
// −range..range pixels horizontally and vertically, zero fill) of a network with pooling
// (Figure 1) against the same network with stride-2 convolutions in place of pooling, trained on
// the same seeds. One shift-accuracy-chunk job per model and shift (the shift probe's own job
// kind), then one job for the table, the overlaid curves and the verdict: does the pooling network
// keep more of its unshifted accuracy at shifts of 1..small pixels than the strided one?
import path from 'node:path';
import { z } from 'zod';
import { FieldError } from '../../config-errors';
import type { DataSpec } from '../../data/spec';
import { defineJob, type PlannedJob, defineExperiment } from '../../jobs/kind';
import { probeDataFields, probeSetting } from '../../jobs/probe-setting';
import { shiftAccuracyChunkJob } from '../shift';
import type { BackendName } from '../../models/training-spec';
import { testLabels } from '../../occlusion/test-labels';
import type { ChartSpec } from '../../render/chart';
import { writeRecordsCsv } from '../../render/csv';
import { DASH_LEGEND, LINE_LEGEND } from '../../render/line-legend';
import { asPoints, type VerdictSettings, verdictField } from '../../claims/evidence';
import { seedList, trainedGroups, type TrainedGroup } from './trained-groups';
import { differenceVerdict, mean, VERDICT_FILE, writeVerdictCsv } from '../../claims/verdict';

export const POOLING_CLAIM =
  'P2(2) pooling makes the representation approximately invariant to small translations';

/** Minimum effect that matters: pooling keeps this much more of its unshifted accuracy at small shifts. */
export const POOLING_MARGINS = {
  retention: { default: 0.5, unit: 'percentage points of the unshifted accuracy kept' },
};

const pixels = (what: string, min: number) =>
  z
    .number({ error: `expected ${what}` })
    .int('expected a whole number of pixels')
    .min(min, `expected at least ${min}`);
const trainName = z.string().min(1, 'expected the name of a "train" experiment of this config');

const configSchema = z
  .object({
    pooling: trainName.describe(
      'The network with pooling (a train experiment without a sweep), e.g. Figure 1.',
    ),
    strided: trainName.describe(
      'The same network with stride-2 convolutions in place of pooling, trained on the same seeds.',
    ),
    range: pixels('the largest shift in pixels', 1)
      .default(4)
      .describe(
        'Test accuracy is measured for every shift in −range..range pixels, horizontal and vertical.',
      ),
    small: pixels('the largest "small" shift in pixels', 1)
      .default(2)
      .describe(
        'Shifts of 1..small pixels (either way, either axis) count as small translations for the verdict.',
      ),
    verdict: verdictField(POOLING_MARGINS),
    ...probeDataFields,
  })
  .strict();
type PoolingConfig = z.infer<typeof configSchema>;

export interface PoolingParams {
  range: number;
  small: number;
  verdict: VerdictSettings<keyof typeof POOLING_MARGINS>;
  /** Network name → seeds in order (the needs are named `<network>/seed=<s>/shift=<shift>`). */
  networks: { name: string; seeds: number[] }[];
}

const FILES = [
  'tables/accuracy_vs_shift.csv',
  'figures/accuracy_vs_shift.svg',
  'figures/accuracy_vs_shift.png',
  VERDICT_FILE,
];

function oneGroup(
  ctx: Parameters<typeof trainedGroups>[0],
  field: 'pooling' | 'strided',
  name: string,
): TrainedGroup {
  const groups = trainedGroups(ctx, name);
  if (groups.length !== 1)
    throw new FieldError(
      [field],
      `expected one network, but "${name}" trains ${groups.length}: name a train experiment without a sweep`,
    );
  return groups[0];
}

export const poolingClaimExperiment = defineExperiment<PoolingConfig>({
  kind: 'claim-pooling',
  description: 'Claim P2(2): pooling keeps accuracy under small shifts better than strided convolutions.',
  schema: configSchema,
  references: (config) => [config.pooling, config.strided],
  expand(config, ctx): PlannedJob[] {
    const setting: { data: DataSpec; backend: BackendName } = probeSetting(config, ctx);
    const { labels, rows, cols } = testLabels(setting.data);
    if (config.range > Math.min(rows, cols) - 1)
      throw new FieldError(
        ['range'],
        `expected at most ${Math.min(rows, cols) - 1} pixels (the images are ${rows}×${cols}), got ${config.range}`,
      );
    if (config.small > config.range)
      throw new FieldError(['small'], `expected at most range (${config.range}) pixels, got ${config.small}`);
    const pooling = oneGroup(ctx, 'pooling', config.pooling);
    const strided = oneGroup(ctx, 'strided', config.strided);
    if (seedList(pooling) !== seedList(strided))
      throw new FieldError(
        ['strided'],
        `"${config.strided}" trains seeds ${seedList(strided)}, but "${config.pooling}" trains ${seedList(pooling)}: the comparison pairs them by seed`,
      );
    const jobs: PlannedJob[] = [];
    const needs: Record<string, string> = {};
    for (const [name, group] of [
      ['pooling', pooling],
      ['strided', strided],
    ] as const)
      for (const model of group.models)
        for (let shift = -config.range; shift <= config.range; shift++) {
          const key = `${ctx.prefix}/${name}/seed=${model.seed}/shift=${shift}`;
          needs[`${name}/seed=${model.seed}/shift=${shift}`] = key;
          jobs.push(
            shiftAccuracyChunkJob.plan({
              key,
              params: { ...setting, shift },
              needs: { model: model.key },
              cost: (labels.length * 2) / 20_000,
            }),
          );
        }
    const params: PoolingParams = {
      range: config.range,
      small: config.small,
      verdict: config.verdict,
      networks: [
        { name: 'pooling', seeds: pooling.models.map((m) => m.seed) },
        { name: 'strided', seeds: strided.models.map((m) => m.seed) },
      ],
    };
    jobs.push(poolingClaimJob.plan({ key: `${ctx.prefix}/verdict`, params, needs, cost: 1, publish: FILES }));
    return jobs;
  },
});

export interface ShiftPoint {
  network: string;
  seed: number;
  shift: number;
  horizontal: number;
  vertical: number;
  images: number;
}

/** Accuracy kept at small shifts: the mean over 1 ≤ |shift| ≤ small, both axes, ÷ the unshifted accuracy. */
export function smallShiftRetention(points: readonly ShiftPoint[], small: number): number {
  const at0 = points.find((p) => p.shift === 0);
  if (!at0) throw new Error('claim-pooling: no accuracy at shift 0');
  const shifted = points.filter((p) => p.shift !== 0 && Math.abs(p.shift) <= small);
  return mean(shifted.flatMap((p) => [p.horizontal, p.vertical])) / at0.horizontal;
}

export function poolingChart(points: ShiftPoint[]): ChartSpec {
  const values = points.flatMap((p) => [
    { network: p.network, seed: p.seed, shift: p.shift, direction: 'horizontal', accuracy: p.horizontal },
    { network: p.network, seed: p.seed, shift: p.shift, direction: 'vertical', accuracy: p.vertical },
  ]);
  return {
    title: 'Test accuracy of shifted images: pooling against stride-2 convolutions (mean over seeds)',
    width: 420,
    height: 260,
    data: { values },
    mark: { type: 'line', point: true },
    encoding: {
      x: {
        field: 'shift',
        type: 'quantitative',
        title: 'shift in pixels',
        axis: { format: 'd', tickMinStep: 1 },
      },
      y: {
        aggregate: 'mean',
        field: 'accuracy',
        type: 'quantitative',
        title: 'test accuracy',
        scale: { domain: [0, 1] },
      },
      color: { field: 'network', type: 'nominal', title: 'network', legend: { ...LINE_LEGEND } },
      strokeDash: { field: 'direction', type: 'nominal', title: 'shift', legend: DASH_LEGEND },
    },
  } as ChartSpec;
}

export const poolingClaimJob = defineJob<PoolingParams>({
  kind: 'claim-pooling',
  async run(params, ctx) {
    const points: ShiftPoint[] = params.networks.flatMap(({ name, seeds }) =>
      seeds.flatMap((seed) => {
        const shifts = Array.from({ length: 2 * params.range + 1 }, (_, i) => i - params.range);
        return shifts.map((shift) => {
          const chunk = shiftAccuracyChunkJob.resultOf(ctx.needs[`${name}/seed=${seed}/shift=${shift}`]);
          return {
            network: name,
            seed,
            shift,
            images: chunk.images,
            horizontal: chunk.horizontalCorrect / chunk.images,
            vertical: chunk.verticalCorrect / chunk.images,
          };
        });
      }),
    );
    writeRecordsCsv(
      path.join(ctx.dir, FILES[0]),
      points.map((p) => ({
        network: p.network,
        seed: p.seed,
        shift: p.shift,
        horizontal_accuracy: p.horizontal.toFixed(4),
        vertical_accuracy: p.vertical.toFixed(4),
      })),
    );
    const { writeChart } = require('../../render/chart') as typeof import('../../render/chart');
    await writeChart(path.join(ctx.dir, 'figures/accuracy_vs_shift'), poolingChart(points));
    const retention = (name: string) =>
      params.networks
        .find((n) => n.name === name)!
        .seeds.map((seed) =>
          smallShiftRetention(
            points.filter((p) => p.network === name && p.seed === seed),
            params.small,
          ),
        );
    const rows = [
      differenceVerdict({
        claim: POOLING_CLAIM,
        measure: `share of the unshifted test accuracy kept at shifts of 1–${params.small} px (both axes), pooling − stride-2 convolutions`,
        unit: POOLING_MARGINS.retention.unit,
        margin: params.verdict.margins.retention,
        accuracies: points.filter((p) => p.shift === 0).map((p) => p.horizontal),
        images: points[0]?.images,
        evidence: params.verdict,
        a: asPoints(retention('pooling')),
        b: asPoints(retention('strided')),
        direction: 'greater',
      }),
    ];
    writeVerdictCsv(path.join(ctx.dir, VERDICT_FILE), rows);
    return {
      verdicts: rows.map((r) => r.verdict),
      retention: { pooling: retention('pooling'), strided: retention('strided') },
    };
  },
});
