// `npm run docs:results -- <run folder>...`: writes docs/results.md from run folders' tables
// (default outputs/all, the run of configs/all.json; the docs are made from the runs of
// configs/all.json, configs/claims.json and configs/attribution.json). Run from the package root, as npm scripts are.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { UserError } from '../errors';
import { resultsMarkdown } from './results-doc';

export const RESULTS_FILE = path.join('docs', 'results.md');

if (require.main === module) {
  const runDirs = process.argv.length > 2 ? process.argv.slice(2) : [path.join('outputs', 'all')];
  try {
    writeFileSync(path.resolve(RESULTS_FILE), resultsMarkdown(runDirs));
    process.stdout.write(`wrote ${RESULTS_FILE} from ${runDirs.join(', ')}\n`);
  } catch (error) {
    if (!(error instanceof UserError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exitCode = error.exitCode;
  }
}
