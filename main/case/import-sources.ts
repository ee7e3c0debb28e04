/**
 * Turns `--in DIR|FILES` into the list of files an import will read, deciding up front about the
 * entries an evidence folder may contain that must not be read: symbolic links that lead out of
 * the folder (importing them would take in files the examiner never selected), names with control
 * characters or path separators, FIFOs and devices (reading one can block forever), unreadable
 * directories. Those become per-path errors; nothing about them stops the rest of the import.
 *
 * The list is sorted by code point, so a resumed import walks the same files in the same order.
 */
import type { Stats } from 'node:fs';
import { lstat, readdir, realpath, stat } from 'node:fs/promises';
import { throwIfCancelled } from '../progress/progress.ts';
import { basename, extname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { UserInputError } from '../errors/user-input-error.ts';
import { IMAGE_EXTENSIONS } from '../io/image-inputs.ts';
import { displayPath, hasControlCharacters } from './display-path.ts';
import { ImportFileError } from './file-errors.ts';

export interface ImportSource {
  /** Absolute path, as found (a link inside the folder keeps its own path). */
  path: string;
  /** False for plain files found in a folder: they are opened with O_NOFOLLOW, so a file swapped for a link after the scan is refused. */
  followLinks: boolean;
  /** Set when the entry is refused before reading. */
  problem?: ImportFileError;
}

/** Refuses, before anything else happens, inputs that do not exist or cannot be looked at. */
export async function checkImportInputs(inputs: readonly string[]): Promise<void> {
  if (inputs.length === 0) throw new UserInputError('no input files or folders given');
  for (const input of inputs) await statInput(input);
}

async function statInput(input: string): Promise<Stats> {
  return stat(resolve(input)).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT' || error.code === 'ENOTDIR')
      throw new UserInputError(`${displayPath(input)}: no such file or directory; choose a folder or file that exists`);
    if (error.code === 'EACCES' || error.code === 'EPERM') throw new UserInputError(`${displayPath(input)}: permission denied`);
    throw error;
  });
}

export interface ScanControl {
  signal?: AbortSignal;
  /** Called after each folder read, with the entries found so far. */
  onFolder?: (found: number) => void;
}

export async function findImportSources(inputs: readonly string[], control: ScanControl = {}): Promise<ImportSource[]> {
  if (inputs.length === 0) throw new UserInputError('no input files or folders given');
  const found = new Map<string, ImportSource>();
  for (const input of inputs) {
    const absolute = resolve(input);
    const info = await statInput(input);
    if (info.isDirectory()) {
      for (const source of await scanFolder(absolute, await realpath(absolute), control, found.size)) found.set(source.path, source);
    } else {
      // A file named on the command line was chosen by the examiner: links are followed.
      const problem = !info.isFile()
        ? new ImportFileError('not-a-regular-file', `${displayPath(input)}: not a regular file (a device, FIFO or socket)`)
        : unsafeNameProblem(absolute, basename(absolute));
      found.set(absolute, { path: absolute, followLinks: true, ...(problem ? { problem } : {}) });
    }
  }
  return [...found.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

async function scanFolder(folder: string, realRoot: string, control: ScanControl, foundBefore: number): Promise<ImportSource[]> {
  const sources: ImportSource[] = [];
  const pending = [folder];
  while (pending.length > 0) {
    throwIfCancelled(control.signal);
    const directory = pending.pop()!;
    let entries;
    try {
      entries = await readdir(directory, { withFileTypes: true });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      const kind = code === 'EACCES' || code === 'EPERM' ? 'permission-denied' : 'read-error';
      const message = kind === 'permission-denied' ? 'permission denied: folder not read' : `folder not read (${(error as Error).message})`;
      sources.push(refused(directory, new ImportFileError(kind, `${displayPath(directory)}: ${message}`)));
      continue;
    }
    for (const entry of entries) {
      const path = join(directory, entry.name);
      const nameProblem = unsafeNameProblem(path, entry.name);
      if (nameProblem) {
        sources.push(refused(path, nameProblem));
      } else if (entry.isDirectory()) {
        pending.push(path);
      } else if (entry.isSymbolicLink()) {
        sources.push(await classifyLink(path, realRoot));
      } else if (!entry.isFile()) {
        sources.push(refused(path, new ImportFileError('not-a-regular-file', `${displayPath(path)}: not a regular file (a device, FIFO or socket): not read`)));
      } else if (!hasImageFileExtension(entry.name)) {
        sources.push(refused(path, unsupportedTypeProblem(path)));
      } else {
        sources.push({ path, followLinks: false });
      }
    }
    control.onFolder?.(foundBefore + sources.length);
  }
  return sources;
}

async function classifyLink(path: string, realRoot: string): Promise<ImportSource> {
  const target = await realpath(path).catch(() => undefined);
  if (target === undefined) {
    return refused(path, new ImportFileError('not-found', `${displayPath(path)}: symbolic link to a missing file`));
  }
  const inside = relative(realRoot, target);
  if (inside === '' || inside.startsWith(`..${sep}`) || inside === '..' || isAbsolute(inside)) {
    return refused(
      path,
      new ImportFileError('symlink-outside-folder', `${displayPath(path)}: symbolic link to ${displayPath(target)}, outside the imported folder: refused`),
    );
  }
  const info = await lstat(target);
  if (info.isDirectory()) {
    // Following links to folders invites loops and double counting; the folder is imported anyway.
    return refused(
      path,
      new ImportFileError('symlink-not-followed', `${displayPath(path)}: symbolic link to a folder inside the imported folder: not followed`),
    );
  }
  if (!info.isFile())
    return refused(path, new ImportFileError('not-a-regular-file', `${displayPath(path)}: symbolic link to something that is not a regular file`));
  if (!hasImageFileExtension(target)) return refused(path, unsupportedTypeProblem(path));
  return { path, followLinks: true };
}

function refused(path: string, problem: ImportFileError): ImportSource {
  return { path, followLinks: false, problem };
}

function unsafeNameProblem(path: string, name: string): ImportFileError | undefined {
  if (hasControlCharacters(name)) {
    return new ImportFileError('unsafe-name', `${displayPath(path)}: name contains control or text-direction characters: refused`);
  }
  // A backslash is a path separator on Windows, where the case may be opened or exported.
  if (name.includes('\\')) return new ImportFileError('unsafe-name', `${displayPath(path)}: name contains a path separator ('\\'): refused`);
  return undefined;
}

function hasImageFileExtension(path: string): boolean {
  return (IMAGE_EXTENSIONS as readonly string[]).includes(extname(path).toLowerCase());
}

function unsupportedTypeProblem(path: string): ImportFileError {
  const extension = extname(path) || '(no extension)';
  return new ImportFileError(
    'unsupported-format',
    `${displayPath(path)}: file type ${extension} is not an image type this tool imports (${IMAGE_EXTENSIONS.join(', ')})`,
  );
}
