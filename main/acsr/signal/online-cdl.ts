import type { FloatArray } from '../array/float-array.ts';
import { type CbpdnEngineFactory, type CbpdnSignal, ConvBpdn } from './cbpdn.ts';
import type { CbpdnOptionsInput } from './cbpdn-options.ts';
import type { ConvDictionary } from './conv-dictionary.ts';
import { dataTermGradient, normalisedCopy, projectPlanesToDictionary } from './dictionary-update.ts';

/**
 * Online convolutional dictionary learning, first-order method of Liu et al. 2018 (SPORCO's
 * OnlineConvBPDNDictLearn). For every training image s_j, one at a time:
 *   z_j  = CBPDN(D_j, s_j)                                  (sparse code with the current dictionary)
 *   grad = sum conj(Z-hat) (sum_m D-hat_m Z-hat_m - S-hat)   (gradient of 1/2 ||D z_j - s_j||^2)
 *   eta  = eta_a / (eta_b + j)
 *   D_{j+1} = P_C(D_j - eta grad)                            (unit-norm atoms on their support)
 * Memory stays constant whatever the number of images, which is why in-house training uses it.
 */
export interface OnlineCdlOptions {
  readonly etaA: number;
  readonly etaB: number;
  readonly zeroMean: boolean;
  /** Options of each image's sparse coding (SPORCO's CBPDN block). */
  readonly cbpdn: CbpdnOptionsInput;
}

export const ONLINE_CDL_DEFAULTS: OnlineCdlOptions = Object.freeze({
  etaA: 10,
  etaB: 5,
  zeroMean: false,
  // SPORCO's OnlineConvBPDNDictLearn.Options CBPDN defaults
  cbpdn: Object.freeze({ autoRho: { period: 10, autoScaling: false, residualRatio: 10, scaling: 2, residualTarget: 1 } }),
});

export interface OnlineCdlStepResult<T extends FloatArray> {
  readonly dictionary: ConvDictionary<T>;
  readonly step: number;
  readonly eta: number;
  readonly sparseCodingIterations: number;
  /** CBPDN objective of this image's code, with the dictionary before the update. */
  readonly objective: number;
}

export class OnlineCdl<T extends FloatArray> {
  private dictionaryValue: ConvDictionary<T>;
  private readonly lambda: number;
  private readonly options: OnlineCdlOptions;
  private readonly engine: CbpdnEngineFactory<T>;
  private step = 0;

  constructor(initial: ConvDictionary<T>, lambda: number, options: Partial<OnlineCdlOptions>, engine: CbpdnEngineFactory<T>) {
    this.options = { ...ONLINE_CDL_DEFAULTS, ...options };
    if (!(this.options.etaA > 0) || !(this.options.etaB > 0)) throw new RangeError('etaA and etaB must be > 0');
    if (!(lambda >= 0) || !Number.isFinite(lambda)) throw new RangeError(`lambda must be finite and >= 0, got ${lambda}`);
    this.lambda = lambda;
    this.engine = engine;
    this.dictionaryValue = normalisedCopy(initial, this.options.zeroMean);
  }

  get dictionary(): ConvDictionary<T> {
    return this.dictionaryValue;
  }

  async learn(sample: CbpdnSignal<T>): Promise<OnlineCdlStepResult<T>> {
    const dictionary = this.dictionaryValue;
    const solver = await ConvBpdn.create({
      dictionary,
      signal: sample,
      lambda: this.lambda,
      options: mergeCbpdnOptions(ONLINE_CDL_DEFAULTS.cbpdn, this.options.cbpdn),
      engine: this.engine,
    });
    try {
      const run = await solver.solve();
      const { layout } = solver;
      const { groups: G, dictChannels: cd, atoms: M, height: H, width: W } = layout;
      const F = H * layout.spectrumWidth;
      const alloc = (n: number) => new (dictionary.data.constructor as new (n: number) => T)(n);
      const coef = { re: alloc(G * M * F), im: alloc(G * M * F) };
      await solver.forwardTransform(solver.variable('Y'), coef.re, coef.im, G * M);
      const spectra = solver.spectra();
      const gradient = { re: alloc(cd * M * F), im: alloc(cd * M * F) };
      dataTermGradient(layout, { re: spectra.dictRe, im: spectra.dictIm }, coef, { re: spectra.signalRe, im: spectra.signalIm }, gradient);

      const eta = this.options.etaA / (this.step + this.options.etaB);
      for (let i = 0; i < gradient.re.length; i++) {
        gradient.re[i] = spectra.dictRe[i] - eta * gradient.re[i];
        gradient.im[i] = spectra.dictIm[i] - eta * gradient.im[i];
      }
      const planes = alloc(cd * M * H * W);
      await solver.inverseTransform(gradient.re, gradient.im, planes, cd * M);
      this.dictionaryValue = projectPlanesToDictionary(planes, layout, dictionary.atomHeight, dictionary.atomWidth, this.options.zeroMean);
      const last = run.stats[run.stats.length - 1];
      const result = {
        dictionary: this.dictionaryValue,
        step: this.step,
        eta,
        sparseCodingIterations: run.iterations,
        objective: last?.objective ?? Number.NaN,
      };
      this.step++;
      return result;
    } finally {
      await solver.dispose();
    }
  }
}

export function mergeCbpdnOptions(base: CbpdnOptionsInput, override: CbpdnOptionsInput): CbpdnOptionsInput {
  return { ...base, ...override, autoRho: { ...(base.autoRho ?? {}), ...(override.autoRho ?? {}) } };
}
