// One text per JSON value, whatever the key order: the basis of content ids.

/** JSON with object keys sorted at every level; throws on values JSON cannot hold exactly. */
export function canonicalJson(value: unknown): string {
  return write(value, []);
}

/** `path`: keys and indexes down to `value`, turned into text only for an error (planning writes thousands of these). */
function write(value: unknown, path: (string | number)[]): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false';
    case 'string':
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError(`${where(path)}: ${value} is not a finite number`);
      return JSON.stringify(value);
    case 'object': {
      const parts: string[] = [];
      if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) {
          path.push(i);
          parts.push(write(value[i], path));
          path.pop();
        }
        return `[${parts.join(',')}]`;
      }
      const proto = Object.getPrototypeOf(value);
      if (proto !== Object.prototype && proto !== null)
        throw new TypeError(
          `${where(path)}: a ${proto?.constructor?.name ?? 'non-plain'} object is not JSON`,
        );
      const record = value as Record<string, unknown>;
      for (const key of Object.keys(record).sort()) {
        if (record[key] === undefined) continue;
        path.push(key);
        parts.push(`${JSON.stringify(key)}:${write(record[key], path)}`);
        path.pop();
      }
      return `{${parts.join(',')}}`;
    }
    default:
      throw new TypeError(`${where(path)}: a ${typeof value} is not JSON`);
  }
}

function where(path: (string | number)[]): string {
  return `$${path.map((part) => (typeof part === 'number' ? `[${part}]` : `.${part}`)).join('')}`;
}
