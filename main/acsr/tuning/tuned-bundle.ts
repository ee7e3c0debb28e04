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
import { type DefenseComparisonRecord, MANIFEST_FILE, type PurificationDefaults } from '../references/bundle-manifest.ts';
import type { ReferenceBundle } from '../references/bundle-reader.ts';
import { sha256Hex } from '../../io/hashing.ts';
import type { DefenseComparison } from './defense-comparison.ts';

export const BUNDLE_TUNING_JSON = 'tuning/tuning.json';

export async function writeTunedBundle(
  source: ReferenceBundle,
  target: string,
  tuningJson: string,
  defaults: Omit<PurificationDefaults, 'tuning'> & { tuning: Omit<PurificationDefaults['tuning'], 'sha256' | 'json'> },
  comparison: DefenseComparison | null = null,
): Promise<Record<string, unknown>> {
  const destination = path.resolve(target);
  const raw = JSON.parse(await readFile(path.join(source.path, MANIFEST_FILE), 'utf8')) as Record<string, unknown>;
  const tuningSha256 = sha256Hex(tuningJson);
  const purificationDefaults: PurificationDefaults = { ...defaults, tuning: { sha256: tuningSha256, json: BUNDLE_TUNING_JSON, ...defaults.tuning } };
  // a re-tuned bundle: an older comparison no longer describes these defaults
  delete raw.defenseComparison;
  // the evasion score was calibrated at the old purification settings: recalibrate after tuning
  delete raw.evasionCalibration;
  const defenseComparison = comparison?.complete ? comparisonRecord(comparison, tuningSha256) : undefined;
  const manifest = {
    ...raw,
    purificationDefaults,
    ...(defenseComparison ? { defenseComparison } : {}),
    files: { ...(raw.files as Record<string, string>), [BUNDLE_TUNING_JSON]: tuningSha256 },
  };
  return writeFolderAtomic(
    destination,
    async (temp) => {
      for (const [file, expected] of Object.entries(source.manifest.files)) {
        if (file === BUNDLE_TUNING_JSON) continue; // a re-tuned bundle: the new sweep replaces the old one's record
        const bytes = await readFile(path.join(source.path, file));
        if (sha256Hex(bytes) !== expected) throw new UserInputError(`${source.path}: ${file} changed since the bundle was loaded; nothing written`);
        await writeSynced(path.join(temp, file), bytes);
      }
      await writeSynced(path.join(temp, BUNDLE_TUNING_JSON), tuningJson);
      await writeSynced(path.join(temp, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
      return manifest;
    },
    { existing: 'empty-folder' },
  );
}

/** The comparison as the manifest keeps it: counts (intervals follow from them), tests, the recommendation. */
export function comparisonRecord(comparison: DefenseComparison, tuningSha256: string): DefenseComparisonRecord {
  const finite = (value: number) => (Number.isFinite(value) ? value : null);
  const recommendation = comparison.recommendation;
  return {
    validationSha256: comparison.validationSha256,
    tuningSha256,
    images: comparison.images,
    attacks: [...comparison.attacks],
    maxCleanDrop: comparison.maxCleanDrop,
    rule: comparison.rule,
    rows: comparison.rows.map((r) => ({
      defense: r.defense,
      label: r.label,
      settings: r.settings,
      cleanCorrect: r.clean.successes,
      attackCorrect: r.attacks.map((a) => a.accuracy.successes),
      meanAttackAccuracy: finite(r.meanAttackAccuracy),
      cleanDropPoints: finite(r.cleanDropPoints),
      allowed: r.meetsConstraint,
    })),
    tests: comparison.tests
      .filter((t) => t.row !== 'clean')
      .map((t) => ({ attack: t.row, against: t.baseline, b: t.b, c: t.c, exactP: t.exactP, better: t.better })),
    recommendation: recommendation && {
      defense: recommendation.defense,
      label: recommendation.label,
      reason: recommendation.reason,
      sentence: recommendation.sentence,
    },
  };
}
