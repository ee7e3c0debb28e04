/**
 * Loading what the sparse-coding commands take (a dictionary .npy, a signal as .npy or image),
 * with the checks that turn a wrong file into a one-line error instead of a solver exception.
 */
import { findNonFinite } from '../../acsr/array/image-array.ts';
import { fromSporcoLayout, type ConvDictionary } from '../../acsr/signal/conv-dictionary.ts';
import { UserInputError } from '../../errors/user-input-error.ts';
import { readArrayOrImage } from '../../io/array-or-image.ts';
import { formatShape, type NdArray } from '../../io/ndarray.ts';
import { readNpy } from '../../io/npy.ts';

export function assertFinite(array: NdArray, what: string): void {
  const index = findNonFinite(array.data);
  if (index >= 0) throw new UserInputError(`${what} holds ${array.data[index]} at flat index ${index}; every value must be finite`);
}

/** SPORCO's dictionary layouts: (h, w, M) single-channel or (h, w, C, M) multi-channel. */
export async function readDictionaryFile(path: string): Promise<ConvDictionary<Float64Array>> {
  const array = await readNpy(path);
  if (array.shape.length !== 3 && array.shape.length !== 4) {
    throw new UserInputError(`${path}: dictionary has shape ${formatShape(array.shape)}, expected (h, w, M) or (h, w, C, M) as SPORCO stores it`);
  }
  if (array.shape.length === 4 && array.shape[2] !== 1 && array.shape[2] !== 3) {
    throw new UserInputError(`${path}: dictionary has ${array.shape[2]} channels, expected 1 or 3`);
  }
  if (array.shape.some((extent) => extent === 0)) throw new UserInputError(`${path}: dictionary has an empty axis ${formatShape(array.shape)}`);
  assertFinite(array, path);
  return fromSporcoLayout(array.shape, Float64Array.from(array.data));
}

export interface SignalImage {
  height: number;
  width: number;
  channels: number;
  /** H x W x C, channels last, float64 */
  data: Float64Array;
  kind: 'npy' | 'image';
  notes: string[];
}

/** A signal as (H, W) or (H, W, C) .npy, or an image file (values in [0, 1]). */
export async function readSignalFile(path: string): Promise<SignalImage> {
  const { array, kind, notes } = await readArrayOrImage(path, { precision: 'float64' });
  if (array.shape.length !== 2 && array.shape.length !== 3) {
    throw new UserInputError(`${path}: signal has shape ${formatShape(array.shape)}, expected (H, W) or (H, W, C)`);
  }
  const [height, width, channels = 1] = array.shape;
  if (height === 0 || width === 0 || channels === 0) throw new UserInputError(`${path}: signal has an empty axis ${formatShape(array.shape)}`);
  assertFinite(array, path);
  return { height, width, channels, data: Float64Array.from(array.data), kind, notes };
}

/** Weights must be finite and >= 0; whether their count fits the problem is the solver's check. */
export async function readL1WeightFile(path: string): Promise<Float64Array> {
  const array = await readNpy(path);
  assertFinite(array, path);
  const negative = array.data.findIndex((value) => value < 0);
  if (negative >= 0) throw new UserInputError(`${path}: l1 weights must be >= 0, found ${array.data[negative]} at flat index ${negative}`);
  return Float64Array.from(array.data);
}
