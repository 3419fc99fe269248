// The order in which deletion and insertion curves remove or add pixels: the attribution's, most
// important first, or a seeded random one (the baseline every method must beat).
import { deriveSeed, mulberry32 } from '../../random';

/**
 * Pixel indices by attribution, highest first (signed: a pixel that speaks against the target
 * comes last). Ties keep pixel order, so the same map always gives the same order.
 */
export function attributionOrder(map: ArrayLike<number>): Uint32Array {
  const order = Uint32Array.from({ length: map.length }, (_, i) => i);
  // Array.prototype.sort is stable; NaN (never expected) sorts last.
  return order.sort((a, b) => {
    const [x, y] = [map[a], map[b]];
    if (x === y) return a - b;
    if (Number.isNaN(x)) return 1;
    if (Number.isNaN(y)) return -1;
    return y - x;
  });
}

/**
 * The `random` method's map of one image: uniform noise drawn from the experiment's seed and the
 * image's test index, so it is the same whatever job, chunk or model draws it (and, being blind to
 * the weights, it must fail the sanity check).
 */
export function randomMap(pixels: number, seed: number, index: number): Float32Array {
  const random = mulberry32(deriveSeed(seed, `random-attribution/${index}`));
  return Float32Array.from({ length: pixels }, () => random());
}
