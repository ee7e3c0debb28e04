import { type ImageArray, fromPlanes, toPlanes } from '../array/image-array.ts';
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

  const planes = toPlanes(image);
  const padded = new Float64Array(paddedHeight * paddedWidth);
  const gridPlanes = new Float32Array(grid.height * grid.width * channels);
  for (let c = 0; c < channels; c++) {
    mirrorPad(planes.subarray(c * height * width, (c + 1) * height * width), height, width, pad, padded);
    extendByReflection(padded, paddedHeight, paddedWidth, gridPlanes.subarray(c * grid.height * grid.width, (c + 1) * grid.height * grid.width), grid.height, grid.width);
  }
  const re = new Float32Array(spectrumSize * channels);
  const im = new Float32Array(spectrumSize * channels);
  fft.forward(gridPlanes, re, im, channels);
  for (let c = 0; c < channels; c++) {
    for (let f = 0; f < spectrumSize; f++) {
      re[c * spectrumSize + f] *= gain[f];
      im[c * spectrumSize + f] *= gain[f];
    }
  }
  fft.inverse(re, im, gridPlanes, channels);

  const lowPlanes = new Float64Array(height * width * channels);
  for (let c = 0; c < channels; c++) {
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        lowPlanes[(c * height + y) * width + x] = gridPlanes[(c * grid.height + y + pad) * grid.width + x + pad];
      }
    }
  }
  const low = fromPlanes(lowPlanes, height, width, channels);
  const highData = new Float64Array(image.data.length);
  for (let i = 0; i < highData.length; i++) highData[i] = image.data[i] - low.data[i];
  return { low, high: { height, width, channels, data: highData } };
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
