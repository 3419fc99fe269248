// The layout's rule, kept by the import graph (madge, type imports and lazy require() included):
// no file imports itself round a cycle, no folder of src/ does, and the layers point one way:
// commands → runner → plan → config; kinds → jobs and domain folders; nothing below imports a kind.
import path from 'node:path';
import madge from 'madge';

const ROOT = path.join(__dirname, '..');

/** src/<folder>, or the file itself for a file directly in src/ (or workers/). */
const folderOf = (file: string) => {
  const parts = file.split('/');
  return parts.length > 2 ? parts.slice(0, 2).join('/') : file;
};

let graph: Record<string, string[]>;
let cycles: string[][];

beforeAll(async () => {
  const result = await madge(['src', 'workers'], {
    baseDir: ROOT,
    fileExtensions: ['ts'],
    tsConfig: path.join(ROOT, 'tsconfig.json'),
    detectiveOptions: { ts: { skipTypeImports: false, mixedImports: true } },
  });
  graph = result.obj();
  cycles = result.circular();
});

/** Folder → the folders its files import, each with one file import that shows it. */
function folderEdges(): Map<string, Map<string, string>> {
  const edges = new Map<string, Map<string, string>>();
  for (const [file, imports] of Object.entries(graph))
    for (const imported of imports) {
      const from = folderOf(file);
      const to = folderOf(imported);
      if (from === to) continue;
      if (!edges.has(from)) edges.set(from, new Map());
      if (!edges.get(from)!.has(to)) edges.get(from)!.set(to, `${file} → ${imported}`);
    }
  return edges;
}

/** Strongly connected groups of more than one folder (Tarjan), each listed with the imports that join it. */
function folderCycles(): string[][] {
  const edges = folderEdges();
  const order = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const found: string[][] = [];
  const visit = (folder: string) => {
    order.set(folder, order.size);
    low.set(folder, order.get(folder)!);
    stack.push(folder);
    for (const next of edges.get(folder)?.keys() ?? []) {
      if (!order.has(next)) visit(next);
      if (stack.includes(next)) low.set(folder, Math.min(low.get(folder)!, low.get(next)!));
    }
    if (low.get(folder) !== order.get(folder)) return;
    const group = stack.splice(stack.indexOf(folder));
    if (group.length > 1)
      found.push(group.flatMap((a) => group.map((b) => edges.get(a)?.get(b)).filter((e) => e !== undefined)));
  };
  for (const folder of edges.keys()) if (!order.has(folder)) visit(folder);
  return found;
}

/** Imports from files under `from` of files under any of `to`. */
function imports(from: string, to: readonly string[]): string[] {
  return Object.entries(graph).flatMap(([file, imported]) =>
    file.startsWith(from)
      ? imported.filter((i) => to.some((t) => i.startsWith(t))).map((i) => `${file} → ${i}`)
      : [],
  );
}

test('no file is part of an import cycle', () => {
  expect(Object.keys(graph).length).toBeGreaterThan(150);
  expect(cycles).toEqual([]);
});

test('no folder of src/ is part of an import cycle', () => {
  expect(folderCycles()).toEqual([]);
});

test('nothing below the kinds imports a kind (the registry finds them by loading their folder)', () => {
  const above = ['src/kinds/', 'src/commands/', 'src/cli.ts', 'workers/'];
  const offenders = Object.keys(graph)
    .filter((file) => !above.some((a) => file.startsWith(a)))
    .flatMap((file) => imports(file, ['src/kinds/']));
  expect(offenders).toEqual([]);
});

test('the runner builds no report and knows no command; the job contract knows no runner', () => {
  expect(imports('src/runner/', ['src/report/', 'src/commands/', 'src/kinds/'])).toEqual([]);
  expect(imports('src/jobs/', ['src/runner/', 'src/plan/', 'src/commands/', 'src/report/'])).toEqual([]);
});
