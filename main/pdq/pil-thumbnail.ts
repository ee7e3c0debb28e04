/**
 * The Python reference (pdq_hasher.py, whose test suite gives the conformance hashes) shrinks
 * every picture to fit 512 x 512 with PIL's `Image.thumbnail((512, 512))` before hashing. This is
 * that resize, bit for bit on 8-bit samples: Pillow's aspect-ratio rounding, its integer-factor
 * `reduce()` when the picture is more than twice too big per side (reducing_gap = 2), then its
 * separable bicubic (a = -0.5) resampling with 22-bit fixed-point weights (Resample.c, Reduce.c).
 *
 * One Pillow step cannot be reproduced from decoded pixels: for JPEG files of 2048 pixels or more
 * per side, PIL asks libjpeg for a DCT-domain downscaled decode (`draft`) instead of `reduce()`.
 * The pixels then differ slightly; on the 4032 x 3024 and 2600 x 2100 JPEGs tried, the hashes
 * still came out identical to Pillow's.
 */

import type { BytePlane } from './byte-plane.ts';
import { MAX_REDUCE_BAND_ROWS, reduceInBands, resampleWithKernels, type ResampleKernels } from './pil-resample-kernels.ts';

export type { BytePlane } from './byte-plane.ts';

export const THUMBNAIL_MAX_SIDE = 512;
const REDUCING_GAP = 2;
const BICUBIC_SUPPORT = 2;
const PRECISION_BITS = 32 - 8 - 2;

/** `Image.thumbnail((max, max))`: unchanged when it already fits. */
export function pilThumbnail(plane: BytePlane, maxSide = THUMBNAIL_MAX_SIDE): BytePlane {
  const target = thumbnailSize(plane.cols, plane.rows, maxSide, maxSide);
  if (!target) return plane;
  const [width, height] = target;
  if (width === plane.cols && height === plane.rows) return plane;
  // Image.resize with reducing_gap: box-average by whole factors first while the remaining
  // bicubic step still shrinks at least reducing_gap times.
  const factorX = Math.trunc(plane.cols / width / REDUCING_GAP) || 1;
  const factorY = Math.trunc(plane.rows / height / REDUCING_GAP) || 1;
  let source = plane;
  let box: [number, number, number, number] = [0, 0, plane.cols, plane.rows];
  if (factorX > 1 || factorY > 1) {
    // _get_safe_box covers the whole picture when the box is the whole picture.
    source = pilReduce(plane, factorX, factorY);
    box = [0, 0, plane.cols / factorX, plane.rows / factorY];
  }
  return pilResampleBicubic(source, width, height, box);
}

/** Pillow's preserve_aspect_ratio(): the short side rounds to whichever of floor/ceil keeps the aspect closer. */
export function thumbnailSize(width: number, height: number, maxWidth: number, maxHeight: number): [number, number] | null {
  if (maxWidth >= width && maxHeight >= height) return null;
  const aspect = width / height;
  let x = maxWidth;
  let y = maxHeight;
  if (x / y >= aspect) {
    x = roundAspect(y * aspect, (n) => Math.abs(aspect - n / y));
  } else {
    y = roundAspect(x / aspect, (n) => (n === 0 ? 0 : Math.abs(aspect - x / n)));
  }
  return [x, y];
}

function roundAspect(value: number, key: (n: number) => number): number {
  const low = Math.floor(value);
  const high = Math.ceil(value);
  // Python's min() keeps the first of equal keys.
  return Math.max(key(high) < key(low) ? high : low, 1);
}

/**
 * Image.reduce: the mean of each factorX x factorY block (partial blocks at the right and bottom
 * edges average what they have), in Pillow's fixed point: ((sum + n/2) * trunc(2^32 / (256 n))) >> 24.
 * In WASM (pil-resample-kernels.ts), unless a block is too tall for its 16-bit column sums.
 */
export function pilReduce(plane: BytePlane, factorX: number, factorY: number): BytePlane {
  if (factorY <= MAX_REDUCE_BAND_ROWS) return reduceInBands(plane, factorX, factorY, meanFixedPoint);
  return reduceTallBlocks(plane, factorX, factorY);
}

function meanFixedPoint(count: number): { multiplier: number; amend: number } {
  return { multiplier: Math.trunc(Math.fround(2 ** 32 / Math.fround(256 * count))), amend: Math.floor(count / 2) };
}

/**
 * pilReduce for factors beyond the WASM band: each band of factorY rows is summed down its
 * columns in int32, then across each block.
 */
