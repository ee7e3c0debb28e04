/**
 * Every output file of the product is written through here: a temp file next to the target,
 * flushed to disk, then renamed over it. A crash, a full disk or a cancelled command therefore
 * leaves either the old file or the complete new one, never a half-written output that a later
 * step (or an investigator) could mistake for a result.
 */
import { randomBytes } from 'node:crypto';
import { open, rename, rm, stat, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { UserInputError } from '../errors/user-input-error.ts';

export async function writeFileAtomic(path: string, data: Uint8Array | string): Promise<void> {
  const target = resolve(path);
  const directory = dirname(target);
  await refuseDirectoryTarget(path, target);
  // Same directory as the target: rename is only atomic within one file system.
  const tempPath = join(directory, `.${basename(target)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);

  let handle: FileHandle | undefined;
  try {
    handle = await open(tempPath, 'wx', 0o666);
    await handle.writeFile(data);
    await handle.sync();
    await handle.close();
    handle = undefined;
    await rename(tempPath, target);
  } catch (error) {
    await handle?.close().catch(() => {});
    await rm(tempPath, { force: true }).catch(() => {});
    throw describeWriteError(error, path);
  }
  await syncDirectory(directory);
}

async function refuseDirectoryTarget(path: string, target: string): Promise<void> {
  const existing = await stat(target).catch(() => undefined);
  if (existing?.isDirectory()) throw new UserInputError(`cannot write ${path}: it is a directory`);
}

/** Makes the rename itself durable. Not possible on Windows, where directories cannot be opened. */
async function syncDirectory(directory: string): Promise<void> {
  if (process.platform === 'win32') return;
  let handle: FileHandle | undefined;
  try {
    handle = await open(directory, 'r');
    await handle.sync();
  } catch {
    // Durability of the directory entry is best effort; the data itself is already synced.
  } finally {
    await handle?.close().catch(() => {});
  }
}

function describeWriteError(error: unknown, path: string): unknown {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'ENOENT':
    case 'ENOTDIR':
      return new UserInputError(`cannot write ${path}: directory ${dirname(resolve(path))} does not exist`);
    case 'EACCES':
    case 'EPERM':
      return new UserInputError(`cannot write ${path}: permission denied`);
    case 'EROFS':
      return new UserInputError(`cannot write ${path}: read-only file system`);
    case 'ENOSPC':
      return new UserInputError(`cannot write ${path}: no space left on device`);
    case 'EISDIR':
      return new UserInputError(`cannot write ${path}: it is a directory`);
    default:
      return error;
  }
}
