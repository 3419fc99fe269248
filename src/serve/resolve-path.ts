// Which file of the run folder a request names, or why it names none. The URL's path is decoded
// once (a `%2e%2e` is `..`; a `%252e` stays the four characters `%2e`), must not climb out of the
// folder, and must not reach outside it through a symbolic link either.
import { realpathSync, statSync } from 'node:fs';
import path from 'node:path';

export type Resolved = { file: string } | { refused: 400 | 403 | 404; reason: string };

function isInside(root: string, file: string): boolean {
  const relative = path.relative(root, file);
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
}

/** `urlPath`: the request's path without its query, as it came (`/tables/a%20b.csv`). */
export function resolveInFolder(root: string, urlPath: string): Resolved {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return { refused: 400, reason: 'the path is not valid percent-encoding' };
  }
  if (decoded.includes('\0') || decoded.includes('\\'))
    return { refused: 400, reason: 'the path holds a character no run folder file has' };
  if (decoded.split('/').includes('..')) return { refused: 403, reason: 'the path leaves the run folder' };
  const file = path.join(root, ...decoded.split('/').filter(Boolean));
  if (!isInside(root, file)) return { refused: 403, reason: 'the path leaves the run folder' };
  let real: string;
  try {
    real = realpathSync(file);
  } catch {
    return { refused: 404, reason: 'no such file in the run folder' };
  }
  if (!isInside(realpathSync(root), real))
    return { refused: 403, reason: 'the path leads out of the run folder' };
  if (!statSync(real).isFile()) return { refused: 404, reason: 'not a file' };
  return { file: real };
}
