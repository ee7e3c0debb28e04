import { readFile } from 'node:fs/promises';
import { UserInputError } from '../../errors/user-input-error.ts';
import { writeFileAtomic } from '../../io/atomic-write.ts';
import { readNpy, writeNpy } from '../../io/npy.ts';
import { type ProgressReporter, silentProgress, throwIfCancelled } from '../../progress/progress.ts';
import { deriveSeed, sampleIndices, seededRandom } from '../random/seeded-random.ts';
import type { TrainingParameters } from '../references/bundle-manifest.ts';
import { sha256Hex } from '../references/bundle-writer.ts';
import type { LabelledImageSource } from '../references/labelled-images.ts';
import { learnPatchDictionary } from '../references/learn-patch-dictionary.ts';
import { highFrequencyPatches } from '../references/training-patches.ts';
import type { CbpdnEngineFactory } from '../signal/cbpdn.ts';
import { type ConvDictionary, fromSporcoLayout, toSporcoLayout } from '../signal/conv-dictionary.ts';
import { fastEngineFactory } from '../signal/parallel/parallel-cbpdn-engine.ts';

/**
 * The dictionary of the single-dict baseline (STL-like: one dictionary for every image, no
 * semantic selection). It is learned exactly as a bundle's cluster dictionaries are
 * (train-references.ts), from the same crops, with the bundle's CDL parameters, and differs only
 * in where its crops come from:
 *   - crops: every training image gives `patchesPerImage` Tikhonov high-pass crops
 *     (training-patches.ts) drawn with the same per-image seeds as stage i, so the pool is the
 *     union of the crops the bundle's clusters drew from, over all classes;
 *   - budget: `maxPatches` of them, sampled uniformly from the pool; by default the bundle's
 *     `maxPatchesPerCluster`, the budget each cluster dictionary had, so that single-dict and
 *     ACSR's dictionaries have the same size (atoms) and the same amount of training data;
 *   - learning: batch CDL (batch-cdl.ts), atoms, atom size, lambda and iterations from the
 *     parameters, atoms initialised from random windows of the crops as in stage i.
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
  /** default parameters.maxPatchesPerCluster */
  readonly maxPatches?: number;
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
  if (!Number.isInteger(maxPatches) || maxPatches < 1) throw new UserInputError(`the single dictionary's patch budget must be a positive integer, got ${maxPatches}`);
  const shortest = Math.min(...source.images.map((image) => image.shortSide));
  const patchSize = Math.min(p.patchSize, shortest);
  if (patchSize < p.atomSize) throw new UserInputError(`the smallest training image (${shortest} px) is smaller than an atom (${p.atomSize} px)`);

  const pool: Float32Array[] = [];
  const cropProgress = progress.sub(0, 0.2, 'crops');
  for (const [i, entry] of source.images.entries()) {
    throwIfCancelled(signal);
    const image = await entry.load();
    if (image.channels !== channels) throw new UserInputError(`${entry.name} loads with ${image.channels} channel(s), the dictionary is to have ${channels}`);
    pool.push(...highFrequencyPatches(image, patchSize, p.patchesPerImage, p.tikhonovLambda, seededRandom(deriveSeed(p.seed, 1_000_000 + i))));
    cropProgress.report({ stage: 'crops', fraction: (i + 1) / source.images.length });
  }
  const sampleSeed = deriveSeed(p.seed, POOL_SAMPLE_STREAM);
  const chosen = sampleIndices(pool.length, maxPatches, seededRandom(sampleSeed)).map((i) => pool[i]);

  const learned = await learnPatchDictionary(chosen, patchSize, channels, p, request.engine ?? fastEngineFactory(), sampleSeed, progress.sub(0.2, 1, 'dictionary'), signal);
  const datasetLines = source.images.map((image) => `${image.className}\t${image.name}\t${image.sha256}`).sort().join('\n');
  return {
    dictionary: { ...learned.dictionary, data: Float64Array.from(learned.dictionary.data) },
    provenance: {
      kind: 'acsr-single-dictionary', parameters: { ...p }, channels, patchSize,
      pooledPatches: pool.length, trainingPatches: chosen.length, imageCount: source.images.length,
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
