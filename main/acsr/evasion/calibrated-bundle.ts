/**
 * `acsr calibrate-evasion --bundle-out`: a NEW bundle folder, a byte-for-byte copy of the source
 * bundle (every file checked against the SHA-256 its manifest lists) whose manifest gains the
 * `evasionCalibration` section. The raw manifest is copied, not the parsed one, so sections this
 * version does not model survive; the source bundle is never touched.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { UserInputError } from '../../errors/user-input-error.ts';
import { writeFolderAtomic, writeSynced } from '../../io/atomic-folder.ts';
import { sha256Hex } from '../../io/hashing.ts';
import { MANIFEST_FILE } from '../references/bundle-manifest.ts';
import type { ReferenceBundle } from '../references/bundle-reader.ts';
import type { EvasionCalibration } from './evasion-calibration-schema.ts';

export async function writeCalibratedBundle(source: ReferenceBundle, target: string, calibration: EvasionCalibration): Promise<Record<string, unknown>> {
  const raw = JSON.parse(await readFile(path.join(source.path, MANIFEST_FILE), 'utf8')) as Record<string, unknown>;
  const manifest = { ...raw, evasionCalibration: calibration };
  return writeFolderAtomic(
    path.resolve(target),
    async (temp) => {
      for (const [file, expected] of Object.entries(source.manifest.files)) {
        const bytes = await readFile(path.join(source.path, file));
        if (sha256Hex(bytes) !== expected) throw new UserInputError(`${source.path}: ${file} changed since the bundle was loaded; nothing written`);
        await writeSynced(path.join(temp, file), bytes);
      }
      await writeSynced(path.join(temp, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
      return manifest;
    },
    { existing: 'empty-folder' },
  );
}
