import { readFile } from 'node:fs/promises';
import { UserInputError } from '../../errors/user-input-error.ts';
import { writeFileAtomic } from '../../io/atomic-write.ts';
import { readNpy, writeNpy } from '../../io/npy.ts';
import { type ProgressReporter, silentProgress, throwIfCancelled } from '../../progress/progress.ts';
import { deriveSeed } from '../random/seeded-random.ts';
import type { TrainingParameters } from '../references/bundle-manifest.ts';
import { sha256Hex } from '../../io/hashing.ts';
import type { LabelledImageSource } from '../references/labelled-images.ts';
import { cdlSettings, learnPatchDictionary } from '../references/learn-patch-dictionary.ts';
import { imagePatchSource } from '../references/patch-source.ts';
import { trainingCropSide } from '../references/training-crop-side.ts';
import type { CbpdnEngineFactory } from '../signal/cbpdn.ts';
import { type ConvDictionary, fromSporcoLayout, toSporcoLayout } from '../signal/conv-dictionary.ts';
import { fastEngineFactory } from '../signal/parallel/parallel-cbpdn-engine.ts';

/**
 * The dictionary of the single-dict baseline (STL-like: one dictionary for every image, no
 * semantic selection). It is learned exactly as a bundle's cluster dictionaries are
 * (train-references.ts), from the same crops, with the bundle's CDL parameters, and differs only
 * in where its crops come from:
 *   - crops: every training image gives up to `patchesPerImage` distinct Tikhonov high-pass
 *     crops (training-patches.ts) drawn with the same per-image seeds as stage i, so the pool is
 *     the union of the crops the bundle's clusters drew from, over all classes;
 *   - budget: `maxPatches` of them (whole images' crops in a seeded order, learn-patch-dictionary.ts);
 *     by default the bundle's `maxPatchesPerCluster`: every crop when that is null (a version 2
 *     bundle's default, where each cluster learned from all its images), else that cap, so that
 *     single-dict and ACSR's dictionaries have the same size (atoms) and learning budget;
 *   - learning: as stage i (batch CDL for a small pool, online CDL streaming over a large one),
 *     atoms, atom size, lambda, iterations and epochs from the parameters.
 */
export interface SingleDictionaryProvenance {
  readonly kind: 'acsr-single-dictionary';
  readonly parameters: TrainingParameters;
  readonly channels: 1 | 3;
  readonly patchSize: number;
  /** crops in the pool, and how many of them the dictionary learned from */
  readonly pooledPatches: number;
  readonly trainingPatches: number;
  readonly imageCount: number;
  /** as a bundle manifest's trainingData.datasetSha256: SHA-256 of the sorted 'class\tname\tsha256' lines */
  readonly datasetSha256: string;
  readonly objective: (number | null)[];
}

export interface SingleDictionary {
  readonly dictionary: ConvDictionary<Float64Array>;
  readonly provenance: SingleDictionaryProvenance;
}

export interface LearnSingleDictionaryRequest {
  readonly source: LabelledImageSource;
  /** usually a bundle's manifest.parameters, for a like-for-like comparison */
  readonly parameters: TrainingParameters;
  /** of the dictionary: the images' channel count as the source loads them */
  readonly channels: 1 | 3;
  /** default parameters.maxPatchesPerCluster; null: every crop */
  readonly maxPatches?: number | null;
  readonly engine?: CbpdnEngineFactory<Float32Array>;
  readonly progress?: ProgressReporter;
  readonly signal?: AbortSignal;
}

/** Stream of the seed that samples the pool; stage i's streams are 1_000_000 + image and 2_000_000 + cluster. */
const POOL_SAMPLE_STREAM = 3_000_000;

