// The package's root folder (where package.json is), found from this file whether it runs from
// src/ (tests) or dist/: for the compiled worker, and for scripts the package ships.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

export function packageRoot(): string {
  let dir = __dirname;
  while (!existsSync(path.join(dir, 'package.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`cannot find the package root above ${__dirname}`);
    dir = parent;
  }
  return dir;
}

/** probelab's version, from its package.json. */
export function packageVersion(): string {
  return (JSON.parse(readFileSync(path.join(packageRoot(), 'package.json'), 'utf8')) as { version: string })
    .version;
}
