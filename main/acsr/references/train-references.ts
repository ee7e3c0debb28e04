import type { NdArray } from '../../io/ndarray.ts';
import { type ProgressReporter, silentProgress, throwIfCancelled } from '../../progress/progress.ts';
import { clusterAdaptively } from '../clustering/adaptive-clustering.ts';
import { estimateClusterDistribution } from '../clustering/cluster-distribution.ts';
import { type LatentMatrix, latentMatrix, selectRows } from '../clustering/latent-matrix.ts';
import { deriveSeed, sampleIndices, seededRandom } from '../random/seeded-random.ts';
import type { LatentExtractor } from '../models/latent-extractor.ts';
import type { CbpdnEngineFactory } from '../signal/cbpdn.ts';
import { type ConvDictionary, toSporcoLayout } from '../signal/conv-dictionary.ts';
import { fastEngineFactory } from '../signal/parallel/parallel-cbpdn-engine.ts';
import { UserInputError } from '../../errors/user-input-error.ts';
import { BUNDLE_FORMAT, BUNDLE_FORMAT_VERSION, type BundleClass, type BundleCluster, type TrainingParameters } from './bundle-manifest.ts';
import type { BundleContent } from './bundle-writer.ts';
import { sha256Hex } from './bundle-writer.ts';
import type { LabelledImageSource } from './labelled-images.ts';
import { learnPatchDictionary } from './learn-patch-dictionary.ts';
import { highFrequencyPatches } from './training-patches.ts';
import { PSEUDO_INVERSE_RCOND } from '../clustering/pseudo-inverse.ts';

/**
 * Stage i (method.md): latents R(x) of every labelled image; per class, k-means++ for k = 1..K_max
 * with the elbow (or a fixed k); per cluster the mean and (pseudo-)inverse covariance of its
 * latents and a convolutional dictionary learned (batch CDL, paper eq. 5) from the Tikhonov
 * high-frequency parts of crops of its images. Everything random derives from `seed`.
 */
export const DEFAULT_TRAINING_PARAMETERS: TrainingParameters = Object.freeze({
  kMax: 5,
  fixedK: null,
  minClusterSize: 2,
  covariance: 'ledoit-wolf',
  pseudoInverseRcond: PSEUDO_INVERSE_RCOND,
  kMeansRestarts: 4,
  kMeansMaxIterations: 300,
  seed: 0,
  tikhonovLambda: 5,
  atoms: 32,
  atomSize: 8,
  patchSize: 64,
  patchesPerImage: 2,
  maxPatchesPerCluster: 24,
  cdlLambda: 0.1,
  cdlIterations: 60,
  cdlMethod: 'batch-admm-pgm',
});

export interface TrainReferencesRequest {
  readonly source: LabelledImageSource;
  readonly extractor: LatentExtractor;
  readonly parameters: TrainingParameters;
  /** e.g. 'acsr 0.1.0', recorded in the manifest */
  readonly producer: string;
  readonly engine?: CbpdnEngineFactory<Float32Array>;
  /** images per extractor call */
  readonly batchSize?: number;
  readonly progress?: ProgressReporter;
  readonly signal?: AbortSignal;
  /** Told of each result as soon as it exists (the desktop app draws them live); never changes what is computed. */
  readonly observer?: TrainingObserver;
}

/** What a caller may watch while stage i runs. */
export interface TrainingObserver {
  /** A class clustered: its WCSS curve for k = 1..K_max (one value for a fixed k) and the k chosen. */
  classClustered?(result: { className: string; wcss: readonly number[]; chosenK: number; chosenBy: 'elbow' | 'fixed'; elbowK: number; minClusterSize: number }): void;
  /** A cluster's dictionary learned (atom-major layout, see ConvDictionary). */
  dictionaryLearned?(result: { clusterId: string; sampleCount: number; dictionary: ConvDictionary<Float32Array> }): void;
}

/** Share of the progress bar per phase, from timings of the default bundle. */
const LATENT_SHARE = 0.25;
const CLUSTER_SHARE = 0.05;

