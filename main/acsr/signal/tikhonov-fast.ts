import type { ImageArray } from '../array/image-array.ts';
import { fastFftSize } from './fft/fast-fft-size.ts';
import { createFastRealFft2d } from './fft/fast-real-fft2d.ts';
import { DEFAULT_TIKHONOV_PADDING, type TikhonovSplit, lowPassGain, mirrorPad } from './tikhonov.ts';

/**
 * The Tikhonov split for purification of large images: float32 on the fast FFT, the symmetric
 * padding widened at the bottom and right to the next grid PFFFT transforms. The reference split
 * (float64, exact padding, SPORCO to 1e-14) spends seconds on a 1024x768 photo in the JS FFT;
 * this one differs from it by float32 rounding and by where the far padding wraps, both far
 * below what an 8-bit output can show (test/signal/tikhonov-fast.test.ts states the bound).
 */
export async function tikhonovSplitFast(
  image: ImageArray<Float64Array>,
  lambda: number,
  pad: number = DEFAULT_TIKHONOV_PADDING,
): Promise<TikhonovSplit<ImageArray<Float64Array>>> {
  if (!(lambda >= 0) || !Number.isFinite(lambda)) throw new RangeError(`Tikhonov lambda must be finite and >= 0, got ${lambda}`);
  const { height, width, channels } = image;
  const paddedHeight = height + 2 * pad;
  const paddedWidth = width + 2 * pad;
  const grid = fastFftSize(paddedHeight, paddedWidth);
  const fft = await createFastRealFft2d(grid.height, grid.width);
  const spectrumSize = grid.height * fft.spectrumWidth;
  const gain = lowPassGain(grid.height, grid.width, fft.spectrumWidth, lambda);

  // one channel at a time, read from and written to the interleaved samples: a 24-megapixel photo
  // would otherwise hold planar copies of itself and of x_low (576 MB each) besides the outputs
  const n = height * width;
  const plane = new Float64Array(n);
  const padded = new Float64Array(paddedHeight * paddedWidth);
  const gridPlane = new Float32Array(grid.height * grid.width);
  const re = new Float32Array(spectrumSize);
  const im = new Float32Array(spectrumSize);
  const lowData = new Float64Array(image.data.length);
  const highData = new Float64Array(image.data.length);
  for (let c = 0; c < channels; c++) {
    for (let i = 0; i < n; i++) plane[i] = image.data[i * channels + c];
    mirrorPad(plane, height, width, pad, padded);
    extendByReflection(padded, paddedHeight, paddedWidth, gridPlane, grid.height, grid.width);
    fft.forward(gridPlane, re, im, 1);
    for (let f = 0; f < spectrumSize; f++) {
      re[f] *= gain[f];
      im[f] *= gain[f];
    }
    fft.inverse(re, im, gridPlane, 1);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const i = (y * width + x) * channels + c;
        // as float64 of the float32 result, the value the planar version stored
        lowData[i] = gridPlane[(y + pad) * grid.width + x + pad];
        highData[i] = image.data[i] - lowData[i];
      }
    }
  }
  return { low: { height, width, channels, data: lowData }, high: { height, width, channels, data: highData } };
}

/** Copies a plane into a larger one, continuing it by mirror reflection at the bottom and right. */
function extendByReflection(plane: Float64Array, height: number, width: number, out: Float32Array, outHeight: number, outWidth: number): void {
  const reflect = (i: number, n: number) => {
    const j = i % (2 * n);
    return j < n ? j : 2 * n - 1 - j;
  };
  for (let y = 0; y < outHeight; y++) {
    const row = reflect(y, height) * width;
    for (let x = 0; x < outWidth; x++) out[y * outWidth + x] = plane[row + reflect(x, width)];
  }
}
