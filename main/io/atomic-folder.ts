/**
 * The folder counterpart of atomic-write.ts: a folder that appears complete or not at all. Its
 * files go into a temp folder beside the target (same file system, so the final rename is
 * atomic), each synced as it is written, and the folder is renamed to the target last. A failure
 * or a cancel removes the temp folder. Used for reference bundles and training checkpoints.
 */
import { mkdir, mkdtemp, open, rename, rm, rmdir } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';

export interface AtomicFolderOptions {
  /**
   * What may stand at the target already: 'empty-folder' (removed if empty; anything else makes
   * the rename fail, so callers refuse it first) or 'replace' (removed whatever it holds).
   */
  readonly existing: 'empty-folder' | 'replace';
}

/** Runs `fill(temp)` to write the folder's files into `temp`, then renames `temp` to `target`. */
export async function writeFolderAtomic<T>(target: string, fill: (temp: string) => Promise<T>, options: AtomicFolderOptions): Promise<T> {
  const destination = resolve(target);
  await mkdir(dirname(destination), { recursive: true });
  const temp = await mkdtemp(join(dirname(destination), `.${basename(destination)}.partial-`));
  try {
    const result = await fill(temp);
    if (options.existing === 'replace') await rm(destination, { recursive: true, force: true });
    else await rmdir(destination).catch(() => {});
    await rename(temp, destination);
    return result;
  } catch (error) {
    await rm(temp, { recursive: true, force: true }).catch(() => {});
    throw error;
  }
}

/** Writes a new file (never overwriting one), creating its folders, and syncs it to disk. */
export async function writeSynced(file: string, data: Uint8Array | string): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  const handle = await open(file, 'wx');
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
}
