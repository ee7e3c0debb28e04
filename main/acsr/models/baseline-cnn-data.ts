/**
 * Fashion-MNIST as the baseline CNN consumes it: every image of a split in one float block
 * [N, 28, 28, 1] in [0, 1] (what the registry entry's preprocessing gives the model at load time).
 */
import { loadFashionMnist, type FashionMnistSplit } from '../data/fashion-mnist.ts';
import type { PixelSet } from './baseline-cnn.ts';

export async function fashionMnistPixels(directory: string, split: FashionMnistSplit, limit?: number): Promise<PixelSet & { height: number; width: number }> {
  const set = await loadFashionMnist(directory, split, limit);
  const height = set.images[0]?.height ?? 28;
  const width = set.images[0]?.width ?? 28;
  const pixels = new Float32Array(set.images.length * height * width);
  set.images.forEach((image, i) => pixels.set(image.data, i * height * width));
  return { pixels, labels: set.labels, count: set.images.length, height, width };
}
