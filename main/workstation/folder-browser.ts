/**
 * The browser host's folder browser: lists sub-folders, but only inside the allowed roots (the
 * user's home folder and any roots the host was started with). The renderer is untrusted, so
 * every path it sends is checked here: `..` segments are refused outright, the path is resolved
 * with every symbolic link followed, and the real folder must lie inside a root's real folder;
 * a link that leads outside is neither listed nor entered.
 */
import type { Dirent } from 'node:fs';
import { readdir, realpath, stat } from 'node:fs/promises';
import { dirname, extname, isAbsolute, join, sep } from 'node:path';
import { hasControlCharacters } from '../case/display-path.ts';
import { UserInputError } from '../errors/user-input-error.ts';
import { isHomeRelative, type FolderListing } from '../ipc/contract/index.ts';
import { IMAGE_EXTENSIONS } from '../io/image-inputs.ts';

/** More sub-folders than this are cut off (the listing says so). */
const MAX_LISTED_FOLDERS = 1000;

/** `~` and `~/x` as the home folder; every other path as it is. */
export function expandHome(path: string, home: string): string {
  if (path === '~') return home;
  if (isHomeRelative(path)) return join(home, path.slice(2));
  return path;
}

interface Root {
  label: string;
  /** Real path (links resolved). */
  path: string;
}

export class FolderBrowser {
  readonly #home: string;
  readonly #extraRoots: readonly string[];

  constructor(options: { home: string; roots?: readonly string[] }) {
    this.#home = options.home;
    this.#extraRoots = options.roots ?? [];
  }

  /** The allowed roots that exist, home first, each once. */
  async roots(): Promise<Root[]> {
    const roots: Root[] = [];
    for (const [index, root] of [this.#home, ...this.#extraRoots].entries()) {
      const real = await realpath(root).catch(() => null);
      if (real === null || roots.some((known) => known.path === real)) continue;
      roots.push({ label: index === 0 ? `Home (${real})` : real, path: real });
    }
    return roots;
  }

  /** The real folder `typed` names, or a refusal in words when it is not one inside the roots. */
  async resolveInside(typed: string): Promise<{ folder: string; root: Root }> {
    if (typed.split(/[\\/]/).includes('..')) throw new UserInputError(`${typed}: a folder path cannot go up with '..'; choose the folder itself`);
    const expanded = expandHome(typed, this.#home);
    if (!isAbsolute(expanded)) throw new UserInputError(`${typed}: type a full folder path, starting with / or ~/`);
    const real = await realpath(expanded).catch(() => null);
    if (real === null || !(await stat(real)).isDirectory()) throw new UserInputError(`${typed}: no such folder; choose a folder that exists`);
    const root = (await this.roots()).find((candidate) => isInside(real, candidate.path));
    if (!root)
      throw new UserInputError(`${typed}: outside the folders this workstation may browse (${(await this.roots()).map((known) => known.path).join(', ')})`);
    return { folder: real, root };
  }

  async list(typed?: string): Promise<FolderListing> {
    const roots = await this.roots();
    const rootEntries = roots.map((root) => ({ name: root.label, path: root.path }));
    if (typed === undefined) return { path: null, parent: null, roots: rootEntries, folders: rootEntries, imageFiles: 0, truncated: false };
    const { folder, root } = await this.resolveInside(typed);
    const entries = await readdir(folder, { withFileTypes: true }).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'EACCES' || error.code === 'EPERM') throw new UserInputError(`${folder}: no permission to read this folder`);
      throw error;
    });
    const folders: { name: string; path: string }[] = [];
    let imageFiles = 0;
    for (const entry of entries) {
      // Hidden folders and names that cannot be shown safely are left out.
      if (entry.name.startsWith('.') || hasControlCharacters(entry.name)) continue;
      const path = join(folder, entry.name);
      if (entry.isFile() && isImageName(entry.name)) imageFiles++;
      else if (await isFolderInside(entry, path, roots)) folders.push({ name: entry.name, path });
    }
    folders.sort((a, b) => a.name.localeCompare(b.name));
    return {
      path: folder,
      parent: folder === root.path ? null : dirname(folder),
      roots: rootEntries,
      folders: folders.slice(0, MAX_LISTED_FOLDERS),
      imageFiles,
      truncated: folders.length > MAX_LISTED_FOLDERS,
    };
  }
}

/** A folder, or a link to a folder that stays inside the roots. */
async function isFolderInside(entry: Dirent, path: string, roots: readonly Root[]): Promise<boolean> {
  if (entry.isDirectory()) return true;
  if (!entry.isSymbolicLink()) return false;
  const target = await realpath(path).catch(() => null);
  if (target === null || !roots.some((root) => isInside(target, root.path))) return false;
  return (await stat(target).catch(() => null))?.isDirectory() ?? false;
}

function isInside(path: string, root: string): boolean {
  return path === root || path.startsWith(root.endsWith(sep) ? root : `${root}${sep}`);
}

function isImageName(name: string): boolean {
  return (IMAGE_EXTENSIONS as readonly string[]).includes(extname(name).toLowerCase());
}
