// Random data with no true effect must come out "supported" in at most 5 % of seeded draws for
// each rule (margin 0, the most lenient); with a true effect, most draws must (the rules are not
// merely timid). The observed rates are printed for the record.
import { differenceVerdict, thresholdVerdict, trendVerdict } from '../../src/claims/verdict';
import { mulberry32 } from '../../src/random';

const DRAWS = 1000;
const claim = { claim: 'c', measure: 'm', unit: 'u', margin: 0 };

/** Standard normal draws (Box–Muller) from a seeded generator. */
function normals(seed: number): () => number {
  const random = mulberry32(seed);
  return () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

function supportedRate(draw: (normal: () => number) => string): number {
  const normal = normals(20_261_207);
  let supported = 0;
  for (let i = 0; i < DRAWS; i++) if (draw(normal) === 'supported') supported++;
  return supported / DRAWS;
}

const seeds = <T>(n: number, value: () => T): T[] => Array.from({ length: n }, value);

const RULES: [string, (normal: () => number, effect: number) => string][] = [
  [
    'difference, 3 seeds',
    (normal, effect) =>
      differenceVerdict({
        ...claim,
        a: seeds(3, () => normal() + effect),
        b: seeds(3, normal),
        direction: 'greater',
      }).verdict,
  ],
  [
    'difference, 5 seeds',
    (normal, effect) =>
      differenceVerdict({
        ...claim,
        a: seeds(5, () => normal() + effect),
        b: seeds(5, normal),
        direction: 'greater',
      }).verdict,
  ],
  [
    'threshold, 3 seeds',
    (normal, effect) =>
      thresholdVerdict({
        ...claim,
        values: seeds(3, () => 0.5 + 0.1 * (normal() + effect)),
        threshold: 0.5,
        direction: 'above',
      }).verdict,
  ],
  [
    'trend, 3 seeds × 5 points',
    (normal, effect) =>
      trendVerdict({
        ...claim,
        points: [0, 1, 2, 3, 4],
        values: seeds(3, () => [0, 1, 2, 3, 4].map((i) => normal() + effect * i)),
        direction: 'increasing',
      }).verdict,
  ],
  [
    'trend, 3 seeds × 4 points',
    (normal, effect) =>
      trendVerdict({
        ...claim,
        points: [0, 1, 2, 3],
        values: seeds(3, () => [0, 1, 2, 3].map((i) => normal() + effect * i)),
        direction: 'increasing',
      }).verdict,
  ],
];

const rates: string[] = [];
afterAll(() => console.log(`false "supported" over ${DRAWS} draws each: ${rates.join('; ')}`));

test.each(RULES)('%s: no true effect is supported in at most 5 %% of draws', (name, rule) => {
  const rate = supportedRate((normal) => rule(normal, 0));
  rates.push(`${name} ${(rate * 100).toFixed(1)} %`);
  expect(rate).toBeLessThanOrEqual(0.05);
});

test.each(RULES)('%s: a true effect of 3 sd is supported in most draws', (_name, rule) => {
  expect(supportedRate((normal) => rule(normal, 3))).toBeGreaterThan(0.5);
});
