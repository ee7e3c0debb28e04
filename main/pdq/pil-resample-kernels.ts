/**
 * Runs the two passes of Pillow's 8-bit resampling in pil-resample.wat (SIMD). The plain
 * JavaScript loops cost about 26 ms per 1.5-megapixel picture, most of PDQ's time and the bulk
 * of evidence import's; the same integer sums four lanes at a time cost about a sixth of that.
 *
 * Image.reduce, which the thumbnail runs first on pictures more than twice too big, goes through
 * here too: block by block in JavaScript it took longer than decoding a 12-megapixel photo.
 *
 * One instance per thread (module scope is per worker), whose memory is reused from picture to
 * picture and only grows. It stays small: the thumbnail hands the bicubic passes at most about
 * 2048 x 2048 pixels, because Image.reduce() has already shrunk anything bigger, and reduce
 * copies in one band of rows at a time.
 */
import { PIL_RESAMPLE_WASM_BASE64 } from './pil-resample-wasm.ts';
import type { BytePlane } from './byte-plane.ts';

/** Per output pixel: the first input index, the number of taps, ksize 22-bit fixed-point weights. */
export interface ResampleKernels {
  first: Int32Array;
  taps: Int32Array;
  weights: Int32Array;
  ksize: number;
}

interface ResampleExports {
  memory: WebAssembly.Memory;
  resampleRows(
    src: number,
    srcRowBytes: number,
    rows: number,
    starts: number,
    taps: number,
    weights: number,
    ksize: number,
    outWidth: number,
    channels: number,
    dst: number,
  ): void;
  resampleRowsRgb(
    src: number,
    srcRowBytes: number,
    rows: number,
    starts: number,
    pairs: number,
    weights: number,
    pairStride: number,
    outWidth: number,
    dst: number,
  ): void;
  resampleColumns(src: number, rowBytes: number, firsts: number, taps: number, weights: number, ksize: number, outRows: number, dst: number): void;
  sumRowBand(src: number, rowBytes: number, bandRows: number, dst: number): void;
  meanOfBlocks(sums: number, blocks: number, factorX: number, channels: number, multiplier: number, amend: number, dst: number): void;
}

/** Pillow's fixed point for the mean of `count` samples: ((sum + amend) * multiplier) >> 24. */
export type MeanFixedPoint = (count: number) => { multiplier: number; amend: number };

/** sumRowBand's 16-bit column sums hold 255 x this many rows. */
export const MAX_REDUCE_BAND_ROWS = 257;

// The kernels' loads and stores may run up to 15 bytes past a buffer's end (see the .wat).
const SLACK_BYTES = 16;
const WASM_PAGE_BYTES = 65536;

let instance: ResampleExports | undefined;

function kernelsInstance(): ResampleExports {
  instance ??= new WebAssembly.Instance(new WebAssembly.Module(Buffer.from(PIL_RESAMPLE_WASM_BASE64, 'base64')), {}).exports as unknown as ResampleExports;
  return instance;
}

/** Bump allocation of 16-byte-aligned regions, from address 0 on every call. */
class Layout {
  size = 0;
  take(bytes: number): number {
    const at = this.size;
    this.size = (at + bytes + SLACK_BYTES + 15) & ~15;
    return at;
  }
}

/**
 * The horizontal pass (when `horizontal` is given) over the rows the vertical pass needs, then the
 * vertical pass (when `vertical` is given), each rounding to bytes as Pillow does.
 */
export function resampleWithKernels(plane: BytePlane, horizontal: ResampleKernels | null, vertical: ResampleKernels | null): BytePlane {
  const { rows, cols, channels, data } = plane;
  const width = horizontal ? horizontal.first.length : cols;
  const height = vertical ? vertical.first.length : rows;
  const firstRow = vertical && horizontal ? vertical.first[0] : 0;
  const lastRow = vertical && horizontal ? vertical.first[height - 1] + vertical.taps[height - 1] : rows;
  const middleRows = horizontal ? lastRow - firstRow : rows;

  const layout = new Layout();
  const source = layout.take(data.length);
  const middle = horizontal ? layout.take(middleRows * width * channels) : source;
  const output = vertical ? layout.take(height * width * channels) : middle;
  const rgb = channels === 3;
  const pairStride = horizontal ? Math.ceil(horizontal.ksize / 2) : 0;
  const horizontalWeightBytes = horizontal ? (rgb ? width * pairStride * 32 : horizontal.weights.length * 4) : 0;
  const horizontalTables = horizontal ? [layout.take(width * 4), layout.take(width * 4), layout.take(horizontalWeightBytes)] : [];
  const verticalTables = vertical ? [layout.take(height * 4), layout.take(height * 4), layout.take(vertical.weights.length * 4)] : [];

  const wasm = kernelsInstance();
  const missing = layout.size - wasm.memory.buffer.byteLength;
  if (missing > 0) wasm.memory.grow(Math.ceil(missing / WASM_PAGE_BYTES));
  const bytes = new Uint8Array(wasm.memory.buffer);
  const ints = new Int32Array(wasm.memory.buffer);
  bytes.set(data, source);

  if (horizontal) {
    const [starts, taps, weights] = horizontalTables;
    // Byte offsets of each kernel's first pixel within a row.
    for (let x = 0; x < width; x++) ints[(starts >> 2) + x] = horizontal.first[x] * channels;
    const rowBytes = cols * channels;
    const rowsStart = source + firstRow * rowBytes;
    if (rgb) {
      writeWeightPairs(new Int16Array(wasm.memory.buffer, weights, horizontalWeightBytes / 2), horizontal, pairStride);
      for (let x = 0; x < width; x++) ints[(taps >> 2) + x] = Math.ceil(horizontal.taps[x] / 2);
      wasm.resampleRowsRgb(rowsStart, rowBytes, middleRows, starts, taps, weights, pairStride, width, middle);
    } else {
      ints.set(horizontal.taps, taps >> 2);
      ints.set(horizontal.weights, weights >> 2);
      wasm.resampleRows(rowsStart, rowBytes, middleRows, starts, taps, weights, horizontal.ksize, width, channels, middle);
    }
  }
  if (vertical) {
    const [firsts, taps, weights] = verticalTables;
    // Row indices within the rows the horizontal pass produced.
    for (let y = 0; y < height; y++) ints[(firsts >> 2) + y] = vertical.first[y] - firstRow;
    ints.set(vertical.taps, taps >> 2);
    ints.set(vertical.weights, weights >> 2);
    wasm.resampleColumns(middle, width * channels, firsts, taps, weights, vertical.ksize, height, output);
  }
  return { rows: height, cols: width, channels, data: bytes.slice(output, output + height * width * channels) };
}

