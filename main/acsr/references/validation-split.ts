import { UserInputError } from '../../errors/user-input-error.ts';
import { deriveSeed, seededRandom, sampleIndices } from '../random/seeded-random.ts';
import type { BundleManifest, ValidationRecord } from './bundle-manifest.ts';
import { sha256Hex } from '../../io/hashing.ts';
import { type LabelledImage, type LabelledImageSource, fashionMnistSource, labelledFolder } from './labelled-images.ts';

/**
 * The validation split: from each class of the training data, a seeded random `fraction` of its
 * images is held out (never the test split: only what was given as training data is split).
 * Stage i learns from the rest; the held-out images serve the specificity check and, later, the
 * tuning of purification settings. The split is a pure function of the data source (its images
 * in their order), the fraction and the seed, so `validationImagesOf` can hand a later step the
 * very same images, checked against the hashes the bundle recorded.
 */
export interface ValidationSplit {
  /** the source without the held-out images (positions in `trainingIndex`) */
  readonly training: LabelledImageSource;
  readonly trainingIndex: readonly number[];
  readonly validation: readonly LabelledImage[];
  readonly validationIndex: readonly number[];
  readonly record: ValidationRecord;
}

/** Stream of the per-class split seeds (stage i uses 1_000_000+ for crops, 2_000_000+ for clusters). */
const SPLIT_STREAM = 4_000_000;

export function splitValidation(source: LabelledImageSource, fraction: number, seed: number, minTrainingPerClass: number): ValidationSplit {
  if (!(fraction >= 0 && fraction <= 0.9)) throw new UserInputError(`the validation fraction must be between 0 and 0.9, got ${fraction}`);
  const heldOut = new Set<number>();
  const perClass = source.classNames.map((className, classIndex) => {
    const members = source.images.flatMap((image, i) => (image.className === className ? [i] : []));
    // a class too small to spare images keeps them all (it still needs a covariance)
    const count = Math.min(Math.round(fraction * members.length), Math.max(0, members.length - minTrainingPerClass));
    for (const r of sampleIndices(members.length, count, seededRandom(deriveSeed(seed, SPLIT_STREAM + classIndex)))) heldOut.add(members[r]);
    return { className, images: members.length, heldOut: count };
  });
  const trainingIndex = source.images.flatMap((_, i) => (heldOut.has(i) ? [] : [i]));
  const validationIndex = source.images.flatMap((_, i) => (heldOut.has(i) ? [i] : []));
  const validation = validationIndex.map((i) => source.images[i]);
  return {
    training: { ...source, images: trainingIndex.map((i) => source.images[i]) },
    trainingIndex,
    validation,
    validationIndex,
    record: {
      fraction,
      seed,
      imageCount: validation.length,
      trainingImageCount: trainingIndex.length,
      perClass,
      sha256: imageListSha256(validation),
    },
  };
}

/** SHA-256 over the sorted 'class\tname\tsha256' lines (the form of the manifest's datasetSha256). */
export function imageListSha256(images: readonly LabelledImage[]): string {
  return sha256Hex(
    images
      .map((image) => `${image.className}\t${image.name}\t${image.sha256}`)
      .sort()
      .join('\n'),
  );
}

/**
 * The validation images of a bundle, given the same data source it was trained on (the same
 * folder, or Fashion-MNIST with the same number of images: see `manifest.trainingData`). Refuses
 * a source that is not the one the bundle recorded, or a bundle that held nothing out.
 */
export function validationImagesOf(manifest: BundleManifest, source: LabelledImageSource): { images: LabelledImage[]; sourceIndex: number[] } {
  const record = manifest.validation;
  if (!record || record.imageCount === 0)
    throw new UserInputError('this bundle held out no validation images (it was trained on every image); retrain it with a validation fraction above 0');
  if (imageListSha256(source.images) !== manifest.trainingData.datasetSha256) {
    throw new UserInputError(
      `the data given is not the data this bundle was trained on (${manifest.trainingData.description}, ${manifest.trainingData.imageCount} images)`,
    );
  }
  const minTraining = manifest.parameters.minClusterSize;
  const split = splitValidation(source, record.fraction, record.seed, minTraining);
  if (split.record.sha256 !== record.sha256)
    throw new UserInputError("the validation split cannot be reproduced from this data (its hash differs from the bundle's record)");
  return { images: [...split.validation], sourceIndex: [...split.validationIndex] };
}

/** The data source a bundle was trained on, rebuilt from `dataPath` as `acsr train --data` read it. */
export async function bundleDataSource(manifest: BundleManifest, dataPath: string, channels: 1 | 3): Promise<LabelledImageSource> {
  return manifest.trainingData.kind === 'fashion-mnist'
    ? fashionMnistSource(dataPath, manifest.trainingData.imageCount, channels)
    : labelledFolder(dataPath, channels);
}
