// `npm run docs:results -- <run folder>`: writes docs/results.md from a run folder's tables
// (default outputs/all, the run of configs/all.json). Run from the package root, as npm scripts are.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { UserError } from '../errors';
import { resultsMarkdown } from './results-doc';

export const RESULTS_FILE = path.join('docs', 'results.md');

if (require.main === module) {
  const runDir = process.argv[2] ?? path.join('outputs', 'all');
  try {
    writeFileSync(path.resolve(RESULTS_FILE), resultsMarkdown(runDir));
    process.stdout.write(`wrote ${RESULTS_FILE} from ${runDir}\n`);
  } catch (error) {
    if (!(error instanceof UserError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exitCode = error.exitCode;
  }
}
