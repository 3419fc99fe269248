// The code that computes a job kind, as one digest that is part of every job id of the kind: a
// change anywhere in it (the kind's module, a kernel it calls, a renderer, a dependency's version)
// reruns exactly the kinds that use it, as Nextflow hashes a task's script.
//
// The graph is read from the built JavaScript the workers run (dist/src/kinds/<module>.js), also
// under ts-jest, so a run planned in a test and one planned by the CLI give the same ids. It
// follows every require() in the text, the lazy ones inside run() included (they load the heavy
// computation); type-only imports are gone from the JS, so they change nothing. Outside files:
// a package counts by its name and installed version, a `.wasm` file a module names (the SIMD
// kernels) by its bytes. Node's own modules do not count.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { packageRoot } from '../package-root';

const REQUIRE = /\brequire\(\s*["']([^"']+)["']\s*\)/g;
const WASM_NAME = /["']([\w.-]+\.wasm)["']/g;

/** The built module of a kind: dist/src/kinds/<module>.js. */
export function builtKindFile(module: string, root = packageRoot()): string {
  const file = path.join(root, 'dist', 'src', 'kinds', `${module}.js`);
  if (!existsSync(file))
    throw new Error(`${file} does not exist: run \`npm run build\` (job ids digest the built code)`);
  return file;
}

/** A required package's name: `@scope/name/sub` → `@scope/name`, `name/sub` → `name`. */
function packageName(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

function installedVersion(name: string, root: string): string {
  const file = path.join(root, 'node_modules', name, 'package.json');
  if (!existsSync(file)) return 'absent';
  return (JSON.parse(readFileSync(file, 'utf8')) as { version?: string }).version ?? 'unknown';
}

/**
 * Every file and package the module `entry` reaches, as sorted lines: `<path from the package
 * root> <sha256 of its bytes>` for files, `package <name>@<version>` for packages.
 */
export function codeGraph(entry: string, root = packageRoot()): string[] {
  const lines = new Set<string>();
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    const bytes = readFileSync(file);
    lines.add(`${path.relative(root, file).split(path.sep).join('/')} ${sha256(bytes)}`);
    const text = bytes.toString('utf8');
    for (const [, specifier] of text.matchAll(REQUIRE)) {
      if (specifier.startsWith('node:') || !specifier.startsWith('.')) {
        if (!specifier.startsWith('node:') && !isBuiltin(specifier))
          lines.add(`package ${packageName(specifier)}@${installedVersion(packageName(specifier), root)}`);
        continue;
      }
      const target = path.resolve(path.dirname(file), specifier);
      const resolved = [`${target}.js`, target, path.join(target, 'index.js')].find(
        (f) => existsSync(f) && f.endsWith('.js'),
      );
      if (resolved) visit(resolved);
    }
    for (const [, name] of text.matchAll(WASM_NAME)) {
      const asset = path.join(root, 'dist', 'assembly', name);
      if (existsSync(asset)) lines.add(`dist/assembly/${name} ${sha256(readFileSync(asset))}`);
    }
  };
  visit(entry);
  return [...lines].sort();
}

const BUILTINS = new Set(require('node:module').builtinModules as string[]);
const isBuiltin = (specifier: string) => BUILTINS.has(specifier.split('/')[0]);

const sha256 = (bytes: Buffer | string) => createHash('sha256').update(bytes).digest('hex');

const digests = new Map<string, string>();

/** The digest (16 hex digits) of the code of the kind module `module` (relative to src/kinds). */
export function kindCodeDigest(module: string): string {
  let digest = digests.get(module);
  if (digest === undefined) {
    digest = sha256(codeGraph(builtKindFile(module)).join('\n')).slice(0, 16);
    digests.set(module, digest);
  }
  return digest;
}
