// `npm run bench`: runs every benchmark listed here but `calibrate` (or those named:
// `node dist/bench/index.js runner`);
// each prints its own table of medians. Add one line per bench module. Arguments after `--` go to
// the benches named (`node dist/bench/index.js report -- outputs/all`).
interface Bench {
  name: string;
  run(args: string[]): Promise<unknown>;
  /** Runs only when named (it writes a file of the project's). */
  onlyWhenNamed?: boolean;
}

// Loaded lazily, so that naming one bench does not load the others' modules (tfjs, data).
const benches: Bench[] = [
  { name: 'versus', run: () => (require('./versus') as typeof import('./versus')).benchVersus() },
  { name: 'shapes', run: () => (require('./shapes') as typeof import('./shapes')).benchShapes() },
  { name: 'runner', run: () => (require('./runner') as typeof import('./runner')).benchRunner() },
  { name: 'train', run: () => (require('./train') as typeof import('./train')).benchTrain() },
  {
    name: 'train-overhead',
    run: () => (require('./train') as typeof import('./train')).benchTrainingOverhead(),
  },
  { name: 'occlusion', run: () => (require('./occlusion') as typeof import('./occlusion')).benchOcclusion() },
  { name: 'profile', run: () => (require('./profile') as typeof import('./profile')).benchProfile() },
  {
    name: 'attribution',
    run: () => (require('./attribution') as typeof import('./attribution')).benchAttribution(),
  },
  { name: 'onnx', run: () => (require('./onnx') as typeof import('./onnx')).benchOnnx() },
  { name: 'visuals', run: () => (require('./visuals') as typeof import('./visuals')).benchVisuals() },
  // Writes src/plan/cost-calibration.json: run it on an idle machine of the kind the runs use.
  {
    name: 'calibrate',
    run: (args) =>
      (require('./calibrate') as typeof import('./calibrate')).benchCalibrate(args.length ? args : undefined),
    onlyWhenNamed: true,
  },
  { name: 'report', run: (args) => (require('./report') as typeof import('./report')).benchReport(args) },
];

async function main(): Promise<void> {
  const given = process.argv.slice(2);
  const split = given.indexOf('--');
  const wanted = split < 0 ? given : given.slice(0, split);
  const args = split < 0 ? [] : given.slice(split + 1);
  const unknown = wanted.filter((name) => !benches.some((b) => b.name === name));
  if (unknown.length) {
    process.stderr.write(
      `unknown bench ${unknown.join(', ')}; known: ${benches.map((b) => b.name).join(', ')}\n`,
    );
    process.exit(2);
  }
  for (const bench of benches)
    if (wanted.includes(bench.name) || (wanted.length === 0 && !bench.onlyWhenNamed)) await bench.run(args);
}

void main();
