/**
 * The labelled clean images an evaluation attacks: the Fashion-MNIST test split (t10k, never seen
 * by stage i, which learns from the train split) or a folder with one sub-folder per class whose
 * names match the classifier's classes (case-insensitively: `neutral/` is nsfwjs's `Neutral`).
 * Labels are indices into the classifier's class list.
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { UserInputError } from '../../errors/user-input-error.ts';
import type { ImageArray } from '../array/image-array.ts';
import { FASHION_MNIST_CLASSES, loadFashionMnist } from '../data/fashion-mnist.ts';
import { isFashionMnistFolder, labelledFolder } from '../references/labelled-images.ts';

export interface EvaluationSample {
  /** 't10k[12]' or the path below the data folder */
  readonly name: string;
  readonly label: number;
  readonly image: ImageArray;
}

export interface EvaluationSampleSet {
  readonly description: string;
  readonly samples: readonly EvaluationSample[];
  /** SHA-256 over every sample's name, label and pixels: a resumed run must see the same data */
  readonly fingerprint: string;
}

export async function loadEvaluationSamples(
  data: string,
  classNames: readonly string[],
  channels: 1 | 3,
  limit: number | undefined,
): Promise<EvaluationSampleSet> {
  const fashionMnist = await isFashionMnistFolder(data);
  const samples = fashionMnist ? await fashionMnistTestSamples(data, classNames, limit) : await folderSamples(data, classNames, channels, limit);
  if (samples.length === 0) throw new UserInputError(`${data}: no images to evaluate`);
  const source = fashionMnist ? `Fashion-MNIST test split (${data})` : `labelled folder ${data}`;
  return { description: `${samples.length} images of the ${source}`, samples, fingerprint: samplesFingerprint(samples) };
}

async function fashionMnistTestSamples(data: string, classNames: readonly string[], limit: number | undefined): Promise<EvaluationSample[]> {
  const mismatch = FASHION_MNIST_CLASSES.findIndex((name, i) => classNames[i] !== name);
  if (classNames.length !== FASHION_MNIST_CLASSES.length || mismatch >= 0) {
    throw new UserInputError(`the classifier's classes (${classNames.join(', ')}) are not Fashion-MNIST's ten classes`);
  }
  const set = await loadFashionMnist(data, 't10k', limit);
  return set.images.map((image, i) => ({ name: `t10k[${i}]`, label: set.labels[i], image }));
}

async function folderSamples(data: string, classNames: readonly string[], channels: 1 | 3, limit: number | undefined): Promise<EvaluationSample[]> {
  const folder = await labelledFolder(data, channels);
  const labelOf = new Map<string, number>();
  for (const folderClass of folder.classNames) {
    const index = classNames.findIndex((name) => name.toLowerCase() === folderClass.toLowerCase());
    if (index < 0)
      throw new UserInputError(`${join(data, folderClass)}: no class of the classifier is called '${folderClass}' (classes: ${classNames.join(', ')})`);
    labelOf.set(folderClass, index);
  }
  // Interleave the classes so that a --limit keeps every class represented.
  const byClass = folder.classNames.map((name) => folder.images.filter((image) => image.className === name));
  const ordered = [];
  for (let i = 0; ordered.length < folder.images.length; i++) {
    for (const images of byClass) if (i < images.length) ordered.push(images[i]);
  }
  const chosen = ordered.slice(0, limit ?? ordered.length);
  const samples: EvaluationSample[] = [];
  for (const entry of chosen) {
    const image = await entry.load();
    samples.push({ name: entry.name, label: labelOf.get(entry.className)!, image });
  }
  return samples;
}

/** SHA-256 over the samples' names, labels and pixels: the identity of a data set or of one batch. */
export function samplesFingerprint(samples: readonly EvaluationSample[]): string {
  const hash = createHash('sha256');
  for (const sample of samples) {
    hash.update(`${sample.name}\0${sample.label}\0`);
    hash.update(new Uint8Array(Float64Array.from(sample.image.data).buffer));
  }
  return hash.digest('hex');
}

/** Consecutive runs of equally sized samples, at most `size` each: attacks work on one block per batch. */
export function sampleBatches(samples: readonly EvaluationSample[], size: number): { first: number; samples: EvaluationSample[] }[] {
  const batches: { first: number; samples: EvaluationSample[] }[] = [];
  samples.forEach((sample, index) => {
    const last = batches.at(-1);
    const fits = last !== undefined && last.samples.length < size && sameShape(last.samples[0].image, sample.image);
    if (fits) last.samples.push(sample);
    else batches.push({ first: index, samples: [sample] });
  });
  return batches;
}

function sameShape(a: ImageArray, b: ImageArray): boolean {
  return a.height === b.height && a.width === b.width && a.channels === b.channels;
}
