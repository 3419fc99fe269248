// Turns zod issues into plain messages: "expected a positive integer, got "8px"".
// What was expected is read from the JSON Schema of the schema at the issue's path, so every
// schema (ours and each experiment kind's) gets the same wording without extra annotations.
import { z } from 'zod';
import { didYouMean } from '../suggest';
import { showValue, type ConfigProblem } from '../config-errors';

// biome-ignore lint/suspicious/noExplicitAny: a JSON Schema is walked by key, any shape goes
export type JsonSchema = { [key: string]: any };

const jsonSchemas = new WeakMap<z.ZodType, JsonSchema>();

/** The JSON Schema a config author writes against (input side: defaults make fields optional). */
export function inputJsonSchema(schema: z.ZodType): JsonSchema {
  let json = jsonSchemas.get(schema);
  if (!json) {
    json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
    jsonSchemas.set(schema, json);
  }
  return json;
}

function resolveRef(schema: JsonSchema, root: JsonSchema): JsonSchema {
  const ref = schema.$ref;
  if (typeof ref !== 'string' || !ref.startsWith('#/')) return schema;
  // biome-ignore lint/suspicious/noExplicitAny: follows a $ref path through untyped JSON
  let target: any = root;
  for (const part of ref.slice(2).split('/')) target = target?.[part];
  return target ?? schema;
}

/** The part of a JSON Schema that describes the value at `path`, or undefined when unknown. */
export function schemaAt(
  root: JsonSchema,
  path: readonly PropertyKey[],
  node: JsonSchema = root,
): JsonSchema | undefined {
  const schema = resolveRef(node, root);
  if (path.length === 0) return schema;
  const branches = schema.anyOf ?? schema.oneOf ?? schema.allOf;
  if (Array.isArray(branches)) {
    for (const branch of branches) {
      const found = schemaAt(root, path, branch);
      if (found) return found;
    }
    return undefined;
  }
  const [head, ...rest] = path;
  let child: JsonSchema | undefined;
  if (typeof head === 'number') child = schema.prefixItems?.[head] ?? schema.items;
  else if (typeof head === 'string') {
    child = schema.properties?.[head];
    if (!child && schema.additionalProperties && typeof schema.additionalProperties === 'object')
      child = schema.additionalProperties;
  }
  return child && typeof child === 'object' ? schemaAt(root, rest, child) : undefined;
}

const SAFE = Number.MAX_SAFE_INTEGER;

function describeNumber(schema: JsonSchema, integer: boolean): string {
  const noun = integer ? 'integer' : 'number';
  const { minimum, exclusiveMinimum, maximum, exclusiveMaximum } = schema;
  const hasUpper = (maximum !== undefined && Math.abs(maximum) !== SAFE) || exclusiveMaximum !== undefined;
  const hasLower = (minimum !== undefined && Math.abs(minimum) !== SAFE) || exclusiveMinimum !== undefined;
  if (!hasUpper && exclusiveMinimum === 0) return `a positive ${noun}`;
  if (!hasUpper && minimum === 0) return `a non-negative ${noun}`;
  const bounds: string[] = [];
  if (hasLower) bounds.push(exclusiveMinimum !== undefined ? `> ${exclusiveMinimum}` : `≥ ${minimum}`);
  if (hasUpper) bounds.push(exclusiveMaximum !== undefined ? `< ${exclusiveMaximum}` : `≤ ${maximum}`);
  return `${integer ? 'an' : 'a'} ${noun}${bounds.length ? ` ${bounds.join(' and ')}` : ''}`;
}

