/**
 * The plain JavaScript transcription of Pillow's 8-bit resampling passes (Resample.c) that PDQ
 * used before main/pdq/pil-resample.wat; kept as the reference the SIMD kernels must equal byte
 * for byte. Its sums are exact integers below 2^31, like Pillow's int32.
 */
import { precomputeKernels, type BytePlane } from '../../main/pdq/pil-thumbnail.ts';
import type { ResampleKernels } from '../../main/pdq/pil-resample-kernels.ts';

const PRECISION_BITS = 32 - 8 - 2;
const HALF = 1 << (PRECISION_BITS - 1);

function clip8(sum: number): number {
  const value = sum >> PRECISION_BITS;
  return value < 0 ? 0 : value > 255 ? 255 : value;
}

export function referenceResampleBicubic(plane: BytePlane, width: number, height: number, box: [number, number, number, number]): BytePlane {
  const needHorizontal = width !== plane.cols || box[0] !== 0 || Math.fround(box[2]) !== width;
  const needVertical = height !== plane.rows || box[1] !== 0 || Math.fround(box[3]) !== height;
  const vertical = precomputeKernels(plane.rows, box[1], box[3], height);
  let current = plane;
  let rowOffset = 0;
  if (needHorizontal) {
    const firstRow = vertical.first[0];
    const lastRow = vertical.first[height - 1] + vertical.taps[height - 1];
    current = resampleRows(plane, firstRow, lastRow, precomputeKernels(plane.cols, box[0], box[2], width), width);
    rowOffset = firstRow;
  }
  return needVertical ? resampleColumns(current, rowOffset, vertical, height) : current;
}

function resampleRows(plane: BytePlane, firstRow: number, lastRow: number, kernels: ResampleKernels, width: number): BytePlane {
  const { channels, data, cols } = plane;
  const { first, taps, weights, ksize } = kernels;
  const rows = lastRow - firstRow;
  const out = new Uint8Array(rows * width * channels);
  const sums = new Int32Array(channels);
  for (let y = 0; y < rows; y++) {
    const rowStart = (y + firstRow) * cols * channels;
    for (let xx = 0; xx < width; xx++) {
      sums.fill(HALF);
      let at = rowStart + first[xx] * channels;
      for (let x = 0; x < taps[xx]; x++, at += channels) {
        const w = weights[xx * ksize + x];
        for (let c = 0; c < channels; c++) sums[c] += data[at + c] * w;
      }
      const o = (y * width + xx) * channels;
      for (let c = 0; c < channels; c++) out[o + c] = clip8(sums[c]);
    }
  }
  return { rows, cols: width, channels, data: out };
}

function resampleColumns(plane: BytePlane, rowOffset: number, kernels: ResampleKernels, height: number): BytePlane {
  const { channels, data, cols } = plane;
  const { first, taps, weights, ksize } = kernels;
  const rowLength = cols * channels;
  const out = new Uint8Array(height * rowLength);
  const sums = new Int32Array(rowLength);
  for (let yy = 0; yy < height; yy++) {
    sums.fill(HALF);
    const start = first[yy] - rowOffset;
    for (let y = 0; y < taps[yy]; y++) {
      const w = weights[yy * ksize + y];
      const rowStart = (start + y) * rowLength;
      for (let i = 0; i < rowLength; i++) sums[i] += data[rowStart + i] * w;
    }
    const o = yy * rowLength;
    for (let i = 0; i < rowLength; i++) out[o + i] = clip8(sums[i]);
  }
  return { rows: height, cols, channels, data: out };
}

/**
 * The block-by-block Image.reduce PDQ used before the column-sum one. Image.reduce: the mean of each factorX x factorY block (partial blocks at the right and bottom
 * edges average what they have), in Pillow's fixed point: ((sum + n/2) * trunc(2^32 / (256 n))) >> 24.
 */
export function referenceReduce(plane: BytePlane, factorX: number, factorY: number): BytePlane {
  const { rows, cols, channels, data } = plane;
  const outCols = Math.ceil(cols / factorX);
  const outRows = Math.ceil(rows / factorY);
  const out = new Uint8Array(outRows * outCols * channels);
  const sums = new Float64Array(channels);
  for (let y = 0; y < outRows; y++) {
    const y0 = y * factorY;
    const y1 = Math.min(rows, y0 + factorY);
    for (let x = 0; x < outCols; x++) {
      const x0 = x * factorX;
      const x1 = Math.min(cols, x0 + factorX);
      sums.fill(0);
      for (let yy = y0; yy < y1; yy++) {
        for (let xx = x0; xx < x1; xx++) {
          const at = (yy * cols + xx) * channels;
          for (let c = 0; c < channels; c++) sums[c] += data[at + c];
        }
      }
      const count = (y1 - y0) * (x1 - x0);
      const multiplier = Math.trunc(Math.fround(2 ** 32 / Math.fround(256 * count)));
      const amend = Math.floor(count / 2);
      const at = (y * outCols + x) * channels;
      for (let c = 0; c < channels; c++) out[at + c] = Math.floor(((sums[c] + amend) * multiplier) / 2 ** 24);
    }
  }
  return { rows: outRows, cols: outCols, channels, data: out };
}
