// `npm run schema`: writes schema/config.schema.json from the registered experiment kinds.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { experimentKinds } from '../jobs/registry';
import { configJsonSchemaText } from '../config/json-schema';

export const SCHEMA_FILE = path.join('schema', 'config.schema.json');

if (require.main === module) {
  // Run from the package root (npm scripts always are).
  writeFileSync(path.resolve(SCHEMA_FILE), configJsonSchemaText(experimentKinds));
  process.stdout.write(`wrote ${SCHEMA_FILE}\n`);
}
