// The image folders configs/examples/image-folder.json runs on are committed, made by
// writeBarFolder. This test checks they are what it writes; to write them again:
//   PROBELAB_WRITE_FIXTURES=1 npx jest test/data/image-folder-fixture.test.ts
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { type FolderOptions, writeBarFolder } from '../helpers/image-folders';
import { tempDir } from '../helpers/temp-dir';

const FIXTURE = path.join(__dirname, '..', 'fixtures', 'image-folder');
const SPLITS: Record<string, FolderOptions> = {
  train: { classes: 4, perClass: 30, rows: 12, cols: 12, seed: 1 },
  test: { classes: 4, perClass: 6, rows: 12, cols: 12, seed: 2 },
};

const filesOf = (dir: string): string[] =>
  readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.png'))
    .sort();

test.each(Object.entries(SPLITS))(
  'the committed %s folder is what writeBarFolder writes',
  (split, options) => {
    const committed = path.join(FIXTURE, split);
    if (process.env.PROBELAB_WRITE_FIXTURES) {
      rmSync(committed, { recursive: true, force: true });
      writeBarFolder(committed, options);
    }
    const fresh = writeBarFolder(tempDir('fixture-'), options);
    expect(filesOf(committed)).toEqual(filesOf(fresh));
    for (const file of filesOf(fresh))
      expect(readFileSync(path.join(committed, file)).equals(readFileSync(path.join(fresh, file)))).toBe(
        true,
      );
  },
);
