import { stat, readdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { UserInputError } from '../../errors/user-input-error.ts';
import { writeFolderAtomic, writeSynced } from '../../io/atomic-folder.ts';
import { sha256Hex } from '../../io/hashing.ts';
import { encodeNpy } from '../../io/npy.ts';
import type { NdArray } from '../../io/ndarray.ts';
import { MANIFEST_FILE, type BundleManifest } from './bundle-manifest.ts';

/**
 * Writes a bundle so that it appears complete or not at all: every file goes into a temp folder
 * beside the target (same file system, so the final rename is atomic), is synced, and the folder
 * is renamed to the target last. A failure or a cancel removes the temp folder. The target must
 * not exist (or be an empty folder): replacing a bundle is a deliberate `rm` by the user, never a
 * side effect of training.
 */
export interface BundleContent {
  /** everything but `files`, which the writer fills with the hashes it wrote */
  readonly manifest: Omit<BundleManifest, 'files'>;
  /** relative path -> array */
  readonly arrays: ReadonlyMap<string, NdArray>;
  /** relative path -> file content (the specificity check's JSON and PNG), hashed like the arrays */
  readonly extraFiles?: ReadonlyMap<string, Uint8Array | string>;
}

export async function writeReferenceBundle(target: string, content: BundleContent, signal?: AbortSignal): Promise<BundleManifest> {
  await refuseExistingTarget(target, resolve(target));
  return writeFolderAtomic(
    target,
    async (temp) => {
      const files: Record<string, string> = {};
      for (const [path, array] of [...content.arrays.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
        signal?.throwIfAborted();
        const bytes = encodeNpy(array);
        await writeSynced(join(temp, path), bytes);
        files[path] = sha256Hex(bytes);
      }
      for (const [path, bytes] of [...(content.extraFiles ?? new Map<string, Uint8Array | string>()).entries()].sort(([a], [b]) =>
        a < b ? -1 : a > b ? 1 : 0,
      )) {
        signal?.throwIfAborted();
        await writeSynced(join(temp, path), bytes);
        files[path] = sha256Hex(bytes);
      }
      const manifest: BundleManifest = { ...content.manifest, files };
      await writeSynced(join(temp, MANIFEST_FILE), JSON.stringify(manifest, null, 2) + '\n');
      signal?.throwIfAborted();
      return manifest;
    },
    { existing: 'empty-folder' },
  ); // an empty target folder is allowed
}

async function refuseExistingTarget(target: string, destination: string): Promise<void> {
  const existing = await stat(destination).catch(() => undefined);
  if (!existing) return;
  if (!existing.isDirectory()) throw new UserInputError(`${target} exists and is not a folder; choose another --out`);
  if ((await readdir(destination)).length > 0)
    throw new UserInputError(`${target} already exists; remove it or choose another --out (a bundle is never overwritten in place)`);
}
