/**
 * The reference hashes a float luma plane built from 8-bit RGB (pdqio.cpp loads files as
 * CImg<uint8_t>). RasterImage holds [0, 1] floats, so samples are brought back to 0..255 first;
 * for 8-bit sources that recovers the stored bytes exactly.
 */
import type { RasterImage } from '../io/image.ts';

/** Rows x columns, row-major; float32 like the reference's buffers. */
export interface LumaPlane {
  rows: number;
  cols: number;
  data: Float32Array;
}

// Stored as float in the reference (downscaling.cpp), so their float32 values are what it uses.
const LUMA_FROM_R = Math.fround(0.299);
const LUMA_FROM_G = Math.fround(0.587);
const LUMA_FROM_B = Math.fround(0.114);

const f32 = Math.fround;

function toByteScale(unit: number): number {
  // Rounding, not truncation: v/255*255 can land just below the integer it came from.
  return Math.round(Math.min(1, Math.max(0, unit)) * 255);
}

export function lumaFromRaster(image: RasterImage): LumaPlane {
  const { width: cols, height: rows, channels, data: pixels } = image;
  const count = rows * cols;
  if (pixels.length !== count * channels) {
    throw new RangeError(`image of ${rows} x ${cols} x ${channels} needs ${count * channels} values, has ${pixels.length}`);
  }
  const data = new Float32Array(count);
  if (channels === 1) {
    // fillFloatLumaFromGrey: the grey value itself, not weighted.
    for (let p = 0; p < count; p++) data[p] = toByteScale(pixels[p]);
  } else {
    // fillFloatLumaFromRGB, with each float operation rounded to float32 as the C++ does.
    for (let p = 0, at = 0; p < count; p++, at += 3) {
      const r = f32(LUMA_FROM_R * toByteScale(pixels[at]));
      const g = f32(LUMA_FROM_G * toByteScale(pixels[at + 1]));
      const b = f32(LUMA_FROM_B * toByteScale(pixels[at + 2]));
      data[p] = f32(f32(r + g) + b);
    }
  }
  return { rows, cols, data };
}
