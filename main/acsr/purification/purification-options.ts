import { availableParallelism } from 'node:os';

/**
 * The parameters of stage iii's signal path (Tikhonov split, CBPDN of the high part, tiling),
 * shared by ACSR's purification and by the comparison defenses built on the same path
 * (lowpass, single-dict), so that a comparison changes one thing only.
 */
export interface PurificationOptions {
  readonly tikhonovLambda: number;
  readonly cscLambda: number;
  readonly tolerance: number;
  readonly maxIterations: number;
  readonly tileSize: number;
  /** per side; default 2 x atom size */
  readonly tileMargin?: number;
  /** investigator's choice of cluster id ('class:index'), overriding the nearest */
  readonly clusterOverride?: string;
  readonly threads: number;
}

export const DEFAULT_PURIFICATION_OPTIONS: PurificationOptions = Object.freeze({
  tikhonovLambda: 5,
  cscLambda: 0.1,
  tolerance: 1e-3,
  // SPORCO's MaxMainIter default is 1000. Textured tiles stop at RelStopTol 1e-3 in 70-110
  // iterations; a nearly flat tile (x_high rms ~0.005, far below lambda) has an almost all-zero
  // solution whose relative residuals stall near 2e-3 in float32 while rho grows: the cap bounds
  // that case, and the tile is reported as not converged
  maxIterations: 200,
  tileSize: 256,
  threads: availableParallelism(),
});

/**
 * The settings that decide a purified image's pixels, as a record and a fleet task carry them
 * (`threads` and the override are left out: the first changes no pixel, the second is recorded on its own).
 */
export function recordedPurificationSettings(options: PurificationOptions) {
  return {
    tikhonovLambda: options.tikhonovLambda,
    cscLambda: options.cscLambda,
    tolerance: options.tolerance,
    maxIterations: options.maxIterations,
    tileSize: options.tileSize,
    tileMargin: options.tileMargin ?? null,
  };
}
