import { UserInputError } from '../../errors/user-input-error.ts';
import { type ProgressReporter, throwIfCancelled } from '../../progress/progress.ts';
import { clusterAdaptively } from '../clustering/adaptive-clustering.ts';
import { type LatentMatrix, latentMatrix, selectRows } from '../clustering/latent-matrix.ts';
import type { LatentExtractor } from '../models/latent-extractor.ts';
import { deriveSeed } from '../random/seeded-random.ts';
import type { BundleClass, TrainingParameters } from './bundle-manifest.ts';
import type { LabelledImage, LabelledImageSource } from './labelled-images.ts';
import type { TrainingObserver } from './training-observer.ts';

/**
 * Stage i's first two steps: the latents R(x) of every training image (a batch of images at a
 * time, so a large folder never sits in memory), then per class k-means++ for k = 1..K_max with
 * the elbow rule (or a fixed k), giving each cluster's members and their latents.
 */
export interface ClassPlan {
  readonly cls: Omit<BundleClass, 'clusters'>;
  /** members: positions in the training source */
  readonly clusters: { members: number[]; latents: LatentMatrix }[];
}

export async function extractLatents(
  images: readonly LabelledImage[],
  extractor: LatentExtractor,
  batchSize: number,
  progress: ProgressReporter,
  signal?: AbortSignal,
): Promise<Float32Array[]> {
  const latents: Float32Array[] = [];
  for (let start = 0; start < images.length; start += batchSize) {
    throwIfCancelled(signal);
    const batch = images.slice(start, start + batchSize);
    latents.push(...(await extractor.extract(await Promise.all(batch.map((entry) => entry.load())))));
    const done = Math.min(start + batchSize, images.length);
    progress.report({ stage: 'latents', fraction: done / images.length, message: `${done}/${images.length} images` });
  }
  return latents;
}

export function clusterClasses(
  source: LabelledImageSource,
  latents: readonly Float32Array[],
  p: TrainingParameters,
  progress: ProgressReporter,
  observer: TrainingObserver | undefined,
  signal?: AbortSignal,
): ClassPlan[] {
  return source.classNames.map((className, classIndex) => {
    throwIfCancelled(signal);
    const members = source.images.flatMap((image, i) => (image.className === className ? [i] : []));
    if (members.length < p.minClusterSize) {
      throw new UserInputError(`class '${className}' has ${members.length} training image(s); a class needs at least ${p.minClusterSize} for a covariance`);
    }
    const matrix = latentMatrix(members.map((i) => latents[i]));
    let clustering;
    try {
      clustering = clusterAdaptively(
        matrix,
        {
          kMax: p.kMax,
          fixedK: p.fixedK ?? undefined,
          minClusterSize: p.minClusterSize,
          kMeans: { seed: deriveSeed(p.seed, classIndex), restarts: p.kMeansRestarts, maxIterations: p.kMeansMaxIterations },
        },
        signal,
      );
    } catch (error) {
      if (error instanceof RangeError) throw new UserInputError(`class '${className}': ${error.message}`);
      throw error;
    }
    const clusters = Array.from({ length: clustering.chosenK }, (_, j) => {
      const rows = members.flatMap((_, r) => (clustering.clustering.assignments[r] === j ? [r] : []));
      return { members: rows.map((r) => members[r]), latents: selectRows(matrix, rows) };
    });
    observer?.classClustered?.({
      className,
      wcss: [...clustering.wcss],
      chosenK: clustering.chosenK,
      chosenBy: clustering.chosenBy,
      elbowK: clustering.elbow.k,
      minClusterSize: p.minClusterSize,
    });
    progress.report({
      stage: 'clusters',
      fraction: (classIndex + 1) / source.classNames.length,
      message: `${className}: k = ${clustering.chosenK}`,
      metrics: { wcss: [...clustering.wcss] },
    });
    return {
      cls: {
        name: className,
        index: classIndex,
        imageCount: members.length,
        wcss: clustering.wcss,
        elbowChordDistances: clustering.elbow.chordDistances,
        elbowK: clustering.elbow.k,
        chosenK: clustering.chosenK,
        chosenBy: clustering.chosenBy,
      },
      clusters,
    };
  });
}
