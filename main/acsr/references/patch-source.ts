import { deriveSeed, seededRandom } from '../random/seeded-random.ts';
import type { LabelledImage } from './labelled-images.ts';
import { distinctHighFrequencyPatches, patchCount } from './training-patches.ts';

/**
 * The training crops of a set of images, produced one image at a time so that a dictionary can
 * stream over a cluster of any size (online CDL) without holding every crop in memory. The crops
 * of an image are always the same (their seed derives from the image's position in the whole data
 * source), so a batch learner, an online learner over several epochs and the single-dict
 * baseline all see identical crops.
 */
export interface PatchSource {
  readonly imageCount: number;
  /** crops of image i, known before decoding it */
  patchCountOf(i: number): number;
  patchesOf(i: number): Promise<Float32Array[]>;
}

export interface PatchSettings {
  readonly patchSize: number;
  readonly patchesPerImage: number;
  readonly tikhonovLambda: number;
  readonly seed: number;
}

/** Stream of the per-image crop seeds (stage i has used it since its first version). */
export const PATCH_SEED_STREAM = 1_000_000;

/** `images[k]` with its position `sourceIndex[k]` in the data source (which seeds its crops). */
export function imagePatchSource(images: readonly LabelledImage[], sourceIndex: readonly number[], settings: PatchSettings): PatchSource {
  const { patchSize, patchesPerImage, tikhonovLambda, seed } = settings;
  return {
    imageCount: images.length,
    patchCountOf: (i) => patchCount(images[i].height, images[i].width, patchSize, patchesPerImage),
    patchesOf: async (i) => {
      const image = await images[i].load();
      const random = seededRandom(deriveSeed(seed, PATCH_SEED_STREAM + sourceIndex[i]));
      return distinctHighFrequencyPatches(image, patchSize, patchesPerImage, tikhonovLambda, random);
    },
  };
}
