import createPffftSimdInstance from '@echogarden/pffft-wasm/simd';

/** The part of PFFFT's Emscripten export surface this project uses (see pffft.h in the package). */
export interface PffftModule {
  /** Current view of linear memory; replaced by Emscripten whenever malloc grows the memory. */
  readonly HEAPF32: Float32Array;
  /** transform 0 = PFFFT_REAL, 1 = PFFFT_COMPLEX; returns 0 for unsupported lengths. */
  _pffft_new_setup(length: number, transform: number): number;
  /** direction 0 = forward, 1 = backward; input and output may alias. */
  _pffft_transform_ordered(setup: number, input: number, output: number, work: number, direction: number): void;
  _pffft_aligned_malloc(bytes: number): number;
  _pffft_simd_size(): number;
}

export const PFFFT_REAL = 0;
export const PFFFT_COMPLEX = 1;
export const PFFFT_FORWARD = 0;
export const PFFFT_BACKWARD = 1;

/**
 * A private PFFFT instance (WASM SIMD build) with its own memory, so instances never share
 * scratch and each worker thread can own one. The package's glue reads pffft.wasm from its own
 * folder with fs, so loading is offline.
 */
export async function loadPffftModule(): Promise<PffftModule> {
  const instance = (await createPffftSimdInstance()) as PffftModule;
  if (instance._pffft_simd_size() !== 4) throw new Error('PFFFT SIMD build did not report 4-wide vectors');
  return instance;
}
