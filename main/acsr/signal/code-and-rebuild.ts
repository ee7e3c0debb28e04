import { type CbpdnEngineFactory, ConvBpdn } from './cbpdn.ts';
import type { ConvDictionary } from './conv-dictionary.ts';

/**
 * One tile (of purification's x_high) coded by CBPDN and rebuilt: y = CBPDN(D, s) on the tile's
 * planes, margins included, then sum_m d_m * y_m. The same function runs on the main thread (on
 * an engine whose worker threads share the tile) and inside a worker thread that codes whole
 * tiles by itself (parallel/code-on-worker.ts); on the same kernels both give the same bits.
 */
export interface TileCodingRequest {
  /** the tile's signal planes [c][y][x], float32 */
  readonly planes: Float32Array;
  readonly height: number;
  readonly width: number;
  readonly channels: number;
  readonly dictionary: ConvDictionary<Float32Array>;
  readonly lambda: number;
  readonly tolerance: number;
  readonly maxIterations: number;
}

export interface TileCoding {
  /** sum_m d_m * y_m, planes [c][y][x] as the request's */
  readonly reconstruction: Float32Array;
  readonly iterations: number;
  readonly converged: boolean;
  /** 1/2 ||D y - s||^2 + lambda ||y||_1 on the final Y */
  readonly objective: number;
  readonly primalResidual: number;
  readonly dualResidual: number;
}

/** `onIteration` hears of every iteration done (how many so far), to report or to stop. */
export async function codeAndRebuild(
  request: TileCodingRequest,
  engine: CbpdnEngineFactory<Float32Array>,
  signal: AbortSignal | undefined,
  onIteration: (done: number) => void,
): Promise<TileCoding> {
  const { planes, height, width, channels } = request;
  const solver = await ConvBpdn.create({
    dictionary: request.dictionary,
    signal: { height, width, channels, images: 1, planes },
    lambda: request.lambda,
    // the per-iteration objective costs ~20 % of an iteration; it is computed once, at the end
    options: { relativeTolerance: request.tolerance, maxIterations: request.maxIterations, skipObjective: true },
    engine,
  });
  try {
    let count = 0;
    const run = await solver.solve({
      signal,
      onIteration: () => onIteration(++count),
    });
    const reconstruction = await solver.reconstruct('Y');
    const last = run.stats[run.stats.length - 1];
    return {
      reconstruction,
      iterations: run.iterations,
      converged: run.converged,
      objective: cbpdnObjective(reconstruction, planes, solver.variable('Y'), request.lambda),
      primalResidual: last.primalResidual,
      dualResidual: last.dualResidual,
    };
  } finally {
    await solver.dispose();
  }
}

/** 1/2 ||D y - s||^2 + lambda ||y||_1, on Y as SPORCO's ObjFun with AuxVarObj. */
function cbpdnObjective(reconstruction: ArrayLike<number>, signal: ArrayLike<number>, y: ArrayLike<number>, lambda: number): number {
  let fidelity = 0;
  for (let i = 0; i < signal.length; i++) fidelity += (reconstruction[i] - signal[i]) ** 2;
  let l1 = 0;
  for (let i = 0; i < y.length; i++) l1 += Math.abs(y[i]);
  return fidelity / 2 + lambda * l1;
}
