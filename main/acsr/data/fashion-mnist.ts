/**
 * Fashion-MNIST in its original IDX files (gzip), as shipped in ../shared/data/fashion-mnist/:
 * a big-endian header (magic 0x00000803 for images with count, rows, cols; 0x00000801 for labels
 * with count), then unsigned bytes. Pixels become greyscale ImageArrays in [0, 1].
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { ImageArray } from '../array/image-array.ts';
import { UserInputError } from '../../errors/user-input-error.ts';

export const FASHION_MNIST_CLASSES = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'] as const;

export type FashionMnistSplit = 'train' | 't10k';

export interface FashionMnistSet {
  readonly images: ImageArray[];
  readonly labels: Uint8Array;
}

const IMAGE_MAGIC = 0x00000803;
const LABEL_MAGIC = 0x00000801;

/** The first `limit` images and labels of a split (all of them by default). */
export async function loadFashionMnist(directory: string, split: FashionMnistSplit, limit?: number): Promise<FashionMnistSet> {
  const imageFile = join(directory, `${split}-images-idx3-ubyte.gz`);
  const labelFile = join(directory, `${split}-labels-idx1-ubyte.gz`);
  const images = parseIdxImages(await readGzip(imageFile), imageFile, limit);
  const labels = parseIdxLabels(await readGzip(labelFile), labelFile, limit);
  if (images.length !== labels.length) throw new UserInputError(`${imageFile} has ${images.length} images but ${labelFile} ${labels.length} labels`);
  return { images, labels };
}

async function readGzip(path: string): Promise<Buffer> {
  const bytes = await readFile(path).catch((error: NodeJS.ErrnoException) => {
    throw new UserInputError(`${path}: ${error.code === 'ENOENT' ? 'no such file' : error.message}`);
  });
  try {
    return gunzipSync(bytes);
  } catch (error) {
    throw new UserInputError(`${path}: not a valid gzip file (${(error as Error).message})`);
  }
}

export function parseIdxImages(bytes: Buffer, source: string, limit?: number): ImageArray[] {
  if (bytes.length < 16 || bytes.readUInt32BE(0) !== IMAGE_MAGIC) throw new UserInputError(`${source}: not an IDX image file (magic 0x00000803)`);
  const count = bytes.readUInt32BE(4);
  const rows = bytes.readUInt32BE(8);
  const cols = bytes.readUInt32BE(12);
  if (bytes.length !== 16 + count * rows * cols) throw new UserInputError(`${source}: ${bytes.length} bytes, header says ${16 + count * rows * cols}`);
  const n = Math.min(count, limit ?? count);
  const images: ImageArray[] = [];
  for (let i = 0; i < n; i++) {
    const data = new Float64Array(rows * cols);
    const from = 16 + i * rows * cols;
    for (let j = 0; j < rows * cols; j++) data[j] = bytes[from + j] / 255;
    images.push({ height: rows, width: cols, channels: 1, data });
  }
  return images;
}

export function parseIdxLabels(bytes: Buffer, source: string, limit?: number): Uint8Array {
  if (bytes.length < 8 || bytes.readUInt32BE(0) !== LABEL_MAGIC) throw new UserInputError(`${source}: not an IDX label file (magic 0x00000801)`);
  const count = bytes.readUInt32BE(4);
  if (bytes.length !== 8 + count) throw new UserInputError(`${source}: ${bytes.length} bytes, header says ${8 + count}`);
  return Uint8Array.from(bytes.subarray(8, 8 + Math.min(count, limit ?? count)));
}
