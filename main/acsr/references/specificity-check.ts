import { type ProgressReporter, silentProgress, throwIfCancelled } from '../../progress/progress.ts';
import type { ClusterDistribution } from '../clustering/cluster-distribution.ts';
import { mahalanobisDistance } from '../clustering/mahalanobis.ts';
import type { LatentExtractor } from '../models/latent-extractor.ts';
import type { ConvDictionary } from '../signal/conv-dictionary.ts';
import { cbpdnObjectivesForDictionaries } from './objective-worker-pool.ts';
import type { LabelledImage } from './labelled-images.ts';
import { imagePatchSource, type PatchSettings } from './patch-source.ts';

/**
 * Are the dictionaries cluster-specific? On held-out clean validation images, the CBPDN objective
 * of each image's x_high crop with EVERY cluster's dictionary, at the bundle's lambda: if the
 * semantic selection of stage iii matters, the image's own cluster's dictionary should represent
 * it best (lowest objective). An image's own cluster is the nearest (Mahalanobis distance of its
 * latent under the bundle's extractor) among the clusters of its TRUE class: the check is about
 * the dictionaries, so a misclassified latent must not decide the row. The share of images whose
 * lowest objective comes from a dictionary of their own class is reported beside it (clusters of
 * one class may legitimately look alike).
 */
export interface SpecificityCluster {
  readonly id: string;
  readonly className: string;
  readonly distribution: ClusterDistribution;
  readonly dictionary: ConvDictionary<Float32Array>;
}

export interface SpecificityRequest {
  readonly images: readonly LabelledImage[];
  /** position of each image in the data source (seeds its crop as in training) */
  readonly sourceIndex: readonly number[];
  readonly clusters: readonly SpecificityCluster[];
  readonly extractor: LatentExtractor;
  readonly patches: Omit<PatchSettings, 'patchesPerImage'>;
  readonly channels: 1 | 3;
  readonly lambda: number;
  readonly maxIterations: number;
  /** threads solving the blocks (objective-worker-pool.ts); default every core. The result does not depend on it. */
  readonly threads?: number;
  readonly progress?: ProgressReporter;
  readonly signal?: AbortSignal;
}

export interface SpecificityShares {
  readonly images: number;
  /** share of images whose lowest objective is their own cluster's dictionary */
  readonly ownClusterBestShare: number | null;
  /** ... is a dictionary of one of their own class's clusters */
  readonly ownClassBestShare: number | null;
}

export interface SpecificityResult {
  readonly kind: 'acsr-specificity-check';
  readonly lambda: number;
  readonly tikhonovLambda: number;
  readonly patchSize: number;
  readonly maxIterations: number;
  readonly tolerance: number;
  readonly assignment: string;
  /** columns (dictionaries) and rows (true clusters), in the same order */
  readonly clusters: { id: string; className: string }[];
  readonly rows: (SpecificityShares & { cluster: string; meanObjective: (number | null)[] })[];
  readonly perClass: (SpecificityShares & { className: string })[];
  readonly summary: SpecificityShares & {
    /** what a dictionary picked at random would score, averaged over the images */
    readonly chanceCluster: number | null;
    readonly chanceClass: number | null;
  };
}

const TOLERANCE = 1e-3;
const BLOCK = 32;
const LATENT_BATCH = 16;
export const SPECIFICITY_ASSIGNMENT = "own cluster = nearest cluster (Mahalanobis distance of the latent) among the clusters of the image's true class";

export async function checkSpecificity(request: SpecificityRequest): Promise<SpecificityResult> {
  const { images, clusters, extractor, channels, patches } = request;
  const progress = request.progress ?? silentProgress;
  // 1. each image's own cluster
  const own: number[] = [];
  for (let start = 0; start < images.length; start += LATENT_BATCH) {
    throwIfCancelled(request.signal);
    const batch = images.slice(start, start + LATENT_BATCH);
    const latents = await extractor.extract(await Promise.all(batch.map((image) => image.load())));
    batch.forEach((image, i) => {
      let best = -1;
      let bestDistance = Infinity;
      clusters.forEach((cluster, j) => {
        if (cluster.className !== image.className) return;
        const distance = mahalanobisDistance(latents[i], cluster.distribution);
        if (distance < bestDistance) [best, bestDistance] = [j, distance];
      });
      if (best < 0) throw new RangeError(`validation image ${image.name}: no cluster of class '${image.className}'`);
      own.push(best);
    });
  }
  // 2. one crop per image, the first of its training-style crops
  const source = imagePatchSource(images, request.sourceIndex, { ...patches, patchesPerImage: 1 });
  const signals = await Promise.all(images.map(async (_, i) => (await source.patchesOf(i))[0]));
  // 3. objectives [dictionary][image]
  const objectives = await cbpdnObjectivesForDictionaries(
    clusters.map((c) => c.dictionary),
    signals,
    patches.patchSize,
    channels,
    { lambda: request.lambda, maxIterations: request.maxIterations, tolerance: TOLERANCE, block: BLOCK },
    {
      threads: request.threads,
      signal: request.signal,
      onBlock: (done, total) => progress.report({ stage: 'specificity', fraction: done / total, message: `${done} of ${total} image blocks` }),
    },
  );
  const bestOf = images.map((_, i) => objectives.reduce((b, o, j) => (o[i] < objectives[b][i] ? j : b), 0));
  const shares = (members: number[]): SpecificityShares => ({
    images: members.length,
    ownClusterBestShare: members.length === 0 ? null : members.filter((i) => bestOf[i] === own[i]).length / members.length,
    ownClassBestShare: members.length === 0 ? null : members.filter((i) => clusters[bestOf[i]].className === images[i].className).length / members.length,
  });
  const all = images.map((_, i) => i);
  const classNames = [...new Set(clusters.map((c) => c.className))];
  const mean = (values: number[]) => (values.length === 0 ? null : values.reduce((a, b) => a + b, 0) / values.length);
  return {
    kind: 'acsr-specificity-check',
    lambda: request.lambda,
    tikhonovLambda: patches.tikhonovLambda,
    patchSize: patches.patchSize,
    maxIterations: request.maxIterations,
    tolerance: TOLERANCE,
    assignment: SPECIFICITY_ASSIGNMENT,
    clusters: clusters.map((c) => ({ id: c.id, className: c.className })),
    rows: clusters.map((cluster, r) => {
      const members = all.filter((i) => own[i] === r);
      return { cluster: cluster.id, ...shares(members), meanObjective: objectives.map((o) => mean(members.map((i) => o[i]))) };
    }),
    perClass: classNames.map((className) => ({ className, ...shares(all.filter((i) => images[i].className === className)) })),
    summary: {
      ...shares(all),
      chanceCluster: mean(all.map(() => 1 / clusters.length)),
      chanceClass: mean(all.map((i) => clusters.filter((c) => c.className === images[i].className).length / clusters.length)),
    },
  };
}
