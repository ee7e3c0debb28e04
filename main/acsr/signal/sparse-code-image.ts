import type { FloatArray, Precision } from '../array/float-array.ts';
import { cropImage, fromPlanes, toPlanes, type ImageArray } from '../array/image-array.ts';
import { type CbpdnEngineFactory, type CbpdnIterationStats, ConvBpdn, referenceEngineFactory } from './cbpdn.ts';
import type { CbpdnOptionsInput } from './cbpdn-options.ts';
import type { ConvDictionary } from './conv-dictionary.ts';
import { fastFftSize } from './fft/fast-fft-size.ts';
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
  /**
   * Solve on the next grid the fast FFT supports, the image extended by mirroring at its bottom and
   * right edges, then crop coefficients and reconstruction back. Not SPORCO's problem exactly (the
   * circular boundary moves), so off by default; purification turns it on for speed.
   */
  readonly padToFastFftSize?: boolean;
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
  const { height, width } = request.image;
  const grid = fastFftSize(height, width);
  const pad = request.padToFastFftSize === true && (grid.height !== height || grid.width !== width);
  if (pad && request.l1Weight !== undefined && request.l1Weight.length !== request.dictionary.atoms) {
    throw new RangeError('a per-pixel or per-coefficient l1 weight cannot be combined with padToFastFftSize');
  }
  if (!pad) return sparseCodeOnGrid(request);
  const padded = await sparseCodeOnGrid({ ...request, image: mirrorExtend(request.image, grid.height, grid.width) });
  return {
    ...padded,
    coefficients: cropLeadingAxes(padded.coefficients, height, width),
    reconstruction: cropImage(padded.reconstruction, 0, 0, height, width),
  };
}

async function sparseCodeOnGrid(request: SparseCodeImageRequest): Promise<SparseCodeImageResult> {
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

/** Extends an image to height x width by mirroring it at its bottom and right edges (edge pixel repeated). */
export function mirrorExtend(image: ImageArray<Float64Array>, height: number, width: number): ImageArray<Float64Array> {
  const { channels } = image;
  const reflect = (i: number, n: number) => {
    const period = 2 * n;
    const j = i % period;
    return j < n ? j : period - 1 - j;
  };
  const data = new Float64Array(height * width * channels);
  for (let y = 0; y < height; y++) {
    const sy = reflect(y, image.height);
    for (let x = 0; x < width; x++) {
      const from = (sy * image.width + reflect(x, image.width)) * channels;
      for (let c = 0; c < channels; c++) data[(y * width + x) * channels + c] = image.data[from + c];
    }
  }
  return { height, width, channels, data };
}

/** The first two axes of a C-order array cut to height x width (SPORCO coefficient maps are (H, W, ...)). */
function cropLeadingAxes(array: { shape: number[]; data: Float64Array }, height: number, width: number): { shape: number[]; data: Float64Array } {
  const [, fullWidth, ...rest] = array.shape;
  const inner = rest.reduce((a, b) => a * b, 1);
  const data = new Float64Array(height * width * inner);
  for (let y = 0; y < height; y++) {
    data.set(array.data.subarray(y * fullWidth * inner, (y * fullWidth + width) * inner), y * width * inner);
  }
  return { shape: [height, width, ...rest], data };
}
