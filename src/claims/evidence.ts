// How much evidence a verdict needs, and the config field that sets it. Every claim kind takes
// an optional `verdict` object: the least number of seeds and sweep points, the accuracy its
// models must reach, and the minimum effect that matters for each of its verdicts (`margins`,
// named per kind, each with its default and unit in the schema's description).
import { z } from 'zod';

export interface EvidenceSettings {
  /** Fewest seeds a verdict rests on (3 at least: a t-interval from 2 seeds is 12.7 sd wide). */
  minSeeds: number;
  /** Fewest sweep points a trend rests on (with 2 or 3, ρ = ±1 by chance half or a third of the time). */
  minPoints: number;
  /** Least test accuracy of every model a claim is measured on; 0 turns the check off. */
  accuracyFloor: number;
}

/**
 * 0.86: 90 % of Figure 1's test accuracy on full MNIST (95.5 %, the mean of seeds 1–3 at
 * 12 epochs). A model below it is not the trained network the claim is about.
 */
export const DEFAULT_ACCURACY_FLOOR = 0.86;

export const DEFAULT_EVIDENCE: EvidenceSettings = {
  minSeeds: 3,
  minPoints: 4,
  accuracyFloor: DEFAULT_ACCURACY_FLOOR,
};

/** The config's `verdict` field for a kind whose verdicts have these margins (name → default and unit). */
export function verdictField<K extends string>(margins: Record<K, { default: number; unit: string }>) {
  const marginFields = Object.fromEntries(
    Object.entries<{ default: number; unit: string }>(margins).map(([name, m]) => [
      name,
      z
        .number()
        .nonnegative()
        .default(m.default)
        .describe(`Minimum effect that matters for this verdict, in ${m.unit} (default ${m.default}).`),
    ]),
  ) as Record<K, z.ZodDefault<z.ZodNumber>>;
  return z
    .object({
      minSeeds: z
        .number()
        .int()
        .min(3)
        .default(DEFAULT_EVIDENCE.minSeeds)
        .describe('Fewest seeds a verdict rests on (at least 3); fewer give "insufficient evidence".'),
      minPoints: z
        .number()
        .int()
        .min(4)
        .default(DEFAULT_EVIDENCE.minPoints)
        .describe('Fewest sweep points a trend rests on (at least 4).'),
      accuracyFloor: z
        .number()
        .min(0)
        .max(1)
        .default(DEFAULT_ACCURACY_FLOOR)
        .describe(
          'Least test accuracy (0..1) of every model measured; below it the verdict is inconclusive (models undertrained). Default: 90 % of Figure 1 on full MNIST.',
        ),
      margins: z
        .object(marginFields)
        .strict()
        .prefault({} as never),
    })
    .strict()
    .prefault({})
    .describe('How much evidence each verdict needs, and the minimum effect that matters for each.');
}

/** A kind's verdict settings as its job receives them (plain JSON in its params). */
export type VerdictSettings<K extends string = string> = EvidenceSettings & { margins: Record<K, number> };

/** The settings a kind's verdicts get when its config says nothing (its margins' defaults). */
export function defaultVerdictSettings<K extends string>(
  margins: Record<K, { default: number; unit: string }>,
): VerdictSettings<K> {
  return verdictField(margins).parse(undefined) as VerdictSettings<K>;
}

/** The test accuracies of the needed models' results that have one (train jobs' `testAccuracy`). */
export function testAccuracies(results: readonly unknown[]): number[] {
  return results.flatMap((r) => {
    const accuracy = (r as { testAccuracy?: unknown } | null)?.testAccuracy;
    return typeof accuracy === 'number' ? [accuracy] : [];
  });
}

/** Fractions 0..1 as percentage points (accuracies, shares), for effects stated in points. */
export const asPoints = (values: readonly number[]): number[] => values.map((v) => v * 100);
