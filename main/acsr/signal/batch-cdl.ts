import type { FloatArray } from '../array/float-array.ts';
import { type CbpdnEngineFactory, type CbpdnSignal, ConvBpdn } from './cbpdn.ts';
import type { CbpdnOptionsInput } from './cbpdn-options.ts';
import type { ConvDictionary } from './conv-dictionary.ts';
import { dataTermGradient, dictionaryToPlanes, normalisedCopy, projectPlanesToDictionary } from './dictionary-update.ts';
import { mergeCbpdnOptions } from './online-cdl.ts';

/**
 * Batch convolutional dictionary learning (paper eq. 5) as SPORCO's ConvBPDNDictLearn with
 * xmethod 'admm' and dmethod 'pgm' (Garcia-Cardona & Wohlberg 2018): the two sub-problems are
 * interleaved one iteration at a time, each keeping its own state across the alternation.
 *   x-step: one ADMM iteration of CBPDN over all training images with the current dictionary
 *   d-step: one proximal-gradient (FISTA) iteration on the dictionary with the current codes Z:
 *     V = Y_d - grad(Y_d) / L,  X_d = P_C(V),  t' = (1 + sqrt(1 + 4 t^2)) / 2,
 *     Y_d = X_d + ((t - 1) / t') (X_d - X_d_prev)
 * The objective reported per outer iteration is the x-step's (SPORCO's default, AccurateDFid off).
 */
export interface BatchCdlOptions {
  readonly iterations: number;
  /** the PGM step 1/L; SPORCO's default is 14 K (K training images) */
  readonly lipschitz?: number;
  readonly zeroMean: boolean;
  readonly cbpdn: CbpdnOptionsInput;
}

/** SPORCO's ConvBPDNOptionsDefaults('admm'): one ADMM iteration per call, slow AutoRho. */
const BATCH_CBPDN_DEFAULTS: CbpdnOptionsInput = Object.freeze({
  maxIterations: 1,
  autoRho: { period: 10, autoScaling: false, residualRatio: 10, scaling: 2, residualTarget: 1 },
});

export interface BatchCdlIteration {
  readonly iteration: number;
  readonly objective: number;
  readonly dataFidelity: number;
  readonly regL1: number;
}

export interface BatchCdlResult<T extends FloatArray> {
  readonly dictionary: ConvDictionary<T>;
  readonly history: BatchCdlIteration[];
}

export async function learnDictionaryBatch<T extends FloatArray>(
  initial: ConvDictionary<T>,
  training: CbpdnSignal<T>,
  lambda: number,
  options: Partial<BatchCdlOptions> & { iterations: number },
  engine: CbpdnEngineFactory<T>,
  hooks: { signal?: AbortSignal; onIteration?: (it: BatchCdlIteration, dictionary: ConvDictionary<T>) => void } = {},
): Promise<BatchCdlResult<T>> {
  const zeroMean = options.zeroMean ?? false;
  const lipschitz = options.lipschitz ?? 14 * training.images;
  if (!Number.isInteger(options.iterations) || options.iterations < 1) throw new RangeError(`iterations must be a positive integer, got ${options.iterations}`);
  if (!(lipschitz > 0)) throw new RangeError(`lipschitz must be > 0, got ${lipschitz}`);
  const start = normalisedCopy(initial, zeroMean);
  const xStep = await ConvBpdn.create({
    dictionary: start,
    signal: training,
    lambda,
    options: { ...mergeCbpdnOptions(BATCH_CBPDN_DEFAULTS, options.cbpdn ?? {}), maxIterations: 1 },
    engine,
  });
  try {
    const { layout } = xStep;
    const { groups: G, dictChannels: cd, atoms: M, height: H, width: W } = layout;
    const F = H * layout.spectrumWidth;
    const alloc = (n: number) => new (initial.data.constructor as new (n: number) => T)(n);
    const signal = { re: xStep.spectra().signalRe, im: xStep.spectra().signalIm };

    // d-step state: X_d (the projected dictionary) and the extrapolated point Y_d, both as spectra
    const xd = { re: alloc(cd * M * F), im: alloc(cd * M * F) };
    await xStep.forwardTransform(dictionaryToPlanes(start, H, W), xd.re, xd.im, cd * M);
    const yd = { re: xd.re.slice() as T, im: xd.im.slice() as T };
    const xdPrevious = { re: alloc(cd * M * F), im: alloc(cd * M * F) };
    const coef = { re: alloc(G * M * F), im: alloc(G * M * F) };
    const gradient = { re: alloc(cd * M * F), im: alloc(cd * M * F) };
    const planes = alloc(cd * M * H * W);
    let t = 1;
    let dictionary = start;
    const history: BatchCdlIteration[] = [];

    for (let j = 0; j < options.iterations; j++) {
      hooks.signal?.throwIfAborted();
      const run = await xStep.solve();
      const stats = run.stats[run.stats.length - 1];

      await xStep.forwardTransform(xStep.variable('Y'), coef.re, coef.im, G * M);
      xdPrevious.re.set(xd.re);
      xdPrevious.im.set(xd.im);
      dataTermGradient(layout, yd, coef, signal, gradient);
      for (let i = 0; i < gradient.re.length; i++) {
        gradient.re[i] = yd.re[i] - gradient.re[i] / lipschitz;
        gradient.im[i] = yd.im[i] - gradient.im[i] / lipschitz;
      }
      await xStep.inverseTransform(gradient.re, gradient.im, planes, cd * M);
      dictionary = projectPlanesToDictionary(planes, layout, initial.atomHeight, initial.atomWidth, zeroMean);
      await xStep.forwardTransform(dictionaryToPlanes(dictionary, H, W), xd.re, xd.im, cd * M);
      const tPrevious = t;
      t = 0.5 * (1 + Math.sqrt(1 + 4 * t * t));
      const momentum = (tPrevious - 1) / t;
      for (let i = 0; i < xd.re.length; i++) {
        yd.re[i] = xd.re[i] + momentum * (xd.re[i] - xdPrevious.re[i]);
        yd.im[i] = xd.im[i] + momentum * (xd.im[i] - xdPrevious.im[i]);
      }
      await xStep.setDictionary(dictionary);

      const iteration = { iteration: j, objective: stats.objective, dataFidelity: stats.dataFidelity, regL1: stats.regL1 };
      history.push(iteration);
      hooks.onIteration?.(iteration, dictionary);
    }
    return { dictionary, history };
  } finally {
    await xStep.dispose();
  }
}
