import type { CbpdnEngineFactory } from '../signal/cbpdn.ts';
import { ConvBpdn } from '../signal/cbpdn.ts';
import type { ConvDictionary } from '../signal/conv-dictionary.ts';

/**
 * The CBPDN objective 1/2 ||sum_m d_m * y_m - s||^2 + lambda ||y||_1 of each signal, solved with
 * one dictionary: how well that dictionary sparsely represents each signal (lower is better).
 * Signals are solved a block at a time as one multi-image problem (the images are independent
 * given the dictionary; one solver per block is far cheaper than one per image), and each image's
 * objective is read off the final coefficients Y and their reconstruction. The block is part of
 * the computation: its images share rho and the stopping test, so the same blocks give the same
 * numbers whichever thread solves them (objective-worker-pool.ts relies on it).
 */
export interface ObjectiveSettings {
  readonly lambda: number;
  readonly maxIterations: number;
  readonly tolerance: number;
  /** images per solver */
  readonly block: number;
}

export async function cbpdnObjectives(
  dictionary: ConvDictionary<Float32Array>,
  signals: readonly Float32Array[],
  size: number,
  channels: number,
  settings: ObjectiveSettings,
  engine: CbpdnEngineFactory<Float32Array>,
  abort?: AbortSignal,
): Promise<number[]> {
  const objectives: number[] = [];
  for (let from = 0; from < signals.length; from += settings.block) {
    abort?.throwIfAborted();
    objectives.push(...(await blockObjectives(dictionary, signals.slice(from, from + settings.block), size, channels, settings, engine, abort)));
  }
  return objectives;
}

/** The objectives of one block of signals (at most settings.block), solved together. */
export async function blockObjectives(
  dictionary: ConvDictionary<Float32Array>,
  block: readonly Float32Array[],
  size: number,
  channels: number,
  settings: ObjectiveSettings,
  engine: CbpdnEngineFactory<Float32Array>,
  abort?: AbortSignal,
): Promise<number[]> {
  const planeSize = channels * size * size;
  const K = block.length;
  const planes = new Float32Array(K * planeSize);
  block.forEach((signal, k) => planes.set(signal, k * planeSize));
  const solver = await ConvBpdn.create({
    dictionary,
    signal: { height: size, width: size, channels, images: K, planes },
    lambda: settings.lambda,
    options: { maxIterations: settings.maxIterations, relativeTolerance: settings.tolerance, skipObjective: true },
    engine,
  });
  try {
    await solver.solve({ signal: abort });
    const reconstruction = await solver.reconstruct('Y');
    const y = solver.variable('Y');
    const { groups: G, atoms: M, height: H, width: W, dictChannels } = solver.layout;
    const fidelity = new Float64Array(K);
    const l1 = new Float64Array(K);
    for (let k = 0; k < K; k++) {
      for (let i = k * planeSize; i < (k + 1) * planeSize; i++) {
        const r = reconstruction[i] - planes[i];
        fidelity[k] += r * r;
      }
    }
    const mapSize = M * H * W;
    for (let g = 0; g < G; g++) {
      // a one-channel dictionary shared over C channels codes group g = c K + k (cbpdn.ts)
      const k = dictChannels === 1 ? g % K : g;
      for (let i = g * mapSize; i < (g + 1) * mapSize; i++) l1[k] += Math.abs(y[i]);
    }
    return Array.from({ length: K }, (_, k) => fidelity[k] / 2 + settings.lambda * l1[k]);
  } finally {
    await solver.dispose();
  }
}
