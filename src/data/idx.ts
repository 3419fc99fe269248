// Reader for the IDX format of MNIST-style data sets: big-endian magic (2051 images,
// 2049 labels), counts and dimensions, then one unsigned byte per pixel or label.
import { gunzipSync } from 'node:zlib';

export class DataError extends Error {
  constructor(
    readonly file: string,
    detail: string,
  ) {
    super(`${file}: ${detail}`);
    this.name = 'DataError';
  }
}

export interface IdxImages {
  count: number;
  rows: number;
  cols: number;
  /** count × rows × cols bytes, row-major. */
  pixels: Uint8Array;
}

const IMAGES_MAGIC = 2051;
const LABELS_MAGIC = 2049;
const GZIP_MAGIC = [0x1f, 0x8b];

/** Gunzips when the bytes start with the gzip magic, whatever the file is called. */
export function maybeGunzip(bytes: Uint8Array, file: string): Uint8Array {
  if (bytes[0] !== GZIP_MAGIC[0] || bytes[1] !== GZIP_MAGIC[1]) return bytes;
  try {
    return new Uint8Array(gunzipSync(bytes));
  } catch (err) {
    throw new DataError(file, `not a valid gzip file (${(err as Error).message})`);
  }
}

function header(bytes: Uint8Array, file: string, words: number): number[] {
  if (bytes.length < words * 4) {
    throw new DataError(
      file,
      `truncated: ${bytes.length} bytes, shorter than the ${words * 4}-byte IDX header`,
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return Array.from({ length: words }, (_, i) => view.getUint32(i * 4, false));
}

function checkMagic(magic: number, expected: number, file: string, what: string): void {
  if (magic !== expected) {
    throw new DataError(file, `wrong magic number ${magic}: expected ${expected} for an IDX ${what} file`);
  }
}

/** `itemBytes` after a `headerBytes` header: a short file names its first incomplete item. */
function checkLength(
  bytes: Uint8Array,
  headerBytes: number,
  itemBytes: number,
  count: number,
  file: string,
  what: string,
): void {
  const expected = headerBytes + count * itemBytes;
  if (bytes.length < expected) {
    const first = Math.floor((bytes.length - headerBytes) / itemBytes);
    throw new DataError(
      file,
      `truncated: ${bytes.length} bytes, expected ${expected} for ${what} (index ${first} is the first incomplete one)`,
    );
  }
  if (bytes.length > expected) {
    throw new DataError(file, `${bytes.length - expected} unexpected bytes after ${what}`);
  }
}

export function parseIdxImages(raw: Uint8Array, file: string): IdxImages {
  const bytes = maybeGunzip(raw, file);
  const [magic, count, rows, cols] = header(bytes, file, 4);
  checkMagic(magic, IMAGES_MAGIC, file, 'images');
  if (rows === 0 || cols === 0) throw new DataError(file, `image size ${rows}×${cols} is empty`);
  checkLength(bytes, 16, rows * cols, count, file, `${count} images of ${rows}×${cols}`);
  return { count, rows, cols, pixels: bytes.subarray(16) };
}

export function parseIdxLabels(raw: Uint8Array, file: string): Uint8Array {
  const bytes = maybeGunzip(raw, file);
  const [magic, count] = header(bytes, file, 2);
  checkMagic(magic, LABELS_MAGIC, file, 'labels');
  checkLength(bytes, 8, 1, count, file, `${count} labels`);
  return bytes.subarray(8);
}
