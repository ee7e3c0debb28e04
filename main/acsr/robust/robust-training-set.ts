/**
 * The labelled clean images of stage ii as one float block at the network's input size
 * ([N, h, w, c] in [0, 1]), with names that match the bundle's cluster members ('train[12]' for
 * Fashion-MNIST, 'class/file.png' for a folder), so each image can find its stage-i cluster.
 */
import * as tf from '@tensorflow/tfjs';
import { UserInputError } from '../../errors/user-input-error.ts';
import { FASHION_MNIST_CLASSES, type FashionMnistSplit } from '../data/fashion-mnist.ts';
import { fashionMnistPixels } from '../models/baseline-cnn-data.ts';
import { preprocessPixels, rasterToTensor } from '../models/model-input.ts';
import type { ModelEntry } from '../models/model-registry.ts';
import { sha256Hex } from '../../io/hashing.ts';
import { isFashionMnistFolder, labelledFolder } from '../references/labelled-images.ts';

export interface RobustTrainingSet {
  readonly count: number;
  readonly height: number;
  readonly width: number;
  readonly channels: 1 | 3;
  readonly pixels: Float32Array;
  /** class index in the model's classNames */
  readonly labels: Int32Array;
  readonly names: readonly string[];
  readonly description: string;
  /** SHA-256 of the pixel block and the labels: what a checkpoint's resume must see again */
  readonly sha256: string;
}

/**
 * `--data DIR|fashion-mnist`: the Fashion-MNIST IDX folder (first `limit` images of `split`; t10k
 * for held-out evaluation) or class sub-folders (first `limit` images in class order).
 */
export async function loadRobustTrainingSet(
  directory: string,
  entry: ModelEntry,
  limit?: number,
  split: FashionMnistSplit = 'train',
): Promise<RobustTrainingSet> {
  const { height, width, channels } = entry.input;
  if (await isFashionMnistFolder(directory)) {
    const set = await fashionMnistPixels(directory, split, limit);
    if (set.height !== height || set.width !== width || channels !== 1) {
      throw new UserInputError(
        `model '${entry.id}' takes ${height}x${width}x${channels} images; Fashion-MNIST is ${set.height}x${set.width}x1 (train the baseline CNN for it)`,
      );
    }
    const labels = Int32Array.from(set.labels, (label) => modelClassIndex(entry, FASHION_MNIST_CLASSES[label]));
    const names = Array.from({ length: set.count }, (_, i) => `${split}[${i}]`);
    return finish({
      count: set.count,
      height,
      width,
      channels,
      pixels: set.pixels,
      labels,
      names,
      description: `Fashion-MNIST ${split}, first ${set.count} images`,
    });
  }
  const source = await labelledFolder(directory, channels);
  const chosen = source.images.slice(0, limit ?? source.images.length);
  const size = height * width * channels;
  const pixels = new Float32Array(chosen.length * size);
  for (const [i, image] of chosen.entries()) {
    const raster = await image.load();
    // resized (and channel-matched) exactly as the model sees it at inference
    const resized = tf.tidy(() => preprocessPixels(rasterToTensor(raster), entry));
    pixels.set(await resized.data<'float32'>(), i * size);
    resized.dispose();
  }
  const labels = Int32Array.from(chosen, (image) => modelClassIndex(entry, image.className));
  return finish({
    count: chosen.length,
    height,
    width,
    channels,
    pixels,
    labels,
    names: chosen.map((image) => image.name),
    description: `${source.description}, ${chosen.length} images`,
  });
}

function modelClassIndex(entry: ModelEntry, className: string): number {
  const index = entry.classNames.indexOf(className);
  if (index < 0) throw new UserInputError(`class '${className}' of the data is not one of model '${entry.id}''s classes (${entry.classNames.join(', ')})`);
  return index;
}

function finish(set: Omit<RobustTrainingSet, 'sha256'>): RobustTrainingSet {
  const bytes = new Uint8Array(set.pixels.buffer, set.pixels.byteOffset, set.pixels.byteLength);
  return { ...set, sha256: sha256Hex(Buffer.concat([bytes, new Uint8Array(set.labels.buffer, set.labels.byteOffset, set.labels.byteLength)])) };
}

/** The images at `indices`, one block in the layout of the attack contract's ImageBatch. */
export function pixelBlock(set: RobustTrainingSet, indices: ArrayLike<number>): Float32Array {
  const size = set.height * set.width * set.channels;
  const block = new Float32Array(indices.length * size);
  for (let row = 0; row < indices.length; row++) block.set(set.pixels.subarray(indices[row] * size, (indices[row] + 1) * size), row * size);
  return block;
}

/**
 * The set without the images named in `excluded` (a bundle's validation images): stage ii must
 * not learn from the images that later choose the purification settings, or the tuning would be
 * measured on images the extractor was fitted to.
 */
export function withoutImages(set: RobustTrainingSet, excluded: ReadonlySet<string>): RobustTrainingSet {
  const kept = set.names.flatMap((name, i) => (excluded.has(name) ? [] : [i]));
  if (kept.length === set.count) return set;
  return finish({
    ...set,
    count: kept.length,
    pixels: pixelBlock(set, kept),
    labels: Int32Array.from(kept, (i) => set.labels[i]),
    names: kept.map((i) => set.names[i]),
    description: `${set.description}, less ${set.count - kept.length} validation images of the bundle`,
  });
}