export async function trainReferences(request: TrainReferencesRequest): Promise<BundleContent> {
  const { source, extractor, parameters: p } = request;
  const progress = request.progress ?? silentProgress;
  const signal = request.signal;
  const channels = extractor.inputSize.channels;
  if (source.images.length === 0) throw new UserInputError('no training images');
  const shortest = Math.min(...source.images.map((image) => image.shortSide));
  const patchSize = Math.min(p.patchSize, shortest);
  if (patchSize < p.atomSize) throw new UserInputError(`the smallest training image (${shortest} px) is smaller than an atom (${p.atomSize} px)`);

  // 1. latents and training patches, a batch of images at a time
  const latentProgress = progress.sub(0, LATENT_SHARE, 'latents');
  const latents: Float32Array[] = [];
  const patches: Float32Array[][] = [];
  const batchSize = request.batchSize ?? 16;
  for (let start = 0; start < source.images.length; start += batchSize) {
    throwIfCancelled(signal);
    const batch = source.images.slice(start, start + batchSize);
    const images = await Promise.all(batch.map((entry) => entry.load()));
    latents.push(...(await extractor.extract(images)));
    images.forEach((image, i) => {
      const random = seededRandom(deriveSeed(p.seed, 1_000_000 + start + i));
      patches.push(highFrequencyPatches(image, patchSize, p.patchesPerImage, p.tikhonovLambda, random));
    });
    const done = Math.min(start + batchSize, source.images.length);
    latentProgress.report({ stage: 'latents', fraction: done / source.images.length, message: `${done}/${source.images.length} images` });
  }

  // 2. per class: clusters and their distributions
  const clusterProgress = progress.sub(LATENT_SHARE, LATENT_SHARE + CLUSTER_SHARE, 'clusters');
  const plans: { cls: Omit<BundleClass, 'clusters'>; clusters: { members: number[]; latents: LatentMatrix }[] }[] = [];
  source.classNames.forEach((className, classIndex) => {
    throwIfCancelled(signal);
    const members = source.images.flatMap((image, i) => (image.className === className ? [i] : []));
    if (members.length < p.minClusterSize) {
      throw new UserInputError(`class '${className}' has ${members.length} image(s); a class needs at least ${p.minClusterSize} for a covariance`);
    }
    const matrix = latentMatrix(members.map((i) => latents[i]));
    let clustering;
    try {
      clustering = clusterAdaptively(matrix, {
        kMax: p.kMax, fixedK: p.fixedK ?? undefined, minClusterSize: p.minClusterSize,
        kMeans: { seed: deriveSeed(p.seed, classIndex), restarts: p.kMeansRestarts, maxIterations: p.kMeansMaxIterations },
      }, signal);
    } catch (error) {
      if (error instanceof RangeError) throw new UserInputError(`class '${className}': ${error.message}`);
      throw error;
    }
    const clusters = Array.from({ length: clustering.chosenK }, (_, j) => {
      const rows = members.flatMap((_, r) => (clustering.clustering.assignments[r] === j ? [r] : []));
      return { members: rows.map((r) => members[r]), latents: selectRows(matrix, rows) };
    });
    plans.push({
      cls: {
        name: className, index: classIndex, imageCount: members.length, wcss: clustering.wcss,
        elbowChordDistances: clustering.elbow.chordDistances, elbowK: clustering.elbow.k,
        chosenK: clustering.chosenK, chosenBy: clustering.chosenBy,
      },
      clusters,
    });
    request.observer?.classClustered?.({
      className, wcss: [...clustering.wcss], chosenK: clustering.chosenK, chosenBy: clustering.chosenBy, elbowK: clustering.elbow.k, minClusterSize: p.minClusterSize,
    });
    clusterProgress.report({
      stage: 'clusters', fraction: (classIndex + 1) / source.classNames.length, message: `${className}: k = ${clustering.chosenK}`,
      metrics: { wcss: [...clustering.wcss] },
    });
  });

  // 3. per cluster: distribution and dictionary
  const totalClusters = plans.reduce((n, plan) => n + plan.clusters.length, 0);
  const arrays = new Map<string, NdArray>();
  const classes: BundleClass[] = [];
  const engine = request.engine ?? fastEngineFactory();
  let clusterNumber = 0;
  for (const plan of plans) {
    const clusters: BundleCluster[] = [];
    for (const [j, cluster] of plan.clusters.entries()) {
      const id = `${plan.cls.name}:${j}`;
      let distribution;
      try {
        distribution = estimateClusterDistribution(cluster.latents, p.covariance, p.pseudoInverseRcond);
      } catch (error) {
        if (error instanceof RangeError) throw new UserInputError(`cluster ${id}: ${error.message}`);
        throw error;
      }
      const from = LATENT_SHARE + CLUSTER_SHARE + ((1 - LATENT_SHARE - CLUSTER_SHARE) * clusterNumber) / totalClusters;
      const to = LATENT_SHARE + CLUSTER_SHARE + ((1 - LATENT_SHARE - CLUSTER_SHARE) * (clusterNumber + 1)) / totalClusters;
      const dictionaryProgress = progress.sub(from, to, `dictionary ${id}`);
      const clusterSeed = deriveSeed(p.seed, 2_000_000 + clusterNumber);
      const clusterPatches = cluster.members.flatMap((i) => patches[i]);
      const chosen = sampleIndices(clusterPatches.length, p.maxPatchesPerCluster, seededRandom(clusterSeed)).map((i) => clusterPatches[i]);
      const learned = await learnPatchDictionary(chosen, patchSize, channels, p, engine, clusterSeed, dictionaryProgress, signal);
      request.observer?.dictionaryLearned?.({ clusterId: id, sampleCount: cluster.members.length, dictionary: learned.dictionary });

      const folder = `clusters/${plan.cls.index}-${j}`;
      const files = {
        mean: `${folder}/mean.npy`,
        precisionBasis: `${folder}/precision-basis.npy`,
        precisionEigenvalues: `${folder}/precision-eigenvalues.npy`,
        dictionary: `${folder}/dictionary.npy`,
      };
      const r = distribution.precisions.length;
      const d = distribution.dimension;
      arrays.set(files.mean, { shape: [d], data: distribution.mean });
      arrays.set(files.precisionBasis, { shape: [r, d], data: distribution.basis });
      arrays.set(files.precisionEigenvalues, { shape: [r], data: distribution.precisions });
      const sporco = toSporcoLayout({ ...learned.dictionary, data: Float64Array.from(learned.dictionary.data) });
      arrays.set(files.dictionary, { shape: sporco.shape, data: sporco.data });
      clusters.push({
        id, index: j, sampleCount: cluster.members.length,
        members: cluster.members.map((i) => source.images[i].name),
        covariance: { method: distribution.method, rank: r, shrinkage: distribution.shrinkage, complementPrecision: distribution.complementPrecision },
        dictionary: {
          atoms: p.atoms, atomHeight: p.atomSize, atomWidth: p.atomSize, channels,
          trainingPatches: chosen.length, patchSize, iterations: p.cdlIterations,
          objective: learned.objective.map((v) => (Number.isFinite(v) ? v : null)),
        },
        files,
      });
      clusterNumber++;
    }
    classes.push({ ...plan.cls, clusters });
  }

  const datasetLines = source.images.map((image) => `${image.className}\t${image.name}\t${image.sha256}`).sort().join('\n');
  return {
    manifest: {
      format: BUNDLE_FORMAT,
      formatVersion: BUNDLE_FORMAT_VERSION,
      producer: request.producer,
      channels,
      extractor: {
        id: extractor.identity.id, weightSha256: extractor.identity.weightSha256, backend: extractor.identity.backend,
        inputSize: extractor.inputSize, latentDimension: extractor.latentDimension,
      },
      parameters: { ...p },
      trainingData: {
        kind: source.kind, description: source.description, imageCount: source.images.length,
        datasetSha256: sha256Hex(datasetLines), sources: source.sources,
      },
      classes,
    },
    arrays,
  };
}
