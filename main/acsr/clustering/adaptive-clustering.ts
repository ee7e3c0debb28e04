import { kneedleElbow, type ElbowChoice } from './elbow.ts';
import { type KMeansOptions, type KMeansResult, kMeans } from './k-means.ts';
import type { LatentMatrix } from './latent-matrix.ts';

/**
 * Algorithm 1's psi_c = elbow(R(x_i)): k-means for k = 1..K_max, the WCSS curve, and the k at its
 * elbow (Kneedle, elbow.ts) unless the investigator fixes k. A k is eligible only if every one of
 * its clusters has at least `minClusterSize` samples, since a covariance needs two; an ineligible
 * k stays on the reported curve but cannot be chosen.
 */
export interface AdaptiveClusteringOptions {
  readonly kMax: number;
  /** a fixed k overrides the elbow */
  readonly fixedK?: number;
  readonly minClusterSize: number;
  readonly kMeans: Partial<KMeansOptions>;
}

export interface AdaptiveClustering {
  /** WCSS for k = 1..min(K_max, n) */
  readonly wcss: number[];
  readonly elbow: ElbowChoice;
  readonly chosenK: number;
  readonly chosenBy: 'elbow' | 'fixed';
  readonly clustering: KMeansResult;
}

export function clusterAdaptively(latents: LatentMatrix, options: AdaptiveClusteringOptions, signal?: AbortSignal): AdaptiveClustering {
  const { kMax, fixedK, minClusterSize } = options;
  if (!Number.isInteger(kMax) || kMax < 1) throw new RangeError(`K_max must be a positive integer, got ${kMax}`);
  if (latents.rows < minClusterSize) throw new RangeError(`${latents.rows} samples cannot form a cluster of at least ${minClusterSize}`);
  const largestK = Math.min(kMax, Math.floor(latents.rows / minClusterSize));
  if (fixedK !== undefined && (!Number.isInteger(fixedK) || fixedK < 1 || fixedK > largestK)) {
    throw new RangeError(`k = ${fixedK} is not possible with ${latents.rows} samples (at most ${largestK} clusters of ${minClusterSize})`);
  }
  const runs: KMeansResult[] = [];
  for (let k = 1; k <= largestK; k++) {
    signal?.throwIfAborted();
    runs.push(kMeans(latents, k, options.kMeans));
  }
  const wcss = runs.map((run) => run.wcss);
  const eligible = (k: number) => runs[k - 1].sizes.every((size) => size >= minClusterSize);
  const elbow = kneedleElbow(wcss, eligible);
  if (fixedK !== undefined && !eligible(fixedK)) {
    throw new RangeError(`k = ${fixedK} leaves a cluster with fewer than ${minClusterSize} samples (sizes ${runs[fixedK - 1].sizes.join(', ')})`);
  }
  const chosenK = fixedK ?? elbow.k;
  return { wcss, elbow, chosenK, chosenBy: fixedK !== undefined ? 'fixed' : 'elbow', clustering: runs[chosenK - 1] };
}
