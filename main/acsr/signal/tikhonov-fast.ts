import type { FloatArray } from '../array/float-array.ts';
import type { ImageArray } from '../array/image-array.ts';
import { fastFftSize } from './fft/fast-fft-size.ts';
import { createFastRealFft2d } from './fft/fast-real-fft2d.ts';
import { DEFAULT_TIKHONOV_PADDING, type TikhonovSplit } from './tikhonov.ts';

/**
 * The Tikhonov split for purification of large images: float32 on the fast FFT, the symmetric
 * padding widened at the bottom and right to the next grid PFFFT transforms. The reference split
 * (float64, exact padding, SPORCO to 1e-14) spends seconds on a 1024x768 photo in the JS FFT;
 * this one differs from it by float32 rounding and by where the far padding wraps, both far
 * below what an 8-bit output can show (test/signal/tikhonov-fast.test.ts states the bound).
 */
export async function tikhonovSplitFast(
  image: ImageArray,
  lambda: number,
  pad: number = DEFAULT_TIKHONOV_PADDING,
): Promise<TikhonovSplit<ImageArray<Float32Array>>> {
  const low = await tikhonovLowPassFast(image, lambda, pad);
  const highData = new Float32Array(image.data.length);
  for (let i = 0; i < highData.length; i++) highData[i] = image.data[i] - low.data[i];
  return { low, high: { ...low, data: highData } };
}

/**
 * Above this many samples in one channel's FFT grid, x_low is computed in bands of rows. The
 * global grid of a 24-megapixel photo is 6048 x 6016: 145 MB a plane, and PFFFT's WASM memory
 * holds four such planes besides the JS-side plane and spectrum (~730 MB in all), kept until the
 * garbage collector finds the instance. A 1024 x 768 photo's grid is 0.8 M samples: one grid.
 */
export const TIKHONOV_BAND_THRESHOLD = 8_000_000;

/**
 * Rows each band keeps, and its margin above and below. The filter's kernel decays as
 * exp(-0.44 r) for lambda 5 (cosh a = 1 + 1/(2 lambda)), so a band's rows 64 px from its ends
 * differ from the global grid's by ~1e-12, below float32 rounding; a smaller lambda decays faster.
 */
const BAND_ROWS = 512;
const BAND_MARGIN = 64;

/**
 * x_low alone, float32 (the precision it is computed in). Purification keeps only x_low: x_high =
 * x - x_low is formed tile by tile where it is coded, so a 24-megapixel RGB photo holds one 288 MB
 * array here, not two float64 ones of 576 MB. The working memory is one channel's FFT grid and
 * spectrum, read straight from the interleaved samples through the reflections (no planar or
 * padded copy of a whole channel); past TIKHONOV_BAND_THRESHOLD, one band of rows of it at a time:
 * each band is a window of the global grid's rows (the same padding and wrap-around), transformed
 * on its own, of which only the rows BAND_MARGIN from its ends are kept.
 */