/** "a positive integer", "one of "wasm", "cpu"", "a non-empty list", ... */
export function describeSchema(
  schema: JsonSchema | undefined,
  root: JsonSchema = schema ?? {},
): string | undefined {
  if (!schema) return undefined;
  schema = resolveRef(schema, root);
  const branches = schema.anyOf ?? schema.oneOf;
  if (Array.isArray(branches)) {
    const parts = [...new Set(branches.map((b: JsonSchema) => describeSchema(b, root)).filter(Boolean))];
    return parts.length ? parts.join(' or ') : undefined;
  }
  if ('const' in schema) return JSON.stringify(schema.const);
  if (Array.isArray(schema.enum)) {
    const values = schema.enum.map((v: unknown) => JSON.stringify(v));
    return values.length === 1 ? values[0] : `one of ${values.join(', ')}`;
  }
  const types: string[] = Array.isArray(schema.type) ? schema.type : schema.type ? [schema.type] : [];
  const described = types.map((type) => {
    switch (type) {
      case 'integer':
        return describeNumber(schema!, true);
      case 'number':
        return describeNumber(schema!, false);
      case 'string':
        return schema!.minLength >= 1 ? 'a non-empty string' : 'a string';
      case 'boolean':
        return 'true or false';
      case 'array':
        return schema!.minItems >= 1 ? 'a non-empty list' : 'a list';
      case 'object': {
        const fields = Object.keys(schema!.properties ?? {});
        return fields.length ? `an object with fields ${fields.join(', ')}` : 'an object';
      }
      case 'null':
        return 'null';
      default:
        return type;
    }
  });
  return described.length ? described.join(' or ') : undefined;
}

type Issue = z.core.$ZodIssue;

/**
 * Problems for one zod issue. `schemaPath` is where the issue sits in the validated value;
 * `displayPath` turns such a path into the path the author sees in the config file.
 */
export function issueProblems(
  issue: Issue,
  root: JsonSchema,
  displayPath: (path: PropertyKey[]) => string,
  base: PropertyKey[] = [],
): ConfigProblem[] {
  const path = [...base, ...issue.path];
  const here = schemaAt(root, path);
  const expected = describeSchema(here, root);
  const input = (issue as { input?: unknown }).input;
  const got = `got ${showValue(input)}`;
  switch (issue.code) {
    case 'invalid_type':
      return [
        {
          path: displayPath(path),
          message: `expected ${expected ?? (issue.expected === 'object' ? 'an object' : issue.expected)}, ${got}`,
        },
      ];
    case 'too_small':
    case 'too_big':
    case 'not_multiple_of':
    case 'invalid_value':
      return [
        {
          path: displayPath(path),
          message: expected ? `expected ${expected}, ${got}` : `${lowerFirst(issue.message)}, ${got}`,
        },
      ];
    case 'invalid_format':
      return [{ path: displayPath(path), message: `${lowerFirst(issue.message)}, ${got}` }];
    case 'unrecognized_keys': {
      const known = Object.keys(here?.properties ?? {});
      const hint = known.length ? ` (expected one of: ${known.join(', ')})` : '';
      return issue.keys.map((key) => ({
        path: displayPath([...path, key]),
        message: `unknown field${didYouMean(key, known) || hint}`,
      }));
    }
    case 'invalid_union': {
      const discriminator = (issue as { discriminator?: string }).discriminator;
      if (discriminator) return [discriminatorProblem(discriminator, path, input, root, displayPath)];
      // A branch whose problems all lie below this value matched its shape: report those.
      const deep = issue.errors.filter(
        (errors) => errors.length > 0 && errors.every((e) => e.path.length > 0),
      );
      if (deep.length) {
        const best = deep.reduce((a, b) => (b.length < a.length ? b : a));
        return best.flatMap((inner) => issueProblems(inner, root, displayPath, path));
      }
      return [{ path: displayPath(path), message: `expected ${expected ?? 'another value'}, ${got}` }];
    }
    default:
      return [{ path: displayPath(path), message: issue.message }];
  }
}

/** A tagged union given an unknown tag: `layers[0].type: expected one of "conv2d", ..., got "conv3d"`. */
function discriminatorProblem(
  discriminator: string,
  path: PropertyKey[],
  input: unknown,
  root: JsonSchema,
  displayPath: (path: PropertyKey[]) => string,
): ConfigProblem {
  const atTag = path.at(-1) === discriminator ? path : [...path, discriminator];
  const union = resolveRef(schemaAt(root, atTag.slice(0, -1)) ?? {}, root);
  const tags = ((union.oneOf ?? union.anyOf ?? []) as JsonSchema[])
    .map((branch) => resolveRef(branch, root).properties?.[discriminator]?.const)
    .filter((tag) => tag !== undefined)
    .map((tag) => JSON.stringify(tag));
  const given =
    input !== null && typeof input === 'object' ? (input as Record<string, unknown>)[discriminator] : input;
  return {
    path: displayPath(atTag),
    message: `expected ${tags.length ? `one of ${tags.join(', ')}` : 'another value'}, got ${showValue(given)}`,
  };
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}
