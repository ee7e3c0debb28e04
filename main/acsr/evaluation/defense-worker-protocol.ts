/** Messages between DefenseWorkerPool and its workers: plain, structured-clone-able objects. */
import type { ImageArray } from '../array/image-array.ts';
import type { PurificationOptions } from '../purification/purification-options.ts';

/** Enough to rebuild the same defenses in a worker: names and where their inputs live. */
export interface DefenseWorkerSetup {
  readonly defenses: readonly string[];
  readonly bundlePath?: string;
  /** the extractor is loaded by id in the worker (the bundle's) */
  readonly singleDictionaryPath?: string;
  readonly purification: Partial<PurificationOptions>;
}

export interface DefenseTask {
  readonly id: number;
  readonly defense: string;
  readonly image: ImageArray<Float32Array>;
  readonly seed?: number;
}

export type DefenseWorkerMessage =
  | { readonly ready: true; readonly descriptions: Record<string, { description: string; randomized: boolean }> }
  | { readonly setupFailed: string }
  | { readonly id: number; readonly image: ImageArray<Float32Array>; readonly clusterId?: string; readonly seconds: number }
  | { readonly id: number; readonly failure: string };