function reduceTallBlocks(plane: BytePlane, factorX: number, factorY: number): BytePlane {
  const { rows, cols, channels, data } = plane;
  const outCols = Math.ceil(cols / factorX);
  const outRows = Math.ceil(rows / factorY);
  const rowLength = cols * channels;
  const out = new Uint8Array(outRows * outCols * channels);
  // Below 2^31: at most 255 x factorY per column.
  const columnSums = new Int32Array(rowLength);
  let o = 0;
  for (let y = 0; y < outRows; y++) {
    const y0 = y * factorY;
    const y1 = Math.min(rows, y0 + factorY);
    columnSums.fill(0);
    for (let yy = y0, start = y0 * rowLength; yy < y1; yy++, start += rowLength) {
      for (let i = 0; i < rowLength; i++) columnSums[i] += data[start + i];
    }
    let count = 0;
    let multiplier = 0;
    let amend = 0;
    for (let x = 0; x < outCols; x++) {
      const x0 = x * factorX;
      const x1 = Math.min(cols, x0 + factorX);
      const blockCount = (y1 - y0) * (x1 - x0);
      if (blockCount !== count) {
        count = blockCount;
        ({ multiplier, amend } = meanFixedPoint(count));
      }
      for (let c = 0; c < channels; c++) {
        let sum = 0;
        for (let at = x0 * channels + c, end = x1 * channels; at < end; at += channels) sum += columnSums[at];
        out[o++] = Math.floor(((sum + amend) * multiplier) / 2 ** 24);
      }
    }
  }
  return { rows: outRows, cols: outCols, channels, data: out };
}

function bicubic(x: number): number {
  const a = -0.5;
  x = Math.abs(x);
  if (x < 1) return ((a + 2) * x - (a + 3)) * x * x + 1;
  if (x < 2) return (((x - 5) * x + 8) * x - 4) * a;
  return 0;
}

/** Resample.c precompute_coeffs + normalize_coeffs_8bpc. `in0`/`in1` are the box edges (C floats). */
export function precomputeKernels(inSize: number, in0: number, in1: number, outSize: number): ResampleKernels {
  const scale = Math.fround(Math.fround(in1) - Math.fround(in0)) / outSize;
  const filterScale = Math.max(scale, 1);
  const support = BICUBIC_SUPPORT * filterScale;
  const ksize = Math.ceil(support) * 2 + 1;
  const first = new Int32Array(outSize);
  const taps = new Int32Array(outSize);
  const weights = new Int32Array(outSize * ksize);
  const row = new Float64Array(ksize);
  for (let xx = 0; xx < outSize; xx++) {
    const center = Math.fround(in0) + (xx + 0.5) * scale;
    const ss = 1 / filterScale;
    const xmin = Math.max(0, Math.trunc(center - support + 0.5));
    const xmax = Math.min(inSize, Math.trunc(center + support + 0.5)) - xmin;
    let total = 0;
    for (let x = 0; x < xmax; x++) {
      const w = bicubic((x + xmin - center + 0.5) * ss);
      row[x] = w;
      total += w;
    }
    for (let x = 0; x < xmax; x++) {
      const k = total !== 0 ? row[x] / total : row[x];
      weights[xx * ksize + x] = k < 0 ? Math.trunc(-0.5 + k * (1 << PRECISION_BITS)) : Math.trunc(0.5 + k * (1 << PRECISION_BITS));
    }
    first[xx] = xmin;
    taps[xx] = xmax;
  }
  return { first, taps, weights, ksize };
}

/**
 * ImagingResample with BICUBIC: a horizontal pass (over the rows the vertical pass needs), then a
 * vertical one, each rounding to 8 bits, in the int32 fixed point of Pillow (pil-resample.wat).
 */
export function pilResampleBicubic(plane: BytePlane, width: number, height: number, box: [number, number, number, number]): BytePlane {
  // Pillow holds the box in C floats.
  const needHorizontal = width !== plane.cols || box[0] !== 0 || Math.fround(box[2]) !== width;
  const needVertical = height !== plane.rows || box[1] !== 0 || Math.fround(box[3]) !== height;
  if (!needHorizontal && !needVertical) return plane;
  return resampleWithKernels(
    plane,
    needHorizontal ? precomputeKernels(plane.cols, box[0], box[2], width) : null,
    needVertical ? precomputeKernels(plane.rows, box[1], box[3], height) : null,
  );
}
