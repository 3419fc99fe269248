// schema/config.schema.json is generated from the zod schemas; the committed copy must match.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { configJsonSchema, configJsonSchemaText } from '../../src/config/json-schema';
import { experimentKinds } from '../../src/jobs/registry';

test('schema/config.schema.json is up to date (else run `npm run schema`)', () => {
  const committed = readFileSync(path.join(__dirname, '..', '..', 'schema', 'config.schema.json'), 'utf8');
  expect(committed).toBe(configJsonSchemaText(experimentKinds));
});

test('the JSON Schema lists every kind and describes its fields', () => {
  const schema = configJsonSchema(experimentKinds);
  const items = schema.properties.experiments.items;
  expect(items.properties.kind.enum).toEqual(experimentKinds.map((k) => k.kind));
  const selftest = items.allOf.find((v: any) => v.if.properties.kind.const === 'selftest').then;
  expect(selftest.required).toEqual(['name', 'kind']);
  expect(selftest.additionalProperties).toBe(false);
  expect(selftest.properties.jobs).toMatchObject({ type: 'integer', exclusiveMinimum: 0, default: 1 });
  expect(schema.properties.defaults.properties.seeds).toMatchObject({ type: 'array', minItems: 1 });
});
