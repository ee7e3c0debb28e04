import type { CbpdnLayout, UpdateSums } from '../cbpdn-kernels.ts';
import type { TileCoding, TileCodingRequest } from '../code-and-rebuild.ts';
import type { CbpdnArenaLayout } from '../simd/cbpdn-arena.ts';

/** Messages between the parallel CBPDN engine and its workers (structured-clone safe). */
export type SharedBufferName =
  | 'dictRe'
  | 'dictIm'
  | 'signalRe'
  | 'signalIm'
  | 'dictSignalRe'
  | 'dictSignalIm'
  | 'factorRe'
  | 'factorIm'
  | 'deltaRe'
  | 'deltaIm'
  | 'spectrumRe'
  | 'spectrumIm'
  | 'x'
  | 'y'
  | 'u'
  | 'l1Weight';

/** Sets (or, for a pooled worker, replaces) the solver a worker runs for. */
export interface WorkerInit {
  readonly op: 'init';
  readonly layout: CbpdnLayout;
  /** the buffers as one SharedArrayBuffer each (plain JS kernels), or */
  readonly buffers?: Partial<Record<SharedBufferName, SharedArrayBuffer>>;
  /** the buffers in one shared WASM memory, with this worker's scratch slot (SIMD kernels) */
  readonly arena?: { readonly memory: WebAssembly.Memory; readonly plan: CbpdnArenaLayout; readonly slot: number };
  /** plane range [p0, p1) and frequency range [f0, f1) this worker owns */
  readonly planes: readonly [number, number];
  readonly frequencies: readonly [number, number];
}

export type WorkerCommand =
  | WorkerInit
  /** drops the solver's buffers, so that a pooled worker keeps no memory between solvers */
  | { readonly op: 'release' }
  | { readonly op: 'prepare'; readonly rho: number; readonly sameDictionary: boolean }
  | { readonly op: 'refactor'; readonly rho: number }
  /** X <- Y - U, then its DFT into the working spectrum (own planes) */
  | { readonly op: 'forwardRhs' }
  /** the per-frequency solve (own frequencies), returning the partial DFid of X when asked */
  | { readonly op: 'solve'; readonly rho: number; readonly dataFidelity: boolean }
  /** inverse DFT of X-hat, then the y- and u-steps (own planes) */
  | { readonly op: 'inverseAndUpdate'; readonly relaxation: number; readonly threshold: number }
  | { readonly op: 'forwardY' }
  | { readonly op: 'dataFidelity' }
  | { readonly op: 'scaleDual'; readonly factor: number };

export type WorkerReply = { readonly ok: true; readonly value?: number; readonly sums?: UpdateSums } | { readonly ok: false; readonly error: string };

/**
 * A whole tile for one worker: it codes and rebuilds the tile by itself (its own engine, kept for
 * the next tile of the same shape) and answers once, so that the main thread is not on the path
 * of every iteration. `cancel` is one shared int, set to 1 to stop: a busy worker reads no
 * messages until the tile is done.
 */
export interface CodeAndRebuildCommand {
  readonly op: 'codeAndRebuild';
  readonly request: TileCodingRequest;
  readonly cancel: Int32Array;
}

/** How often, in iterations, a tile on a worker says it is still going (a progress bar's step). */
export const TILE_PROGRESS_EVERY = 10;

export type CodeAndRebuildMessage =
  /** the tile is still going: iterations done so far */
  | { readonly op: 'iterations'; readonly done: number }
  | { readonly op: 'coded'; readonly ok: true; readonly coding: TileCoding; readonly engine: string }
  | { readonly op: 'coded'; readonly ok: false; readonly cancelled: boolean; readonly error: string };