export async function learnSingleDictionary(request: LearnSingleDictionaryRequest): Promise<SingleDictionary> {
  const { source, parameters: p, channels, signal } = request;
  const progress = request.progress ?? silentProgress;
  if (source.images.length === 0) throw new UserInputError('no training images for the single dictionary');
  const maxPatches = request.maxPatches ?? p.maxPatchesPerCluster;
  if (maxPatches !== null && (!Number.isInteger(maxPatches) || maxPatches < 1))
    throw new UserInputError(`the single dictionary's patch budget must be a positive integer, got ${maxPatches}`);
  const shortest = Math.min(...source.images.map((image) => image.shortSide));
  const patchSize = trainingCropSide(shortest, p.atomSize, p.patchSize);

  for (const entry of source.images) {
    if (entry.height < patchSize || entry.width < patchSize) throw new UserInputError(`${entry.name} is smaller than the training crops (${patchSize} px)`);
  }
  throwIfCancelled(signal);
  // stage i seeds an image's crops by its position in the data source; so does this pool
  const crops = imagePatchSource(
    source.images,
    source.images.map((_, i) => i),
    { patchSize, patchesPerImage: p.patchesPerImage, tikhonovLambda: p.tikhonovLambda, seed: p.seed },
  );
  const channelChecked = {
    ...crops,
    patchesOf: async (i: number) => {
      const patches = await crops.patchesOf(i);
      if (patches[0].length !== channels * patchSize * patchSize)
        throw new UserInputError(`${source.images[i].name} does not load with ${channels} channel(s), as the dictionary is to have`);
      return patches;
    },
  };
  let pooledPatches = 0;
  for (let i = 0; i < source.images.length; i++) pooledPatches += crops.patchCountOf(i);
  const sampleSeed = deriveSeed(p.seed, POOL_SAMPLE_STREAM);
  const learned = await learnPatchDictionary(
    channelChecked,
    patchSize,
    channels,
    { ...cdlSettings(p), maxPatchesPerCluster: maxPatches },
    request.engine ?? fastEngineFactory(),
    sampleSeed,
    progress,
    signal,
  );
  const datasetLines = source.images
    .map((image) => `${image.className}\t${image.name}\t${image.sha256}`)
    .sort()
    .join('\n');
  return {
    dictionary: { ...learned.dictionary, data: Float64Array.from(learned.dictionary.data) },
    provenance: {
      kind: 'acsr-single-dictionary',
      parameters: { ...p },
      channels,
      patchSize,
      pooledPatches,
      trainingPatches: learned.patches,
      imageCount: source.images.length,
      datasetSha256: sha256Hex(datasetLines),
      objective: learned.objective.map((v) => (Number.isFinite(v) ? v : null)),
    },
  };
}

/** `path` is the .npy (SPORCO's layout, as a bundle's dictionary.npy); the provenance goes beside it as .json. */
export async function saveSingleDictionary(path: string, single: SingleDictionary): Promise<void> {
  const sporco = toSporcoLayout(single.dictionary);
  await writeNpy(path, { shape: sporco.shape, data: sporco.data });
  await writeFileAtomic(provenancePath(path), `${JSON.stringify(single.provenance, null, 2)}\n`);
}

/** The dictionary, and its provenance when the .json beside it exists (a hand-made .npy has none). */
export async function loadSingleDictionary(path: string): Promise<{ dictionary: ConvDictionary<Float64Array>; provenance?: SingleDictionaryProvenance }> {
  const array = await readNpy(path);
  let dictionary: ConvDictionary<Float64Array>;
  try {
    dictionary = fromSporcoLayout(array.shape, Float64Array.from(array.data));
  } catch (error) {
    throw new UserInputError(`${path}: ${(error as Error).message}`);
  }
  const text = await readFile(provenancePath(path), 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw new UserInputError(`${provenancePath(path)}: ${error.message}`);
  });
  if (text === undefined) return { dictionary };
  try {
    return { dictionary, provenance: JSON.parse(text) as SingleDictionaryProvenance };
  } catch (error) {
    throw new UserInputError(`${provenancePath(path)}: not valid JSON (${(error as Error).message})`);
  }
}

function provenancePath(npyPath: string): string {
  return npyPath.replace(/\.npy$/i, '') + '.json';
}
