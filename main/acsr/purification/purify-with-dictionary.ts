import { UserInputError } from '../../errors/user-input-error.ts';

import { type ProgressReporter, silentProgress, throwIfCancelled } from '../../progress/progress.ts';
import type { ImageArray } from '../array/image-array.ts';
import type { CbpdnEngineFactory } from '../signal/cbpdn.ts';
import type { PurificationEngines } from './purification-engines.ts';
import { checkAtomsFit } from '../signal/check-atoms-fit.ts';
import type { ConvDictionary } from '../signal/conv-dictionary.ts';
import { tikhonovLowPassFast } from '../signal/tikhonov-fast.ts';
import { type PurificationComponents, purificationComponents } from './purification-parts.ts';
import { DEFAULT_PURIFICATION_OPTIONS, type PurificationOptions } from './purification-options.ts';
import { type CbpdnReport, sparseCodeHighPart } from './sparse-code-high-part.ts';

/**
 * Stage iii's signal path once the dictionary is chosen (method.md, steps 1, 3 and 4):
 *   x_low, x_high = Tikhonov split of x (lambda 5, symmetric padding 16)
 *   y = CBPDN(D, x_high)
 *   x_pur = clip(x_low + sum_m d_m * y_m, 0, 1)
 * ACSR's purification runs it with the dictionary of the selected cluster; the single-dictionary
 * baseline with one dictionary for every image. Both call this function, so they differ only in
 * the dictionary. Memory, a 24-megapixel RGB photo in mind: x_low, x_pur and (when the parts are
 * kept) the reconstruction are float32, 288 MB each at that size (the split and the solver compute
 * in float32, so only x_pur's sum is rounded, by < 6e-8); x_high is formed tile by tile where it is
 * coded, and x_high and the difference again only when a writer asks (purification-parts.ts).
 * Besides the image: 24 bytes per RGB pixel, 36 with the parts kept.
 */
export interface DictionaryPurificationRequest {
  readonly image: ImageArray;
  readonly dictionary: ConvDictionary<Float64Array>;
  readonly options?: Partial<PurificationOptions>;
  /**
   * keep the parts (x_low and the reconstruction) for saving or showing (default). Without them,
   * x_low is let go with the result and no whole reconstruction is held: one full-image array less.
   */
  readonly keepComponents?: boolean;
  /** engines kept for a whole session (batch); by default the image starts and stops its own */
  readonly engines?: PurificationEngines;
  /** or a caller's own engine factory (its tiles one after another) */
  readonly engine?: CbpdnEngineFactory<Float32Array>;
  readonly progress?: ProgressReporter;
  readonly signal?: AbortSignal;
}

export interface DictionaryPurification {
  readonly purified: ImageArray<Float32Array>;
  /** null when the request did not keep them */
  readonly components: PurificationComponents | null;
  readonly cbpdn: CbpdnReport;
  readonly timingsMs: { tikhonov: number; sparseCoding: number };
  readonly backend: string;
}

/** Share of the progress for the Tikhonov split (milliseconds, against seconds of sparse coding). */
const TIKHONOV_SHARE = 0.02;

export async function purifyWithDictionary(request: DictionaryPurificationRequest): Promise<DictionaryPurification> {
  const o = { ...DEFAULT_PURIFICATION_OPTIONS, ...request.options };
  const { image, dictionary } = request;
  const progress = request.progress ?? silentProgress;
  checkDictionaryFits(image, dictionary);

  const tikhonovStart = performance.now();
  // read only, float32 or float64 as given (a 24-megapixel photo is 288 or 576 MB a copy)
  const low = await tikhonovLowPassFast(image, o.tikhonovLambda);
  const tikhonovMs = performance.now() - tikhonovStart;
  // Fractions are within the reporter's range: the split's own share ends here, not the whole task.
  progress.sub(0, TIKHONOV_SHARE).report({ stage: 'tikhonov', fraction: 1 });
  throwIfCancelled(request.signal);

  const codingStart = performance.now();
  const coding = await sparseCodeHighPart({
    image,
    low,
    keepReconstruction: request.keepComponents ?? true,
    dictionary,
    options: o,
    engines: request.engines,
    engine: request.engine,
    progress: progress.sub(TIKHONOV_SHARE, 1),
    signal: request.signal,
  });
  const sparseCodingMs = performance.now() - codingStart;

  const { purified, reconstructedHigh } = coding;
  return {
    purified,
    components: reconstructedHigh ? purificationComponents(image, low, reconstructedHigh, purified) : null,
    cbpdn: coding.cbpdn,
    timingsMs: { tikhonov: tikhonovMs, sparseCoding: sparseCodingMs },
    backend: coding.backend,
  };
}

/** A multi-channel dictionary codes images of its own channel count; a one-channel one, any image. */
export function checkDictionaryFits(image: ImageArray, dictionary: ConvDictionary): void {
  if (dictionary.channels !== 1 && dictionary.channels !== image.channels) {
    throw new UserInputError(
      `the image has ${image.channels} channel(s) but the dictionary has ${dictionary.channels}-channel atoms; read it as ${dictionary.channels === 3 ? 'RGB' : 'greyscale'}`,
    );
  }
  checkAtomsFit(image, dictionary);
}
