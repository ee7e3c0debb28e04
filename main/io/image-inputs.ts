/**
 * Expands `--in DIR|FILES` into the list of image files a command works on.
 *
 * The result is sorted by code point and deduplicated, never left in the order the shell or the
 * file system produced: glob order depends on the locale, and dictionary learning depends on the
 * order of its samples, so the same command must see the same list on every machine.
 */
import { readdir, stat } from 'node:fs/promises';
import { extname, join, resolve } from 'node:path';
import { UserInputError } from '../errors/user-input-error.ts';

export const IMAGE_EXTENSIONS = ['.png', '.jpg', '.jpeg', '.webp', '.tif', '.tiff'] as const;

export interface ExpandImageInputsOptions {
  /** Descend into sub-directories of directory inputs. */
  recursive?: boolean;
}

export function hasImageExtension(path: string): boolean {
  return (IMAGE_EXTENSIONS as readonly string[]).includes(extname(path).toLowerCase());
}

/**
 * Directories contribute their image files (by extension; hidden files skipped). Files named
 * explicitly are taken as they are, whatever their extension: the decoder will say if one is
 * not an image, which is a clearer message than silently skipping it.
 */
export async function expandImageInputs(inputs: readonly string[], options: ExpandImageInputsOptions = {}): Promise<string[]> {
  if (inputs.length === 0) throw new UserInputError('no input images given');
  const found = new Map<string, string>(); // resolved path -> path as the user will recognise it
  for (const input of inputs) {
    const info = await stat(input).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT' || error.code === 'ENOTDIR') throw new UserInputError(`${input}: no such file or directory`);
      if (error.code === 'EACCES' || error.code === 'EPERM') throw new UserInputError(`${input}: permission denied`);
      throw error;
    });
    if (info.isDirectory()) {
      const images = await imagesInDirectory(input, options.recursive ?? false);
      if (images.length === 0) {
        throw new UserInputError(`${input}: directory contains no image files (${IMAGE_EXTENSIONS.join(', ')})`);
      }
      for (const image of images) found.set(resolve(image), image);
    } else {
      found.set(resolve(input), input);
    }
  }
  return [...found.values()].sort(compareCodePoints);
}

async function imagesInDirectory(directory: string, recursive: boolean): Promise<string[]> {
  const entries = await readdir(directory, { withFileTypes: true }).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'EACCES' || error.code === 'EPERM') throw new UserInputError(`${directory}: permission denied`);
    throw error;
  });
  const images: string[] = [];
  for (const entry of entries) {
    if (entry.name.startsWith('.')) continue;
    const path = join(directory, entry.name);
    if (entry.isDirectory()) {
      if (recursive) images.push(...(await imagesInDirectory(path, true)));
    } else if (hasImageExtension(entry.name) && (entry.isFile() || (entry.isSymbolicLink() && (await isFile(path))))) {
      images.push(path);
    }
  }
  return images;
}

async function isFile(path: string): Promise<boolean> {
  return (await stat(path).catch(() => undefined))?.isFile() ?? false;
}

function compareCodePoints(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
