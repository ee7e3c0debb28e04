/**
 * Stage ii without training again: a stage-i bundle whose dictionaries were learned anew (another
 * atom size, more atoms, more epochs) keeps the clusters of the bundle an f_rob was trained for,
 * so that f_rob serves it as well. Stage ii never looks at the dictionaries: its loss pulls clean
 * and attacked latents towards the cluster means under the clusters' precisions. Retraining f_rob
 * for every dictionary experiment would cost hours; adopting it costs a file copy.
 *
 * Adoption is refused unless the clusters are provably the same: the same stage-i extractor
 * (weight hash), the same training data and validation split (f_rob was trained without those
 * validation images, and tuning measures on them), the same classes and cluster members, and
 * byte-identical means and precisions. Only dictionaries and the specificity check may differ.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { UserInputError } from '../../errors/user-input-error.ts';
import { MANIFEST_FILE } from '../references/bundle-manifest.ts';
import type { ReferenceBundle } from '../references/bundle-reader.ts';
import { writeRobustBundle } from './robust-bundle.ts';

/** A cluster's arrays other than its dictionary: its mean and precision. */
function isClusterStatistic(file: string): boolean {
  return file.startsWith('clusters/') && !file.endsWith('/dictionary.npy');
}

/** The classes with each cluster's dictionary record (atom size, learning curve) left out. */
function clusteringOf(bundle: ReferenceBundle): unknown {
  return bundle.manifest.classes.map((entry) => ({
    ...entry,
    clusters: entry.clusters.map(({ dictionary: _dictionary, ...cluster }) => cluster),
  }));
}

interface RobustRecord {
  readonly stageOneExtractor?: { id?: unknown; weightSha256?: unknown; backend?: unknown };
  readonly sourceBundle?: { manifestSha256?: unknown };
  readonly [key: string]: unknown;
}

/** The reasons the two bundles' clusters differ; empty when they are the same. */
export function clusterDifferences(stageOne: ReferenceBundle, robust: ReferenceBundle, record: RobustRecord | undefined): string[] {
  const reasons: string[] = [];
  if (!record?.stageOneExtractor) return ['it was not written by stage ii (its manifest has no robust-training record)'];
  if (record.stageOneExtractor.weightSha256 !== stageOne.manifest.extractor.weightSha256) {
    reasons.push(`its clusters were estimated with another extractor (${String(record.stageOneExtractor.id)}, not ${stageOne.manifest.extractor.id})`);
  }
  const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
  if (!same(stageOne.manifest.trainingData, robust.manifest.trainingData)) reasons.push('it was trained on other images');
  if (!same(stageOne.manifest.validation, robust.manifest.validation)) reasons.push('its validation split differs');
  if (!same(clusteringOf(stageOne), clusteringOf(robust))) reasons.push('its classes or cluster members differ');
  const clusterFiles = (bundle: ReferenceBundle) =>
    Object.entries(bundle.manifest.files)
      .filter(([file]) => isClusterStatistic(file))
      .sort(([a], [b]) => a.localeCompare(b));
  if (!same(clusterFiles(stageOne), clusterFiles(robust))) reasons.push('its cluster means or precisions differ');
  return reasons;
}

/**
 * Writes `out`: a copy of `stageOne` naming `robust`'s f_rob as its extractor, with the robust
 * bundle's training record and where it came from. Neither input is changed.
 */
export async function adoptRobustExtractor(stageOne: ReferenceBundle, robust: ReferenceBundle, out: string): Promise<Record<string, unknown>> {
  // the raw manifest: the schema keeps only what purification reads, not stage ii's record
  const raw = JSON.parse(await readFile(path.join(robust.path, MANIFEST_FILE), 'utf8')) as { robustTraining?: RobustRecord };
  const record = raw.robustTraining;
  const reasons = clusterDifferences(stageOne, robust, record);
  if (reasons.length > 0) {
    throw new UserInputError(
      `${robust.path} cannot lend its robust extractor to ${stageOne.path}: ${reasons.join('; ')}. ` +
        'Only a bundle with the same clusters (the same training run, other dictionary settings) can adopt it; otherwise train stage ii for it.',
    );
  }
  const { stageOneExtractor: _extractor, sourceBundle, clusters: _clusters, ...training } = record!;
  return writeRobustBundle(stageOne, out, robust.manifest.extractor, {
    ...training,
    adoptedFrom: {
      path: path.resolve(robust.path),
      manifestSha256: robust.manifestSha256,
      trainedForBundleManifestSha256: sourceBundle?.manifestSha256 ?? null,
      note: 'f_rob was trained for a bundle with these very clusters and validation split; only the dictionaries differ',
    },
  });
}