/**
 * resampleRowsRgb's weights: per output pixel, pairStride pairs of taps as two i16x8 vectors,
 * [h0 h1 h0 h1 h0 h1 0 0] and [l0 l1 l0 l1 l0 l1 0 0] with w = h * 2^11 + l, 0 <= l < 2^11
 * (a 22-bit weight does not fit the 16-bit lanes of dot_i16x8_s; its two halves do).
 * Taps past a kernel's own (the odd one out, and the rest up to pairStride) weigh 0.
 */
function writeWeightPairs(into: Int16Array, kernels: ResampleKernels, pairStride: number): void {
  const { taps, weights, ksize } = kernels;
  into.fill(0);
  for (let x = 0; x < taps.length; x++) {
    for (let t = 0; t < taps[x]; t++) {
      const weight = weights[x * ksize + t];
      const at = (x * pairStride + (t >> 1)) * 16 + (t & 1);
      for (let lane = 0; lane < 6; lane += 2) {
        into[at + lane] = weight >> 11;
        into[at + 8 + lane] = weight & 2047;
      }
    }
  }
}

/**
 * Image.reduce by factorX x factorY (factorY <= MAX_REDUCE_BAND_ROWS), band of rows by band of
 * rows: the column sums and whole blocks in WASM, the partial block at the right edge (if any)
 * from the same sums here. The bottom band may be shorter, so its blocks count fewer samples.
 */
export function reduceInBands(plane: BytePlane, factorX: number, factorY: number, fixedPoint: MeanFixedPoint): BytePlane {
  const { rows, cols, channels, data } = plane;
  const outCols = Math.ceil(cols / factorX);
  const outRows = Math.ceil(rows / factorY);
  const wholeBlocks = Math.floor(cols / factorX);
  const rowBytes = cols * channels;
  const outRowBytes = outCols * channels;

  const layout = new Layout();
  const band = layout.take(factorY * rowBytes);
  const sums = layout.take(rowBytes * 2);
  const means = layout.take(outRowBytes);
  const wasm = kernelsInstance();
  const missing = layout.size - wasm.memory.buffer.byteLength;
  if (missing > 0) wasm.memory.grow(Math.ceil(missing / WASM_PAGE_BYTES));
  const bytes = new Uint8Array(wasm.memory.buffer);
  const columnSums = new Uint16Array(wasm.memory.buffer, sums, rowBytes);

  const out = new Uint8Array(outRows * outRowBytes);
  for (let y = 0; y < outRows; y++) {
    const y0 = y * factorY;
    const bandRows = Math.min(rows, y0 + factorY) - y0;
    bytes.set(data.subarray(y0 * rowBytes, (y0 + bandRows) * rowBytes), band);
    wasm.sumRowBand(band, rowBytes, bandRows, sums);
    const whole = fixedPoint(bandRows * factorX);
    wasm.meanOfBlocks(sums, wholeBlocks, factorX, channels, whole.multiplier, whole.amend, means);
    out.set(bytes.subarray(means, means + wholeBlocks * channels), y * outRowBytes);
    if (wholeBlocks < outCols) {
      const x0 = wholeBlocks * factorX;
      const edge = fixedPoint(bandRows * (cols - x0));
      for (let c = 0; c < channels; c++) {
        let sum = 0;
        for (let at = x0 * channels + c; at < rowBytes; at += channels) sum += columnSums[at];
        out[y * outRowBytes + wholeBlocks * channels + c] = Math.floor(((sum + edge.amend) * edge.multiplier) / 2 ** 24);
      }
    }
  }
  return { rows: outRows, cols: outCols, channels, data: out };
}
