import { type ImageArray, cropImage, toPlanes } from '../array/image-array.ts';
import { type RandomSource, sampleIndices } from '../random/seeded-random.ts';
import { tikhonovSplit } from '../signal/tikhonov.ts';

/**
 * What a cluster's dictionary learns from: square crops of the high-frequency part x_high of
 * its images (ACSR codes only x_high, so the atoms must model it). No two crops of an image share
 * a pixel: the image is cut into a grid of non-overlapping size x size tiles (centred, the
 * remainder left at the borders) and at most `maxCount` distinct tiles are kept, chosen at
 * random. An image of exactly the patch size (a 28x28 Fashion-MNIST image) gives one patch, the
 * whole image. The split is done on a window around each tile, wide enough that the tile sees no
 * artificial border of its own. Crops are planes [c][y][x], float32 (they feed the float32 CDL
 * engine).
 */
export function distinctHighFrequencyPatches(image: ImageArray, size: number, maxCount: number, tikhonovLambda: number, random: RandomSource): Float32Array[] {
  const tiles = patchTiles(image.height, image.width, size);
  const chosen = sampleIndices(tiles.length, maxCount, random).map((i) => tiles[i]);
  const x: ImageArray<Float64Array> = { ...image, data: Float64Array.from(image.data) };
  return chosen.map(({ top, left }) => highFrequencyCrop(x, top, left, size, tikhonovLambda));
}

/** Number of patches `distinctHighFrequencyPatches` gives an image of this size (known before decoding it). */
export function patchCount(height: number, width: number, size: number, maxCount: number): number {
  return Math.min(maxCount, Math.floor(height / size) * Math.floor(width / size));
}

/** Top-left corners of the non-overlapping size x size tiles of a height x width image, row by row. */
export function patchTiles(height: number, width: number, size: number): { top: number; left: number }[] {
  if (size > height || size > width) throw new RangeError(`patch size ${size} exceeds the image (${height}x${width})`);
  const rows = Math.floor(height / size);
  const columns = Math.floor(width / size);
  const top0 = (height - rows * size) >> 1;
  const left0 = (width - columns * size) >> 1;
  const tiles: { top: number; left: number }[] = [];
  for (let r = 0; r < rows; r++) for (let c = 0; c < columns; c++) tiles.push({ top: top0 + r * size, left: left0 + c * size });
  return tiles;
}

function highFrequencyCrop(x: ImageArray<Float64Array>, top: number, left: number, size: number, tikhonovLambda: number): Float32Array {
  // split a window with CONTEXT more pixels a side (where the image has them), keep its centre:
  // the same x_high as splitting the whole image up to the filter's far tail, at a fraction of
  // the cost for large photos
  const windowTop = Math.max(0, top - CONTEXT);
  const windowLeft = Math.max(0, left - CONTEXT);
  const windowHeight = Math.min(x.height, top + size + CONTEXT) - windowTop;
  const windowWidth = Math.min(x.width, left + size + CONTEXT) - windowLeft;
  const { high } = tikhonovSplit(cropImage(x, windowTop, windowLeft, windowHeight, windowWidth), tikhonovLambda);
  return Float32Array.from(toPlanes(cropImage(high, top - windowTop, left - windowLeft, size, size)));
}

/** Beyond ~24 px the Tikhonov low-pass of lambda 5 has decayed below 1e-4 of its peak. */
const CONTEXT = 32;
