import type { NdArray } from '../../io/ndarray.ts';
import { type ProgressReporter, silentProgress } from '../../progress/progress.ts';
import { estimateClusterDistribution } from '../clustering/cluster-distribution.ts';
import { deriveSeed, sampleIndices, seededRandom } from '../random/seeded-random.ts';
import type { LatentExtractor } from '../models/latent-extractor.ts';
import type { CbpdnEngineFactory } from '../signal/cbpdn.ts';
import { toSporcoLayout } from '../signal/conv-dictionary.ts';
import { fastEngineFactory } from '../signal/parallel/parallel-cbpdn-engine.ts';
import { UserInputError } from '../../errors/user-input-error.ts';
import { BUNDLE_FORMAT, BUNDLE_FORMAT_VERSION, type BundleClass, type BundleCluster, type BundleManifest, type TrainingParameters } from './bundle-manifest.ts';
import type { BundleContent } from './bundle-writer.ts';
import type { TrainingObserver } from './training-observer.ts';
import { clusterClasses, extractLatents } from './cluster-classes.ts';
import type { LabelledImage, LabelledImageSource } from './labelled-images.ts';
import { CDL_DEFAULTS, cdlSettings, learnPatchDictionary } from './learn-patch-dictionary.ts';
import { imagePatchSource } from './patch-source.ts';
import { trainingCropSide } from './training-crop-side.ts';
import { type SpecificityCluster, checkSpecificity } from './specificity-check.ts';
import { specificityHeatmapPng } from './specificity-heatmap.ts';
import { type ValidationSplit, imageListSha256, splitValidation } from './validation-split.ts';
import { PSEUDO_INVERSE_RCOND } from '../clustering/pseudo-inverse.ts';

/**
 * Stage i (method.md): a validation share of every class is held out (validation-split.ts); the
 * latents R(x) of the rest; per class, k-means++ for k = 1..K_max with the elbow (or a fixed k);
 * per cluster the mean and (pseudo-)inverse covariance of its latents and a convolutional
 * dictionary learned from the Tikhonov high-frequency parts of distinct crops of ALL its images
 * (learn-patch-dictionary.ts: batch CDL, paper eq. 5, for a small cluster, online CDL streaming
 * over a large one); finally the specificity check on the held-out images
 * (specificity-check.ts). Everything random derives from `seed`.
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
  patchesPerImage: 4,
  maxPatchesPerCluster: null,
  cdlLambda: 0.1,
  cdlIterations: 60,
  cdlMethod: 'auto',
  ...CDL_DEFAULTS,
  validationFraction: 0.1,
  specificityImagesPerClass: 30,
});

/** CBPDN iterations per image and dictionary in the specificity check: bounds its cost (images x clusters solves). */
export const SPECIFICITY_MAX_ITERATIONS = 50;

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

export type { TrainingObserver } from './training-observer.ts';

/** Share of the progress bar per phase. */
const LATENT_SHARE = 0.1;
const CLUSTER_SHARE = 0.02;
const SPECIFICITY_SHARE = 0.1;
export const SPECIFICITY_JSON = 'specificity/specificity.json';
export const SPECIFICITY_PNG = 'specificity/specificity.png';

