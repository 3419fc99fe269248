// How far apart two gradients are, element by element.
//
// |a − b| / max(|a|, |b|, floor): a plain relative error while the values are larger than `floor`,
// and |a − b| / floor below it. A pure relative error would be meaningless for elements that are
// zero or nearly so (vanishing gradients, unused inputs): there any check's own noise is large
// relative to the value. The floor is each check's noise level divided by its tolerance, so an
// element passes when it agrees to the tolerance relatively or is below what the check resolves.
export function relativeError(a: number, b: number, floor: number): number {
  const difference = Math.abs(a - b);
  if (difference === 0) return 0;
  return difference / Math.max(Math.abs(a), Math.abs(b), floor);
}

/**
 * |approximate − truth| / |truth|: how far an approximation departs, relative to the truth (null
 * when the truth is 0 and the approximation is not). Used to report, never to check.
 */
export function departure(approximate: number, truth: number): number | null {
  if (approximate === truth) return 0;
  return truth === 0 ? null : Math.abs(approximate - truth) / Math.abs(truth);
}
