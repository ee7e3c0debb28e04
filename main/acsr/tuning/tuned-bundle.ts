/**
 * `acsr tune --bundle-out`: a NEW bundle folder, a copy of the tuned bundle whose manifest gains a
 * `purificationDefaults` section (the chosen values and which sweep chose them) and whose files
 * gain the sweep's tuning.json, hashed like every other file. Every copied file keeps its bytes and
 * is checked against the SHA-256 the source manifest lists; the source bundle is never touched.
 * The raw manifest is copied, not the parsed one, so sections this version does not model (a
 * stage-ii bundle's robustTraining) survive.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { UserInputError } from '../../errors/user-input-error.ts';
import { writeFolderAtomic, writeSynced } from '../../io/atomic-folder.ts';
import { MANIFEST_FILE, type PurificationDefaults } from '../references/bundle-manifest.ts';
import type { ReferenceBundle } from '../references/bundle-reader.ts';
import { sha256Hex } from '../../io/hashing.ts';

export const BUNDLE_TUNING_JSON = 'tuning/tuning.json';

export async function writeTunedBundle(
  source: ReferenceBundle, target: string, tuningJson: string, defaults: Omit<PurificationDefaults, 'tuning'> & { tuning: Omit<PurificationDefaults['tuning'], 'sha256' | 'json'> },
): Promise<Record<string, unknown>> {
  const destination = path.resolve(target);
  const raw = JSON.parse(await readFile(path.join(source.path, MANIFEST_FILE), 'utf8')) as Record<string, unknown>;
  const tuningSha256 = sha256Hex(tuningJson);
  const purificationDefaults: PurificationDefaults = { ...defaults, tuning: { sha256: tuningSha256, json: BUNDLE_TUNING_JSON, ...defaults.tuning } };
  const manifest = { ...raw, purificationDefaults, files: { ...(raw.files as Record<string, string>), [BUNDLE_TUNING_JSON]: tuningSha256 } };
  return writeFolderAtomic(destination, async (temp) => {
    for (const [file, expected] of Object.entries(source.manifest.files)) {
      if (file === BUNDLE_TUNING_JSON) continue; // a re-tuned bundle: the new sweep replaces the old one's record
      const bytes = await readFile(path.join(source.path, file));
      if (sha256Hex(bytes) !== expected) throw new UserInputError(`${source.path}: ${file} changed since the bundle was loaded; nothing written`);
      await writeSynced(path.join(temp, file), bytes);
    }
    await writeSynced(path.join(temp, BUNDLE_TUNING_JSON), tuningJson);
    await writeSynced(path.join(temp, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
    return manifest;
  }, { existing: 'empty-folder' });
}