export async function trainReferences(request: TrainReferencesRequest): Promise<BundleContent> {
  const { extractor, parameters: p } = request;
  const progress = request.progress ?? silentProgress;
  const signal = request.signal;
  const channels = extractor.inputSize.channels;
  if (request.source.images.length === 0) throw new UserInputError('no training images');
  const split = splitValidation(request.source, p.validationFraction ?? 0, p.seed, p.minClusterSize);
  const source = split.training;
  const shortest = Math.min(...request.source.images.map((image) => image.shortSide));
  const patchSize = trainingCropSide(shortest, p.atomSize, p.patchSize);
  const patchSettings = { patchSize, patchesPerImage: p.patchesPerImage, tikhonovLambda: p.tikhonovLambda, seed: p.seed };

  const latents = await extractLatents(source.images, extractor, request.batchSize ?? 16, progress.sub(0, LATENT_SHARE, 'latents'), signal);
  const plans = clusterClasses(source, latents, p, progress.sub(LATENT_SHARE, LATENT_SHARE + CLUSTER_SHARE, 'clusters'), request.observer, signal);

  // per cluster: distribution and dictionary
  const totalClusters = plans.reduce((n, plan) => n + plan.clusters.length, 0);
  const arrays = new Map<string, NdArray>();
  const classes: BundleClass[] = [];
  const checked: SpecificityCluster[] = [];
  const engine = request.engine ?? fastEngineFactory();
  const cdl = cdlSettings(p);
  const dictionaryShare = 1 - LATENT_SHARE - CLUSTER_SHARE - SPECIFICITY_SHARE;
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
      const from = LATENT_SHARE + CLUSTER_SHARE + (dictionaryShare * clusterNumber) / totalClusters;
      const to = LATENT_SHARE + CLUSTER_SHARE + (dictionaryShare * (clusterNumber + 1)) / totalClusters;
      const clusterSeed = deriveSeed(p.seed, 2_000_000 + clusterNumber);
      const patches = imagePatchSource(
        cluster.members.map((i) => source.images[i]),
        cluster.members.map((i) => split.trainingIndex[i]),
        patchSettings,
      );
      const learned = await learnPatchDictionary(patches, patchSize, channels, cdl, engine, clusterSeed, progress.sub(from, to, `dictionary ${id}`), signal);
      request.observer?.dictionaryLearned?.({ clusterId: id, sampleCount: cluster.members.length, dictionary: learned.dictionary });
      checked.push({ id, className: plan.cls.name, distribution, dictionary: learned.dictionary });

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
        id,
        index: j,
        sampleCount: cluster.members.length,
        members: cluster.members.map((i) => source.images[i].name),
        covariance: { method: distribution.method, rank: r, shrinkage: distribution.shrinkage, complementPrecision: distribution.complementPrecision },
        dictionary: {
          atoms: p.atoms,
          atomHeight: p.atomSize,
          atomWidth: p.atomSize,
          channels,
          trainingPatches: learned.patches,
          patchSize,
          iterations: learned.iterations,
          objective: learned.objective.map((v) => (Number.isFinite(v) ? v : null)),
          method: learned.method,
          trainingImages: learned.images,
          epochs: learned.epochs,
        },
        files,
      });
      clusterNumber++;
    }
    classes.push({ ...plan.cls, clusters });
  }

  // the specificity check on (at most specificityImagesPerClass of) the held-out images
  const extraFiles = new Map<string, Uint8Array | string>();
  let specificity: BundleManifest['specificity'] = null;
  const sample = specificitySample(split, p);
  if (sample.images.length > 0) {
    const check = await checkSpecificity({
      images: sample.images,
      sourceIndex: sample.sourceIndex,
      clusters: checked,
      extractor,
      channels,
      patches: { patchSize, tikhonovLambda: p.tikhonovLambda, seed: p.seed },
      lambda: p.cdlLambda,
      maxIterations: SPECIFICITY_MAX_ITERATIONS,
      progress: progress.sub(1 - SPECIFICITY_SHARE, 1, 'specificity'),
      signal,
    });
    const png = await specificityHeatmapPng(check);
    extraFiles.set(SPECIFICITY_JSON, JSON.stringify(check, null, 2) + '\n');
    extraFiles.set(SPECIFICITY_PNG, png);
    specificity = { json: SPECIFICITY_JSON, png: SPECIFICITY_PNG, ...check.summary };
    request.observer?.specificityChecked?.({ check, png });
  }

  return {
    manifest: {
      format: BUNDLE_FORMAT,
      formatVersion: BUNDLE_FORMAT_VERSION,
      producer: request.producer,
      channels,
      extractor: {
        id: extractor.identity.id,
        weightSha256: extractor.identity.weightSha256,
        backend: extractor.identity.backend,
        inputSize: extractor.inputSize,
        latentDimension: extractor.latentDimension,
      },
      parameters: { ...p },
      trainingData: {
        kind: request.source.kind,
        description: request.source.description,
        imageCount: request.source.images.length,
        datasetSha256: imageListSha256(request.source.images),
        sources: request.source.sources,
      },
      validation: split.record,
      specificity,
      classes,
    },
    arrays,
    extraFiles,
  };
}

/** Up to specificityImagesPerClass held-out images of each class, a seeded choice, in source order. */
function specificitySample(split: ValidationSplit, p: TrainingParameters): { images: LabelledImage[]; sourceIndex: number[] } {
  const cap = p.specificityImagesPerClass ?? Infinity;
  const chosen: number[] = [];
  const classNames = [...new Set(split.validation.map((image) => image.className))];
  classNames.forEach((className, c) => {
    const members = split.validation.flatMap((image, k) => (image.className === className ? [k] : []));
    chosen.push(...sampleIndices(members.length, cap, seededRandom(deriveSeed(p.seed, SPECIFICITY_STREAM + c))).map((r) => members[r]));
  });
  chosen.sort((a, b) => a - b);
  return { images: chosen.map((k) => split.validation[k]), sourceIndex: chosen.map((k) => split.validationIndex[k]) };
}

const SPECIFICITY_STREAM = 5_000_000;
