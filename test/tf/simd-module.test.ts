// The SIMD kernels' module shares the wasm backend's memory, so it must not bring data of its own
// (a data segment would be written over the backend's heap when it is instantiated).
import { readFileSync } from 'node:fs';
import path from 'node:path';

// The project's lib settings do not declare WebAssembly.
declare const WebAssembly: {
  Module: { new (bytes: Uint8Array): object; imports(module: object): object[] };
};

const file = path.join(__dirname, '..', '..', 'dist', 'assembly', 'kernels.wasm');

/** Section ids of a wasm binary, in order. */
function sectionIds(bytes: Uint8Array): number[] {
  const ids: number[] = [];
  let at = 8; // magic and version
  while (at < bytes.length) {
    ids.push(bytes[at++]);
    let size = 0;
    for (let shift = 0; ; shift += 7) {
      const byte = bytes[at++];
      size |= (byte & 0x7f) << shift;
      if (byte < 0x80) break;
    }
    at += size;
  }
  return ids;
}

test('the kernels module imports its memory and has no data, global or start section', () => {
  const bytes = readFileSync(file);
  const ids = sectionIds(bytes);
  const DATA = 11;
  const GLOBAL = 6;
  const START = 8;
  const MEMORY = 5;
  expect(ids).toContain(2); // imports
  for (const id of [DATA, GLOBAL, START, MEMORY]) expect(ids).not.toContain(id);
  const module = new WebAssembly.Module(bytes);
  expect(WebAssembly.Module.imports(module)).toEqual([{ module: 'env', name: 'memory', kind: 'memory' }]);
});
