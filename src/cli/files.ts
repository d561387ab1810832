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

/** A command's document: written whole to `file` when one is given, else printed with `print`. */
export async function writeOrPrint(text: string, file: string | undefined, print: (text: string) => void): Promise<void> {
  if (file) await writeWhole(file, text);
  else print(text);
}
