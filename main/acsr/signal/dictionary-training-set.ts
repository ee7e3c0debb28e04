import { type ImageArray, cropImage, toPlanes } from '../array/image-array.ts';
import { type RandomSource, gaussian } from '../random/seeded-random.ts';
import type { CbpdnSignal } from './cbpdn.ts';
import type { ConvDictionary } from './conv-dictionary.ts';
import { tikhonovSplit } from './tikhonov.ts';

/**
 * What a convolutional dictionary is learned from: same-size crops of the training images, each
 * reduced to its high-frequency part (ACSR codes only x_high, so the atoms must model x_high; the
 * low part would otherwise dominate the data term). Batch CDL needs one grid for all images,
 * hence the common crop size: the largest square that fits every image, capped at `cropSize`.
 */
export interface TrainingSetOptions {
  readonly cropSize: number;
  /** Tikhonov lambda of the high-pass; 0 keeps the crops as they are. */
  readonly tikhonovLambda: number;
  /** Crops per image, at random positions (one is centred when 1). */
  readonly cropsPerImage: number;
}

export function buildTrainingSet(images: readonly ImageArray<Float64Array>[], options: TrainingSetOptions, random: RandomSource): CbpdnSignal<Float64Array> {
  if (images.length === 0) throw new RangeError('no training images');
  const channels = images[0].channels;
  if (images.some((image) => image.channels !== channels)) throw new RangeError('training images must all have the same number of channels');
  const size = Math.min(options.cropSize, ...images.map((image) => Math.min(image.height, image.width)));
  const crops: ImageArray<Float64Array>[] = [];
  for (const image of images) {
    for (let k = 0; k < options.cropsPerImage; k++) {
      const top = options.cropsPerImage === 1 ? (image.height - size) >> 1 : Math.floor(random() * (image.height - size + 1));
      const left = options.cropsPerImage === 1 ? (image.width - size) >> 1 : Math.floor(random() * (image.width - size + 1));
      const crop = cropImage(image, top, left, size, size);
      crops.push(options.tikhonovLambda > 0 ? tikhonovSplit(crop, options.tikhonovLambda).high : crop);
    }
  }
  const planeSize = size * size * channels;
  const planes = new Float64Array(crops.length * planeSize);
  crops.forEach((crop, k) => toPlanes(crop, planes.subarray(k * planeSize, (k + 1) * planeSize)));
  return { height: size, width: size, channels, images: crops.length, planes };
}

/** Gaussian atoms, as SPORCO's examples start (np.random.randn); normalised by the learners. */
export function randomDictionary(atomSize: number, channels: number, atoms: number, random: RandomSource): ConvDictionary<Float64Array> {
  const data = new Float64Array(atomSize * atomSize * channels * atoms);
  for (let i = 0; i < data.length; i++) data[i] = gaussian(random);
  return { atomHeight: atomSize, atomWidth: atomSize, channels, atoms, data };
}
