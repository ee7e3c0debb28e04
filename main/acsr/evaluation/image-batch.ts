/** Conversions between the attack library's one-block batches and the per-image rasters defenses and models take. */
import type { ImageArray } from '../array/image-array.ts';
import type { ImageBatch } from '../attacks/attack-types.ts';

export function batchFromImages(images: readonly ImageArray[]): ImageBatch {
  if (images.length === 0) throw new RangeError('an empty batch');
  const { height, width, channels } = images[0];
  const size = height * width * channels;
  const data = new Float32Array(images.length * size);
  images.forEach((image, i) => {
    if (image.height !== height || image.width !== width || image.channels !== channels) {
      throw new RangeError(`image ${i} is ${image.width}x${image.height}x${image.channels}, the batch ${width}x${height}x${channels}`);
    }
    data.set(image.data, i * size);
  });
  return { count: images.length, height, width, channels, data };
}

export function imagesFromBatch(batch: ImageBatch): ImageArray[] {
  const size = batch.height * batch.width * batch.channels;
  return Array.from({ length: batch.count }, (_, i) => ({
    height: batch.height,
    width: batch.width,
    channels: batch.channels,
    data: batch.data.slice(i * size, (i + 1) * size),
  }));
}
