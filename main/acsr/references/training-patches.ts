import type { RasterImage } from '../../io/image.ts';
import { type ImageArray, cropImage, toPlanes } from '../array/image-array.ts';
import type { RandomSource } from '../random/seeded-random.ts';
import { tikhonovSplit } from '../signal/tikhonov.ts';

/**
 * What a cluster's dictionary learns from: square crops of the high-frequency part x_high of
 * its images (ACSR codes only x_high, so the atoms must model it). The split is done on the whole
 * window around each crop, wide enough that the crop sees no artificial border of its own.
 * Crops are planes [c][y][x], float32 (they feed the float32 CDL engine).
 */
export function highFrequencyPatches(image: RasterImage, size: number, count: number, tikhonovLambda: number, random: RandomSource): Float32Array[] {
  if (size > image.height || size > image.width) throw new RangeError(`patch size ${size} exceeds the image (${image.height}x${image.width})`);
  const x: ImageArray<Float64Array> = { ...image, data: Float64Array.from(image.data) };
  const patches: Float32Array[] = [];
  for (let k = 0; k < count; k++) {
    const top = Math.floor(random() * (image.height - size + 1));
    const left = Math.floor(random() * (image.width - size + 1));
    // split a window with CONTEXT more pixels a side (where the image has them), keep its centre:
    // the same x_high as splitting the whole image up to the filter's far tail, at a fraction of
    // the cost for large photos
    const windowTop = Math.max(0, top - CONTEXT);
    const windowLeft = Math.max(0, left - CONTEXT);
    const windowHeight = Math.min(image.height, top + size + CONTEXT) - windowTop;
    const windowWidth = Math.min(image.width, left + size + CONTEXT) - windowLeft;
    const { high } = tikhonovSplit(cropImage(x, windowTop, windowLeft, windowHeight, windowWidth), tikhonovLambda);
    patches.push(Float32Array.from(toPlanes(cropImage(high, top - windowTop, left - windowLeft, size, size))));
  }
  return patches;
}

/** Beyond ~24 px the Tikhonov low-pass of lambda 5 has decayed below 1e-4 of its peak. */
const CONTEXT = 32;
