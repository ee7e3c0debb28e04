import type { FloatArray } from './float-array.ts';

/**
 * The product's one image type, as the method describes it: H x W x C values in [0, 1],
 * row-major, channels last. Files read through main/io/image.ts give 1 or 3 channels; the
 * solvers take any count. (They work on planes internally; conversion happens at their boundary.)
 */
export interface ImageArray<T extends FloatArray = FloatArray> {
  readonly height: number;
  readonly width: number;
  readonly channels: number;
  readonly data: T;
}

export function assertImageShape(image: ImageArray): void {
  const { height, width, channels, data } = image;
  if (![height, width, channels].every((n) => Number.isInteger(n) && n > 0)) {
    throw new RangeError(`image dimensions must be positive integers, got ${height}x${width}x${channels}`);
  }
  if (data.length !== height * width * channels) {
    throw new RangeError(`image data has ${data.length} values, expected ${height}*${width}*${channels}`);
  }
}

/** Channels-last HWC -> planes [c][y][x]. */
export function toPlanes<T extends FloatArray>(image: ImageArray<T>, out?: T): T {
  const { height, width, channels, data } = image;
  const n = height * width;
  const planes = out ?? new (data.constructor as new (n: number) => T)(n * channels);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < channels; c++) planes[c * n + i] = data[i * channels + c];
  }
  return planes;
}

/** Planes [c][y][x] -> channels-last HWC. */
export function fromPlanes<T extends FloatArray>(planes: T, height: number, width: number, channels: number): ImageArray<T> {
  const n = height * width;
  const data = new (planes.constructor as new (n: number) => T)(n * channels);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < channels; c++) data[i * channels + c] = planes[c * n + i];
  }
  return { height, width, channels, data };
}

export function findNonFinite(data: FloatArray): number {
  for (let i = 0; i < data.length; i++) if (!Number.isFinite(data[i])) return i;
  return -1;
}

/** A rectangle of an image, copied (top-left corner at row `top`, column `left`). */
export function cropImage<T extends FloatArray>(image: ImageArray<T>, top: number, left: number, height: number, width: number): ImageArray<T> {
  const { channels } = image;
  const data = new (image.data.constructor as new (n: number) => T)(height * width * channels);
  for (let y = 0; y < height; y++) {
    const from = ((top + y) * image.width + left) * channels;
    data.set(image.data.subarray(from, from + width * channels), y * width * channels);
  }
  return { height, width, channels, data };
}
