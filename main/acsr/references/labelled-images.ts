import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { UserInputError } from '../../errors/user-input-error.ts';
import { decodeImage } from '../../io/image.ts';
import type { ImageArray } from '../array/image-array.ts';
import { expandImageInputs } from '../../io/image-inputs.ts';
import { FASHION_MNIST_CLASSES, loadFashionMnist } from '../data/fashion-mnist.ts';
import { sha256Hex } from '../../io/hashing.ts';

/**
 * The labelled clean images stage i learns from, whatever their origin: a folder with one
 * sub-folder per class (how an investigator's in-house data arrives) or the Fashion-MNIST IDX
 * files. Images are decoded lazily, one batch at a time, so a large folder never sits in memory.
 */
export interface LabelledImage {
  readonly className: string;
  /** path relative to the data root, or 'train[12]' for IDX data */
  readonly name: string;
  readonly sha256: string;
  /** the smaller side, known before decoding (training patches must fit every image) */
  readonly shortSide: number;
  /** known before decoding (how many distinct training crops the image gives) */
  readonly height: number;
  readonly width: number;
  load(): Promise<ImageArray>;
}

export interface LabelledImageSource {
  readonly kind: 'folder' | 'fashion-mnist';
  readonly description: string;
  readonly classNames: readonly string[];
  readonly images: readonly LabelledImage[];
  /** per-file hashes of what was read (image files, or the IDX files) */
  readonly sources: { name: string; className: string | null; sha256: string }[];
}

export async function isFashionMnistFolder(directory: string): Promise<boolean> {
  const entries = await readdir(directory).catch(() => [] as string[]);
  return entries.includes('train-images-idx3-ubyte.gz') && entries.includes('train-labels-idx1-ubyte.gz');
}

/** One sub-folder per class, class names = folder names (sorted by code point). */
export async function labelledFolder(root: string, channels: 1 | 3): Promise<LabelledImageSource> {
  const entries = await readdir(root, { withFileTypes: true }).catch((error: NodeJS.ErrnoException) => {
    throw new UserInputError(`${root}: ${error.code === 'ENOENT' ? 'no such folder' : error.message}`);
  });
  const classNames = entries
    .filter((e) => e.isDirectory() && !e.name.startsWith('.'))
    .map((e) => e.name)
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  if (classNames.length === 0) throw new UserInputError(`${root}: no class sub-folders (expected one folder of images per class)`);
  const images: LabelledImage[] = [];
  for (const className of classNames) {
    const files = await expandImageInputs([join(root, className)]);
    for (const file of files) {
      const bytes = await readFile(file);
      const meta = await sharp(bytes)
        .metadata()
        .catch(() => {
          throw new UserInputError(`${file}: not a readable image`);
        });
      const name = `${className}/${file.slice(join(root, className).length + 1)}`;
      images.push({
        className,
        name,
        sha256: sha256Hex(bytes),
        shortSide: Math.min(meta.width, meta.height),
        height: meta.height,
        width: meta.width,
        load: async () => decodeImage(await readFile(file), { source: file, channels: channels === 1 ? 'gray' : 'rgb' }),
      });
    }
  }
  return {
    kind: 'folder',
    description: `labelled folder with classes ${classNames.join(', ')}`,
    classNames,
    images,
    sources: images.map((image) => ({ name: image.name, className: image.className, sha256: image.sha256 })),
  };
}

/** The first `limit` training images of Fashion-MNIST, classes named as in its README. */
export async function fashionMnistSource(directory: string, limit: number | undefined, channels: 1 | 3): Promise<LabelledImageSource> {
  const set = await loadFashionMnist(directory, 'train', limit);
  const sources = [];
  for (const file of ['train-images-idx3-ubyte.gz', 'train-labels-idx1-ubyte.gz']) {
    sources.push({ name: file, className: null, sha256: sha256Hex(await readFile(join(directory, file))) });
  }
  const present = new Set(set.labels);
  const classNames = FASHION_MNIST_CLASSES.filter((_, label) => present.has(label));
  const images = set.images.map((image, i): LabelledImage => {
    const pixels = Float64Array.from(image.data);
    return {
      className: FASHION_MNIST_CLASSES[set.labels[i]],
      name: `train[${i}]`,
      sha256: sha256Hex(new Uint8Array(pixels.map((v) => Math.round(v * 255)))),
      shortSide: Math.min(image.height, image.width),
      height: image.height,
      width: image.width,
      load: async () => (channels === 1 ? image : greyToRgb(image)),
    };
  });
  return { kind: 'fashion-mnist', description: `Fashion-MNIST train, first ${images.length} images`, classNames, images, sources };
}

function greyToRgb(image: ImageArray): ImageArray {
  const data = new Float64Array(image.height * image.width * 3);
  for (let i = 0; i < image.height * image.width; i++) data.fill(image.data[i], 3 * i, 3 * i + 3);
  return { height: image.height, width: image.width, channels: 3, data };
}
