/**
 * The smallest n-d array that can carry SPORCO-layout data between files and solvers: a shape and
 * a flat C-order (row-major, last axis fastest) buffer. Deliberately no views or strides.
 */
import type { FloatArray } from '../acsr/array/float-array.ts';
import { UserInputError } from '../errors/user-input-error.ts';

export interface NdArray<T extends FloatArray = FloatArray> {
  shape: number[];
  data: T;
}

export function sizeOfShape(shape: readonly number[]): number {
  let size = 1;
  for (const extent of shape) size *= extent;
  return size;
}

export function createNdArray<T extends FloatArray>(shape: readonly number[], data: T): NdArray<T> {
  for (const extent of shape) {
    if (!Number.isSafeInteger(extent) || extent < 0) throw new RangeError(`invalid shape [${shape.join(', ')}]`);
  }
  if (sizeOfShape(shape) !== data.length) {
    throw new RangeError(`shape [${shape.join(', ')}] needs ${sizeOfShape(shape)} elements, data has ${data.length}`);
  }
  return { shape: [...shape], data };
}

export function zerosNdArray(shape: readonly number[], precision: 'float64' | 'float32' = 'float64'): NdArray {
  const data = precision === 'float64' ? new Float64Array(sizeOfShape(shape)) : new Float32Array(sizeOfShape(shape));
  return createNdArray(shape, data);
}

/** C-order strides in elements: the last axis is contiguous. */
export function stridesOf(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length);
  let stride = 1;
  for (let axis = shape.length - 1; axis >= 0; axis--) {
    strides[axis] = stride;
    stride *= shape[axis];
  }
  return strides;
}

export function flatIndex(shape: readonly number[], index: readonly number[]): number {
  const strides = stridesOf(shape);
  let offset = 0;
  for (let axis = 0; axis < shape.length; axis++) offset += index[axis] * strides[axis];
  return offset;
}

export function formatShape(shape: readonly number[]): string {
  return `(${shape.join(', ')}${shape.length === 1 ? ',' : ''})`;
}

/**
 * Checks an array loaded from a user's file against the layout the caller needs; `null` accepts
 * any extent on that axis. Throws a UserInputError naming `what`, because a wrong shape here is
 * a wrong file, not a bug.
 */
export function assertShape(array: NdArray, expected: readonly (number | null)[], what: string): void {
  const matches = array.shape.length === expected.length && expected.every((extent, axis) => extent === null || extent === array.shape[axis]);
  if (!matches) {
    const wanted = `(${expected.map((extent) => (extent === null ? '*' : String(extent))).join(', ')})`;
    throw new UserInputError(`${what} has shape ${formatShape(array.shape)}, expected ${wanted}`);
  }
}
