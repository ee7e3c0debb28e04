/**
 * The images a sweep runs on: the bundle's validation split, rebuilt from the data it was trained
 * on and checked against the split's recorded hash (validation-split.ts). Never the test split:
 * settings chosen on the images that are later reported would flatter the reported numbers.
 */
import { UserInputError } from '../../errors/user-input-error.ts';
import { samplesFingerprint, type EvaluationSample } from '../evaluation/evaluation-samples.ts';
import type { BundleManifest } from '../references/bundle-manifest.ts';
import type { LabelledImage } from '../references/labelled-images.ts';
import { bundleDataSource, validationImagesOf } from '../references/validation-split.ts';

export interface ValidationSampleSet {
  readonly description: string;
  readonly samples: readonly EvaluationSample[];
  readonly fingerprint: string;
  /** the split's hash as the bundle records it */
  readonly splitSha256: string;
  /** held-out images in the split (the sweep may use fewer: --limit) */
  readonly splitImages: number;
}

export async function loadValidationSamples(
  manifest: BundleManifest,
  dataPath: string,
  classNames: readonly string[],
  channels: 1 | 3,
  limit: number | undefined,
): Promise<ValidationSampleSet> {
  if (!manifest.validation || manifest.validation.imageCount === 0) {
    throw new UserInputError('this bundle has no validation split (it was trained on every image); retrain it with --validation-fraction above 0 to tune it');
  }
  const source = await bundleDataSource(manifest, dataPath, channels);
  const { images } = validationImagesOf(manifest, source);
  const labelOf = (image: LabelledImage) => {
    const label = classNames.findIndex((name) => name.toLowerCase() === image.className.toLowerCase());
    if (label < 0)
      throw new UserInputError(`validation image ${image.name}: the classifier has no class '${image.className}' (classes: ${classNames.join(', ')})`);
    return label;
  };
  const chosen = interleaveClasses(images).slice(0, limit ?? images.length);
  const samples: EvaluationSample[] = [];
  for (const image of chosen) samples.push({ name: image.name, label: labelOf(image), image: await image.load() });
  return {
    description: `${samples.length} of the ${images.length} validation images of the bundle (${manifest.trainingData.description})`,
    samples,
    fingerprint: samplesFingerprint(samples),
    splitSha256: manifest.validation.sha256,
    splitImages: images.length,
  };
}

/** One image of each class in turn (in the split's order within a class), so that a --limit keeps every class. */
function interleaveClasses(images: readonly LabelledImage[]): LabelledImage[] {
  const classes = [...new Set(images.map((image) => image.className))];
  const byClass = classes.map((name) => images.filter((image) => image.className === name));
  const ordered: LabelledImage[] = [];
  for (let i = 0; ordered.length < images.length; i++) {
    for (const members of byClass) if (i < members.length) ordered.push(members[i]);
  }
  return ordered;
}
