import type { ImageArray } from '../array/image-array.ts';
import { fromPlanes, toPlanes } from '../array/image-array.ts';
import { ReferenceRealFft2d } from './fft/reference-real-fft2d.ts';

/**
 * Stage iii, step 1: the Tikhonov low/high-frequency split (SPORCO's tikhonov_filter).
 *
 *   x_low = argmin_z 1/2 ||z - s||^2 + lambda/2 sum_j ||G_j z||^2,   G_j = forward difference [-1, 1]
 *
 * has the closed form x_low_hat = s_hat / (1 + lambda (|g_r_hat|^2 + |g_c_hat|^2)) in the DFT
 * domain. The image is first mirrored by `pad` pixels on every side (numpy's 'symmetric' mode,
 * edge pixel repeated) so the circular DFT does not leak the opposite border into the low part,
 * then cropped back. x_high = s - x_low.
 */
export interface TikhonovSplit<T extends ImageArray> {
  readonly low: T;
  readonly high: T;
}

export const DEFAULT_TIKHONOV_PADDING = 16;

export function tikhonovSplit(
  image: ImageArray<Float64Array>,
  lambda: number,
  pad: number = DEFAULT_TIKHONOV_PADDING,
): TikhonovSplit<ImageArray<Float64Array>> {
  if (!(lambda >= 0) || !Number.isFinite(lambda)) throw new RangeError(`Tikhonov lambda must be finite and >= 0, got ${lambda}`);
  if (!Number.isInteger(pad) || pad < 0) throw new RangeError(`padding must be a non-negative integer, got ${pad}`);
  const { height, width, channels } = image;
  const paddedHeight = height + 2 * pad;
  const paddedWidth = width + 2 * pad;
  const fft = new ReferenceRealFft2d(paddedHeight, paddedWidth);
  const spectrumSize = paddedHeight * fft.spectrumWidth;
  const gain = lowPassGain(paddedHeight, paddedWidth, fft.spectrumWidth, lambda);

  const planes = toPlanes(image);
  const padded = new Float64Array(paddedHeight * paddedWidth * channels);
  for (let c = 0; c < channels; c++) {
    mirrorPad(
      planes.subarray(c * height * width, (c + 1) * height * width),
      height,
      width,
      pad,
      padded.subarray(c * paddedHeight * paddedWidth, (c + 1) * paddedHeight * paddedWidth),
    );
  }
  const re = new Float64Array(spectrumSize * channels);
  const im = new Float64Array(spectrumSize * channels);
  fft.forward(padded, re, im, channels);
  for (let c = 0; c < channels; c++) {
    for (let f = 0; f < spectrumSize; f++) {
      re[c * spectrumSize + f] *= gain[f];
      im[c * spectrumSize + f] *= gain[f];
    }
  }
  fft.inverse(re, im, padded, channels);

  const lowPlanes = new Float64Array(height * width * channels);
  for (let c = 0; c < channels; c++) {
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        lowPlanes[(c * height + y) * width + x] = padded[(c * paddedHeight + y + pad) * paddedWidth + x + pad];
      }
    }
  }
  const low = fromPlanes(lowPlanes, height, width, channels);
  const highData = new Float64Array(image.data.length);
  for (let i = 0; i < highData.length; i++) highData[i] = image.data[i] - low.data[i];
  return { low, high: { height, width, channels, data: highData } };
}

/** 1 / (1 + lambda (|G_r|^2 + |G_c|^2)) on the half spectrum; |DFT [-1, 1]|^2 = 2 - 2 cos(2 pi k / N). */
export function lowPassGain(height: number, width: number, spectrumWidth: number, lambda: number): Float64Array {
  const gain = new Float64Array(height * spectrumWidth);
  for (let r = 0; r < height; r++) {
    const rowTerm = 2 - 2 * Math.cos((2 * Math.PI * r) / height);
    for (let k = 0; k < spectrumWidth; k++) {
      const columnTerm = 2 - 2 * Math.cos((2 * Math.PI * k) / width);
      gain[r * spectrumWidth + k] = 1 / (1 + lambda * (rowTerm + columnTerm));
    }
  }
  return gain;
}

/** numpy.pad(mode='symmetric'): the border pixel is repeated (abc -> cba|abc|cba). */
export function mirrorPad(plane: Float64Array, height: number, width: number, pad: number, out: Float64Array): void {
  const paddedWidth = width + 2 * pad;
  const paddedHeight = height + 2 * pad;
  for (let y = 0; y < paddedHeight; y++) {
    const sy = reflectIndex(y - pad, height);
    for (let x = 0; x < paddedWidth; x++) {
      out[y * paddedWidth + x] = plane[sy * width + reflectIndex(x - pad, width)];
    }
  }
}

function reflectIndex(i: number, n: number): number {
  // Symmetric reflection has period 2n; padding wider than the image wraps repeatedly, as numpy does.
  const period = 2 * n;
  let j = ((i % period) + period) % period;
  if (j >= n) j = period - 1 - j;
  return j;
}
