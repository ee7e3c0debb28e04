/**
 * The bundle stage iii purifies with after stage ii: a NEW folder, a copy of the stage-i bundle
 * whose manifest names f_rob (id and weight SHA-256) as its extractor, so `acsr purify --bundle NEW`
 * takes R_rob(x) to choose the cluster (paper, Algorithm 1 stage iii: R(x_i) = f_rob(x_i)). The
 * input bundle is never touched.
 *
 * The clusters (means, inverse covariances) and dictionaries stay exactly those of stage i, learned
 * on f_bsl's latents: stage ii trains f_rob to map clean AND attacked images into those very
 * clusters (its Mahalanobis term is measured against them), so they are the references f_rob's
 * latents are meant to be compared with; re-estimating them on f_rob's latents would drop the
 * association the training enforced. The manifest's `robustTraining` section records this, the
 * stage-i extractor, the source bundle's manifest hash and the training options and history.
 * Every copied file keeps its bytes and is checked against the SHA-256 the manifest lists.
 */
import { readFile, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { UserInputError } from '../../errors/user-input-error.ts';
import { writeFolderAtomic, writeSynced } from '../../io/atomic-folder.ts';
import { MANIFEST_FILE } from '../references/bundle-manifest.ts';
import type { ReferenceBundle } from '../references/bundle-reader.ts';
import { sha256Hex } from '../../io/hashing.ts';

export const CLUSTERS_NOTE =
  "clusters and dictionaries are those of stage i (estimated on the stage-i extractor's latents); stage ii trained the extractor to map clean and attacked images into them";

export interface RobustExtractorRecord {
  readonly id: string;
  readonly weightSha256: string;
  readonly backend: string;
}

export async function writeRobustBundle(
  source: ReferenceBundle,
  target: string,
  extractor: RobustExtractorRecord,
  robustTraining: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  const destination = path.resolve(target);
  await refuseExisting(target, destination);
  // the raw manifest, not the parsed one: fields this version does not know survive the copy
  const raw = JSON.parse(await readFile(path.join(source.path, MANIFEST_FILE), 'utf8')) as Record<string, unknown>;
  const stageOne = raw.extractor as Record<string, unknown>;
  const manifest = {
    ...raw,
    extractor: { ...stageOne, id: extractor.id, weightSha256: extractor.weightSha256, backend: extractor.backend },
    robustTraining: {
      stageOneExtractor: { id: stageOne.id, weightSha256: stageOne.weightSha256, backend: stageOne.backend },
      sourceBundle: { path: path.resolve(source.path), manifestSha256: source.manifestSha256 },
      clusters: CLUSTERS_NOTE,
      ...robustTraining,
    },
  };
  return writeFolderAtomic(
    destination,
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
  ); // an empty target folder is allowed
}

/** Refused before training starts, not after: hours of CPU must not end in a refusal to write. */
export async function refuseExisting(target: string, destination = path.resolve(target)): Promise<void> {
  const existing = await stat(destination).catch(() => undefined);
  if (!existing) return;
  if (!existing.isDirectory() || (await readdir(destination)).length > 0) {
    throw new UserInputError(`${target} already exists; choose a new --out (a bundle is never overwritten, and the input bundle is never changed)`);
  }
}
