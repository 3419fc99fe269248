// A config whose tables move when its seeds change (for `diff` and the nightly script): `spin`
// runs a selftest job per seed; `sum` (seed 0) needs all of them and tables their total.
export const seedSweep = (seeds: number[]) => ({
  name: 'nightly',
  defaults: { seeds },
  experiments: [
    { name: 'spin', kind: 'selftest' },
    { name: 'sum', kind: 'selftest', from: 'spin', seeds: [0] },
  ],
});
