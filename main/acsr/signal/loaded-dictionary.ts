/** A dictionary's atoms as a solver loaded them (a copy: the caller's may change afterwards). */
export interface LoadedDictionary {
  readonly atomHeight: number;
  readonly atomWidth: number;
  readonly data: Float64Array;
}

/**
 * Whether two dictionaries have the same atoms (shape and values, a few thousand compares): how an
 * engine tells that the spectrum in its buffers, or one it kept, belongs to the dictionary asked for.
 */
export function sameAtoms(
  a: { readonly atomHeight: number; readonly atomWidth: number; readonly data: ArrayLike<number> },
  b: { readonly atomHeight: number; readonly atomWidth: number; readonly data: ArrayLike<number> },
): boolean {
  if (a.atomHeight !== b.atomHeight || a.atomWidth !== b.atomWidth || a.data.length !== b.data.length) return false;
  for (let i = 0; i < a.data.length; i++) if (a.data[i] !== b.data[i]) return false;
  return true;
}
