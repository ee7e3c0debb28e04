/** Inputs that may be given either as a .npy array or as an image file (`--in S.npy|IMG`). */
import { imageToNdArray, readImage, type ReadImageOptions } from './image.ts';
import type { NdArray } from './ndarray.ts';
import { readNpy } from './npy.ts';

export interface LoadedArray {
  array: NdArray;
  /** Image arrays are (H, W, C) in [0, 1]; .npy arrays are whatever the file holds. */
  kind: 'npy' | 'image';
  notes: string[];
}

/** Chooses by extension, because a .npy file is never a valid image and vice versa. */
export async function readArrayOrImage(path: string, imageOptions: ReadImageOptions = {}): Promise<LoadedArray> {
  if (path.toLowerCase().endsWith('.npy')) return { array: await readNpy(path), kind: 'npy', notes: [] };
  const image = await readImage(path, imageOptions);
  return { array: imageToNdArray(image), kind: 'image', notes: image.notes };
}
