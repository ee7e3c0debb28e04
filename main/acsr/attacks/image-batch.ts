/**
 * Small helpers on ImageBatch (attack-types.ts): sizes, copies, and a batch restricted to some of
 * its images, so that attacks can keep working only on the images not yet done.
 */
import type { ImageBatch } from './attack-types.ts';

/** H * W * C: the number of values in one image, the `d` of every per-pixel-normalised norm. */
export function valuesPerImage(batch: Pick<ImageBatch, 'height' | 'width' | 'channels'>): number {
  return batch.height * batch.width * batch.channels;
}

/** The same geometry with other pixel values (copied, so callers may keep mutating theirs). */
export function withPixels(batch: ImageBatch, data: Float32Array): ImageBatch {
  if (data.length !== batch.count * valuesPerImage(batch)) {
    throw new RangeError(`pixel block holds ${data.length} values, expected ${batch.count} x ${valuesPerImage(batch)}`);
  }
  return { count: batch.count, height: batch.height, width: batch.width, channels: batch.channels, data: Float32Array.from(data) };
}

/** The images at `indices`, in that order (copied). */
export function selectImages(batch: ImageBatch, indices: readonly number[]): ImageBatch {
  const d = valuesPerImage(batch);
  const data = new Float32Array(indices.length * d);
  indices.forEach((index, row) => data.set(batch.data.subarray(index * d, (index + 1) * d), row * d));
  return { count: indices.length, height: batch.height, width: batch.width, channels: batch.channels, data };
}

export function assertValidBatch(batch: ImageBatch, what = 'image batch'): void {
  const d = valuesPerImage(batch);
  if (!Number.isInteger(batch.count) || batch.count < 0) throw new RangeError(`${what}: count ${batch.count} is not a non-negative integer`);
  if (batch.data.length !== batch.count * d) {
    throw new RangeError(`${what}: ${batch.data.length} values, expected ${batch.count} x ${batch.height} x ${batch.width} x ${batch.channels}`);
  }
  for (let i = 0; i < batch.data.length; i++) {
    const value = batch.data[i];
    if (!(value >= 0 && value <= 1)) throw new RangeError(`${what}: value ${value} at flat index ${i} is outside [0, 1]`);
  }
}
