// The config's JSON Schema (schema/config.schema.json), so editors validate and complete a config
// that names it in "$schema". Generated from the same zod schemas the runner validates with;
// `npm run schema` rewrites the file and a test checks the committed copy is up to date.
import { inputJsonSchema, type JsonSchema } from './describe';
import { configFileSchema } from './schema';
import type { ConfigKind } from './validate';

export function configJsonSchema(kinds: readonly ConfigKind[]): JsonSchema {
  const root = structuredClone(inputJsonSchema(configFileSchema));
  const defs: Record<string, JsonSchema> = {};
  const header = root.properties.experiments.items as JsonSchema;
  const variants = kinds.map((kind) => {
    const own = hoistDefs(structuredClone(inputJsonSchema(kind.schema)), kind.kind, defs);
    delete own.$schema;
    const identity = {
      name: header.properties.name,
      kind: { const: kind.kind },
      sweep: header.properties.sweep,
    };
    const then =
      own.type === 'object'
        ? {
            ...own,
            properties: { ...identity, ...own.properties },
            required: ['name', 'kind', ...(own.required ?? [])],
          }
        : { allOf: [{ properties: identity }, own] };
    return { if: { properties: { kind: { const: kind.kind } }, required: ['kind'] }, then };
  });
  root.properties.experiments.items = {
    type: 'object',
    properties: { ...header.properties, kind: { ...header.properties.kind, enum: kinds.map((k) => k.kind) } },
    required: ['name', 'kind'],
    allOf: variants,
  };
  if (Object.keys(defs).length) root.$defs = { ...(root.$defs ?? {}), ...defs };
  return { $schema: root.$schema, title: 'probelab config', ...root };
}

/** Moves a kind's own $defs to the document root under `<kind>.<name>`, rewriting its references. */
function hoistDefs(schema: JsonSchema, prefix: string, into: Record<string, JsonSchema>): JsonSchema {
  const local = schema.$defs as Record<string, JsonSchema> | undefined;
  delete schema.$defs;
  const rewrite = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(rewrite);
    if (node === null || typeof node !== 'object') return node;
    const out: JsonSchema = {};
    for (const [key, value] of Object.entries(node)) {
      out[key] =
        key === '$ref' && typeof value === 'string' && value.startsWith('#/$defs/')
          ? `#/$defs/${prefix}.${value.slice(8)}`
          : rewrite(value);
    }
    return out;
  };
  for (const [name, def] of Object.entries(local ?? {}))
    into[`${prefix}.${name}`] = rewrite(def) as JsonSchema;
  return rewrite(schema) as JsonSchema;
}

export function configJsonSchemaText(kinds: readonly ConfigKind[]): string {
  return `${JSON.stringify(configJsonSchema(kinds), null, 2)}\n`;
}
