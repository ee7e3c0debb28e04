import { join } from 'node:path';
import { cropImage } from '../../main/acsr/array/image-array.ts';
import { loadFashionMnist } from '../../main/acsr/data/fashion-mnist.ts';
import { readImage } from '../../main/io/image.ts';
import type { ImageArray } from '../../main/acsr/array/image-array.ts';
import { fashionMnistDir, photosDir } from '../support/shared-data.ts';

/** Real test images for the defenses: crops of the shared photos, and Fashion-MNIST test images. */
export async function photoCrop(file: string, top: number, left: number, height: number, width: number, channels: 'rgb' | 'gray' = 'rgb'): Promise<ImageArray> {
  const photo = await readImage(join(photosDir, file), { channels });
  return { ...cropImage(photo, top, left, height, width), channels: photo.channels };
}

export async function fashionMnistImages(count: number): Promise<ImageArray[]> {
  return (await loadFashionMnist(fashionMnistDir, 't10k', count)).images;
}

export function assertSameShapeInUnitRange(output: ImageArray, input: ImageArray, what: string): void {
  if (output.height !== input.height || output.width !== input.width || output.channels !== input.channels) {
    throw new Error(`${what}: output ${output.height}x${output.width}x${output.channels}, input ${input.height}x${input.width}x${input.channels}`);
  }
  if (output.data.length !== input.data.length) throw new Error(`${what}: ${output.data.length} values for ${input.data.length}`);
  for (let i = 0; i < output.data.length; i++) {
    if (!(output.data[i] >= 0 && output.data[i] <= 1)) throw new Error(`${what}: value ${output.data[i]} at ${i} outside [0, 1]`);
  }
}

export function meanSquaredDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += (a[i] - b[i]) ** 2;
  return sum / a.length;
}

export function psnr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  return 10 * Math.log10(1 / meanSquaredDifference(a, b));
}
