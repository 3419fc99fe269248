// What the probe experiments (filters, feature-maps, shift, curves) share: the data and backend
// they run with, choosing test images by label or index when the experiment is planned, and the
// folder name of one probed model.
import { z } from 'zod';
import { dataSpecSchema, type DataSpec } from '../data/spec';
import { backendSchema, type BackendName } from '../models/training-spec';
import type { ExpandContext } from './kind';

export const probeDataFields = {
  data: dataSpecSchema
    .optional()
    .describe("Data set to take test images from (default: the config's defaults.data)."),
  backend: backendSchema.optional().describe("tfjs backend (default: the config's defaults.backend)."),
};

export interface ProbeSetting {
  data: DataSpec;
  backend: BackendName;
}

export function probeSetting(
  config: { data?: DataSpec; backend?: BackendName },
  ctx: ExpandContext,
): ProbeSetting {
  return { data: config.data ?? ctx.defaults.data, backend: config.backend ?? ctx.defaults.backend };
}

export const digitField = z
  .number({ error: 'expected a digit 0..9' })
  .int('expected a digit 0..9')
  .min(0, 'expected a digit 0..9')
  .max(9, 'expected a digit 0..9');
export const testIndexField = z
  .number({ error: 'expected a test image index' })
  .int('expected a whole test image index')
  .nonnegative('expected a test image index ≥ 0');

export interface ChosenImage {
  index: number;
  label: number;
}

/**
 * Test images (given the test labels: planning reads only those, via occlusion/test-labels) by index (checked against the test set) or, failing that, the first test image of
 * each digit. `fields` names the config fields for messages, e.g. `{ index: 'images[]', digit: 'digits[]' }`.
 */
export function chooseImages(
  labels: Uint8Array,
  byIndex: number[] | undefined,
  byDigit: number[],
  where: string,
  fields: { index: string; digit: string },
): ChosenImage[] {
  // A list field is named with `[]`, which becomes the entry's index: `images[]` → `images[2]`.
  const field = (name: string, i: number) => name.replace(/\[\]$/, `[${i}]`);
  if (byIndex) {
    return byIndex.map((index, i) => {
      if (index >= labels.length)
        throw new Error(
          `${where}: ${field(fields.index, i)}: test image ${index} does not exist (the test set has ${labels.length} images, 0..${labels.length - 1})`,
        );
      return { index, label: labels[index] };
    });
  }
  return byDigit.map((digit, i) => {
    const index = labels.indexOf(digit);
    if (index < 0)
      throw new Error(
        `${where}: ${field(fields.digit, i)}: no test image has label ${digit} (test set of ${labels.length} images)`,
      );
    return { index, label: digit };
  });
}

/** A model label as one path segment: `lr=0.001,seed=1` → `lr=0.001_seed=1`. */
export function labelSegment(label: string): string {
  return label.replace(/[\\/:*?"<>|,\s]+/g, '_');
}
