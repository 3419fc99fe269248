// Which test images an occlusion experiment probes: explicit indices, the first image of given
// labels, the first N, N per class (seeded draw), or all of them. Resolved when the experiment is
// planned, so each job names concrete indices.
import { subsetIndices } from '../data/datasets';

export type ImageSelection =
  | 'all'
  | number[]
  | { firstOfLabel: number | number[] }
  | { first: number }
  | { perClass: number; seed: number };

/** Test indices in the order asked for; throws a message naming `images` when the selection cannot be met. */
export function selectImages(selection: ImageSelection, labels: Uint8Array): number[] {
  const count = labels.length;
  if (selection === 'all') return Array.from({ length: count }, (_, i) => i);
  if (Array.isArray(selection)) {
    selection.forEach((index, i) => {
      if (index >= count)
        throw new Error(
          `images[${i}]: test index ${index} is out of range (the test set has ${count} images, 0..${count - 1})`,
        );
    });
    return [...new Set(selection)];
  }
  if ('firstOfLabel' in selection) {
    const wanted = Array.isArray(selection.firstOfLabel) ? selection.firstOfLabel : [selection.firstOfLabel];
    return [...new Set(wanted)].map((label) => {
      const index = labels.indexOf(label);
      if (index < 0) throw new Error(`images.firstOfLabel: no test image has label ${label}`);
      return index;
    });
  }
  if ('first' in selection) return subsetIndices(labels, { first: selection.first });
  return subsetIndices(labels, { perClass: selection.perClass, seed: selection.seed });
}
