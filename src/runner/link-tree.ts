// A job folder shared between run folders (merge, and the inputs of a stage's task).
import { copyFileSync, linkSync, mkdirSync, readdirSync, statSync, utimesSync } from 'node:fs';
import path from 'node:path';

/**
 * Hard links where the file system allows (no second copy of every model on a shared volume;
 * job files are never changed in place, so sharing them is safe), else copies with their times.
 */
export function linkOrCopyTree(source: string, target: string): void {
  mkdirSync(target, { recursive: true });
  for (const entry of readdirSync(source, { withFileTypes: true })) {
    const from = path.join(source, entry.name);
    const to = path.join(target, entry.name);
    if (entry.isDirectory()) linkOrCopyTree(from, to);
    else {
      try {
        linkSync(from, to);
      } catch {
        copyFileSync(from, to);
        const stat = statSync(from);
        utimesSync(to, stat.atime, stat.mtime);
      }
    }
  }
}
