import type { FloatArray, Precision } from '../array/float-array.ts';
import { fromPlanes, toPlanes, type ImageArray } from '../array/image-array.ts';
import { type CbpdnEngineFactory, type CbpdnIterationStats, ConvBpdn, referenceEngineFactory } from './cbpdn.ts';
import type { CbpdnOptionsInput } from './cbpdn-options.ts';
import type { ConvDictionary } from './conv-dictionary.ts';
import { fastEngineFactory } from './parallel/parallel-cbpdn-engine.ts';

/**
 * One image through CBPDN, as the CLI and the purifier use it: channels-last in and out, the
 * precision choosing the engine (float64: the reference engine that matches SPORCO to ~1e-14;
 * float32: the multi-threaded fast engine), and the solver's engine always released.
 */
export interface SparseCodeImageRequest {
  readonly dictionary: ConvDictionary<Float64Array>;
  readonly image: ImageArray<Float64Array>;
  readonly lambda: number;
  readonly options?: CbpdnOptionsInput;
  /** l1 weights: one per pixel (H x W), one per atom (M), or one per coefficient (SPORCO's count). */
  readonly l1Weight?: ArrayLike<number>;
  readonly precision?: Precision;
  /** Worker threads of the float32 engine; default every core. */
  readonly threads?: number;
  readonly signal?: AbortSignal;
  readonly onIteration?: (stats: CbpdnIterationStats) => void;
}

export interface SparseCodeImageResult {
  /** The sparse coefficients Y in SPORCO's layout (H, W, C or 1, 1, M), float64. */
  readonly coefficients: { shape: number[]; data: Float64Array };
  /** sum_m d_m * y_m, channels last. */
  readonly reconstruction: ImageArray<Float64Array>;
  readonly iterations: number;
  readonly converged: boolean;
  readonly finalStats: CbpdnIterationStats | undefined;
  readonly rho: number;
}

export async function sparseCodeImage(request: SparseCodeImageRequest): Promise<SparseCodeImageResult> {
  const precision = request.precision ?? 'float32';
  if (precision === 'float64') return solve(request, request.dictionary, request.image, referenceEngineFactory);
  const dictionary = { ...request.dictionary, data: Float32Array.from(request.dictionary.data) };
  const image = { ...request.image, data: Float32Array.from(request.image.data) };
  return solve(request, dictionary, image, fastEngineFactory(request.threads));
}

async function solve<T extends FloatArray>(
  request: SparseCodeImageRequest,
  dictionary: ConvDictionary<T>,
  image: ImageArray<T>,
  engine: CbpdnEngineFactory<T>,
): Promise<SparseCodeImageResult> {
  const { height, width, channels } = image;
  const solver = await ConvBpdn.create({
    dictionary,
    signal: { height, width, channels, images: 1, planes: toPlanes(image) },
    lambda: request.lambda,
    options: request.options,
    l1Weight: request.l1Weight,
    engine,
  });
  try {
    const run = await solver.solve({ signal: request.signal, onIteration: request.onIteration });
    const coefficients = solver.variableInSporcoLayout('Y');
    const reconstructed = fromPlanes(await solver.reconstruct('Y'), height, width, channels);
    return {
      coefficients: { shape: coefficients.shape, data: Float64Array.from(coefficients.data) },
      reconstruction: { height, width, channels, data: Float64Array.from(reconstructed.data) },
      iterations: run.iterations,
      converged: run.converged,
      finalStats: run.stats.at(-1),
      rho: solver.rho,
    };
  } finally {
    await solver.dispose();
  }
}
