// Reading a data file whole, with the errors data loading gives: the file named, what is wrong.
import { NotRegularFileError, readRegularFile } from '../files';
import { DataError } from './idx';

/** A data file's bytes; a folder or FIFO in its place is a DataError, never a blocking read. */
export function readDataFile(file: string): Buffer {
  try {
    return readRegularFile(file);
  } catch (error) {
    if (error instanceof NotRegularFileError)
      throw new DataError(file, `cannot be read as data: ${error.reason}`);
    throw new DataError(
      file,
      `cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
    );
  }
}
