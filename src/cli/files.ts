/** Files the commands write. */
import { rename, writeFile } from 'node:fs/promises';

/**
 * Writes a file whole or not at all: the text goes to `<file>.partial` and is
 * renamed over the file only once written, so an interrupted command never
 * leaves a truncated document where a complete one is expected.
 */
export async function writeWhole(file: string, text: string): Promise<void> {
  await writeFile(`${file}.partial`, text);
  await rename(`${file}.partial`, file);
}