export async function tikhonovLowPassFast(
  image: ImageArray,
  lambda: number,
  pad: number = DEFAULT_TIKHONOV_PADDING,
  bandThreshold: number = TIKHONOV_BAND_THRESHOLD,
): Promise<ImageArray<Float32Array>> {
  if (!(lambda >= 0) || !Number.isFinite(lambda)) throw new RangeError(`Tikhonov lambda must be finite and >= 0, got ${lambda}`);
  const { height, width, channels } = image;
  const grid = fastFftSize(height + 2 * pad, width + 2 * pad);
  // grid coordinate -> image coordinate: symmetric padding by `pad`, then the grid's own widening
  // continued by reflection of the padded image (as the former padded copy was extended)
  const sourceRow = gridToImageIndex(grid.height, height + 2 * pad, height, pad);
  const sourceColumn = gridToImageIndex(grid.width, width + 2 * pad, width, pad);
  const banded = grid.height * grid.width > bandThreshold && grid.height > fastFftSize(BAND_ROWS + 2 * BAND_MARGIN, 1).height;
  // a band: BAND_ROWS kept rows with BAND_MARGIN above and below, rounded up to a PFFFT height
  const windowHeight = banded ? fastFftSize(BAND_ROWS + 2 * BAND_MARGIN, 1).height : grid.height;
  const fft = await createFastRealFft2d(windowHeight, grid.width);
  const spectrumWidth = fft.spectrumWidth;
  // the gain 1 / (1 + lambda (row term + column term)) of tikhonov.ts's lowPassGain, formed as it
  // goes from the two separable terms (the same arithmetic, so the same values) instead of a
  // float64 table the size of the spectrum (146 MB for a 24-megapixel photo)
  const rowTerms = dftDifferenceTerms(windowHeight, windowHeight);
  const columnTerms = dftDifferenceTerms(spectrumWidth, grid.width);
  const gridPlane = new Float32Array(windowHeight * grid.width);
  const re = new Float32Array(windowHeight * spectrumWidth);
  const im = new Float32Array(windowHeight * spectrumWidth);
  const windowRows = new Int32Array(windowHeight);
  const lowData = new Float32Array(image.data.length);
  const bands: [number, number][] = banded ? splitRows(height, BAND_ROWS) : [[0, height]];
  for (let c = 0; c < channels; c++) {
    for (const [from, to] of bands) {
      // the window's first row in global grid rows (image row y is grid row y + pad), wrapping as the global grid does
      const first = banded ? from + pad - BAND_MARGIN : 0;
      for (let r = 0; r < windowHeight; r++) windowRows[r] = sourceRow[(((first + r) % grid.height) + grid.height) % grid.height];
      fillGrid(image.data, channels, c, width, windowRows, sourceColumn, gridPlane);
      fft.forward(gridPlane, re, im, 1);
      for (let r = 0; r < windowHeight; r++) {
        const rowTerm = rowTerms[r];
        const row = r * spectrumWidth;
        for (let k = 0; k < spectrumWidth; k++) {
          const gain = 1 / (1 + lambda * (rowTerm + columnTerms[k]));
          re[row + k] *= gain;
          im[row + k] *= gain;
        }
      }
      fft.inverse(re, im, gridPlane, 1);
      for (let y = from; y < to; y++) {
        const r = y + pad - first;
        for (let x = 0; x < width; x++) lowData[(y * width + x) * channels + c] = gridPlane[r * grid.width + x + pad];
      }
    }
  }
  return { height, width, channels, data: lowData };
}

function splitRows(height: number, rows: number): [number, number][] {
  const out: [number, number][] = [];
  for (let from = 0; from < height; from += rows) out.push([from, Math.min(height, from + rows)]);
  return out;
}

/** |DFT [-1, 1]|^2 at k = 0 .. count-1 of an n-point transform: 2 - 2 cos(2 pi k / n). */
function dftDifferenceTerms(count: number, n: number): Float64Array {
  const terms = new Float64Array(count);
  for (let k = 0; k < count; k++) terms[k] = 2 - 2 * Math.cos((2 * Math.PI * k) / n);
  return terms;
}

function gridToImageIndex(gridSize: number, paddedSize: number, size: number, pad: number): Int32Array {
  const index = new Int32Array(gridSize);
  for (let i = 0; i < gridSize; i++) index[i] = symmetricIndex(reflectForward(i, paddedSize) - pad, size);
  return index;
}

function fillGrid(
  samples: FloatArray,
  channels: number,
  channel: number,
  width: number,
  sourceRow: Int32Array,
  sourceColumn: Int32Array,
  out: Float32Array,
): void {
  const gridWidth = sourceColumn.length;
  for (let y = 0; y < sourceRow.length; y++) {
    const rowStart = sourceRow[y] * width;
    for (let x = 0; x < gridWidth; x++) out[y * gridWidth + x] = samples[(rowStart + sourceColumn[x]) * channels + channel];
  }
}

/** The reflection extendByReflection used to widen the padded plane to the grid (i >= 0). */
function reflectForward(i: number, n: number): number {
  const j = i % (2 * n);
  return j < n ? j : 2 * n - 1 - j;
}

/** numpy.pad(mode='symmetric') index, as tikhonov.ts's mirrorPad. */
function symmetricIndex(i: number, n: number): number {
  const period = 2 * n;
  let j = ((i % period) + period) % period;
  if (j >= n) j = period - 1 - j;
  return j;
}
