/**
 * The reference hashes a luma plane computed from 8-bit RGB samples. ImageArray holds [0, 1]
 * floats, so samples are brought back to bytes first; for 8-bit sources that recovers the stored
 * values exactly (16-bit sources are rounded to 8 bits).
 */
import type { ImageArray } from '../acsr/array/image-array.ts';
import type { BytePlane } from './pil-thumbnail.ts';

/** Rows x columns, row-major. */
export interface LumaPlane {
  rows: number;
  cols: number;
  data: Float64Array;
}

// Rec. 601 luma ("Y" of YUV), as both reference implementations use.
const LUMA_FROM_R = 0.299;
const LUMA_FROM_G = 0.587;
const LUMA_FROM_B = 0.114;

export function bytesFromRaster(image: ImageArray): BytePlane {
  const { width: cols, height: rows, channels, data: pixels } = image;
  if (pixels.length !== rows * cols * channels) {
    throw new RangeError(`image of ${rows} x ${cols} x ${channels} needs ${rows * cols * channels} values, has ${pixels.length}`);
  }
  const data = new Uint8Array(pixels.length);
  for (let i = 0; i < pixels.length; i++) {
    const value = pixels[i];
    // Rounding half up, not truncation: v / 255 * 255 can land just below the integer it came from.
    data[i] = value >= 1 ? 255 : value > 0 ? Math.floor(value * 255 + 0.5) : 0;
  }
  return { rows, cols, channels, data };
}

/**
 * pdq_hasher.py's fillFloatLumaFromBufferImage, in float64 as Python computes it. Greyscale goes
 * through the same weights, because the Python reference converts every picture to RGB first.
 * `into` (at least rows x cols long) is written instead of a new array.
 */
export function lumaFromBytes(plane: BytePlane, into?: Float64Array): LumaPlane {
  const { rows, cols, channels, data: samples } = plane;
  const count = rows * cols;
  const data = into ? into.subarray(0, count) : new Float64Array(count);
  for (let p = 0, at = 0; p < count; p++, at += channels) {
    const r = samples[at];
    const g = channels === 1 ? r : samples[at + 1];
    const b = channels === 1 ? r : samples[at + 2];
    data[p] = LUMA_FROM_R * r + LUMA_FROM_G * g + LUMA_FROM_B * b;
  }
  return { rows, cols, data };
}
