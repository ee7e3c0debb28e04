import type { FloatArray } from '../array/float-array.ts';
import type { RealFft2d } from './fft/real-fft2d.ts';
import { type CbpdnBuffers, type CbpdnLayout, type UpdateSums, dataFidelityKernel, dictSignalKernel, scaleDualKernel, spectrumSize } from './cbpdn-kernels.ts';
import { type IterationKernels, ScalarIterationKernels } from './iteration-kernels.ts';
import type { KeptDictionarySpectra } from './kept-dictionary-spectra.ts';
import type { LoadedDictionary } from './loaded-dictionary.ts';
import { factorPlanes, factorsDependOnRho, xStepFactorsKernel } from './x-step.ts';

/**
 * Where the kernels of an ADMM iteration run. The solver (cbpdn.ts) holds the algorithm; an
 * engine only decides how the work is spread: SerialCbpdnEngine here runs every kernel over its
 * whole range in the calling thread; the parallel engine splits the same kernels over workers.
 */
export interface CbpdnEngine<T extends FloatArray> {
  readonly layout: CbpdnLayout;
  readonly buffers: CbpdnBuffers<T>;
  /** where the kernels run, for the record (e.g. '2 worker threads, WASM SIMD kernels') */
  readonly description?: string;
  /**
   * After the dictionary or signal spectra change: D^H S and the factors for rho. With
   * `sameDictionary` (the spectrum of the dictionary prepared last is still in the buffers) the
   * Woodbury Gram matrices, which depend on the dictionary alone, are kept.
   */
  prepare(rho: number, sameDictionary?: boolean): Promise<void>;
  /**
   * The dictionary whose spectrum the buffers hold (and whose factors prepare() made), as loaded;
   * null before any or while one is being loaded. ConvBpdn sets it; engines only keep it.
   */
  loadedDictionary: LoadedDictionary | null;
  /**
   * Where the spectra of dictionaries this engine held before are kept, if anywhere (purification
   * keeps them, as a batch moves between clusters; dictionary learning, whose dictionary changes
   * at every step, does not).
   */
  readonly keptSpectra?: KeptDictionarySpectra;
  /** After rho changes: the factors only. */
  refactor(rho: number): Promise<void>;
  /** x-step: X = IDFT(solve(D^H S + rho DFT(Y - U))); returns DFid(X) unless skipped. */
  xStep(rho: number, dataFidelityOfX: boolean): Promise<number>;
  /** y- and u-steps with their residual sums; DFid(Y) when asked (costs one DFT more). */
  yuStep(relaxation: number, threshold: number, dataFidelityOfY: boolean): Promise<{ sums: UpdateSums; dataFidelity: number }>;
  /** U <- U / factor */
  scaleDual(factor: number): Promise<void>;
  /** Spatial planes [P][H][W] -> spectra [P][F], with the engine's FFT. */
  forwardTransform(real: T, re: T, im: T, planes: number): Promise<void>;
  /** Spectra -> spatial planes. */
  inverseTransform(re: T, im: T, real: T, planes: number): Promise<void>;
  dispose(): Promise<void>;
}

export type Allocate<T extends FloatArray> = (length: number) => T;

export function allocateCbpdnBuffers<T extends FloatArray>(layout: CbpdnLayout, allocate: Allocate<T>, withL1Weight: boolean): CbpdnBuffers<T> {
  const { groups: G, dictChannels: cd, atoms: M, height: H, width: W } = layout;
  const F = spectrumSize(layout);
  const planes = factorPlanes(layout);
  return {
    dictRe: allocate(cd * M * F),
    dictIm: allocate(cd * M * F),
    signalRe: allocate(G * cd * F),
    signalIm: allocate(G * cd * F),
    dictSignalRe: allocate(G * M * F),
    dictSignalIm: allocate(G * M * F),
    factorRe: allocate(planes.factors * F),
    factorIm: allocate(planes.factors * F),
    deltaRe: allocate(planes.deltas * F),
    deltaIm: allocate(planes.deltas * F),
    spectrumRe: allocate(G * M * F),
    spectrumIm: allocate(G * M * F),
    x: allocate(G * M * H * W),
    y: allocate(G * M * H * W),
    u: allocate(G * M * H * W),
    ...(withL1Weight ? { l1Weight: allocate(G * M * H * W) } : {}),
  };
}

export class SerialCbpdnEngine<T extends FloatArray> implements CbpdnEngine<T> {
  readonly layout: CbpdnLayout;
  readonly buffers: CbpdnBuffers<T>;
  private readonly fft: RealFft2d<T>;
  private readonly coefficientPlanes: number;
  private readonly frequencies: number;
  private readonly kernels: IterationKernels;

  private onDispose: (() => void) | undefined;

  /**
   * `kernels`: the per-iteration arithmetic (default the JS kernels; the SIMD ones need buffers in
   * a WASM memory); `onDispose`: what gives the buffers back (an arena to recycle).
   */
  constructor(layout: CbpdnLayout, buffers: CbpdnBuffers<T>, fft: RealFft2d<T>, kernels?: IterationKernels, onDispose?: () => void) {
    this.onDispose = onDispose;
    this.layout = layout;
    this.buffers = buffers;
    this.fft = fft;
    this.coefficientPlanes = layout.groups * layout.atoms;
    this.frequencies = spectrumSize(layout);
    this.kernels = kernels ?? new ScalarIterationKernels(layout, buffers);
  }

  get description(): string {
    return `main thread, ${this.kernels.name} kernels`;
  }

  loadedDictionary: LoadedDictionary | null = null;

  async prepare(rho: number, sameDictionary = false): Promise<void> {
    dictSignalKernel(this.layout, this.buffers, 0, this.frequencies);
    if (!sameDictionary || factorsDependOnRho(this.layout)) xStepFactorsKernel(this.layout, this.buffers, rho, 0, this.frequencies);
  }

  async refactor(rho: number): Promise<void> {
    if (factorsDependOnRho(this.layout)) xStepFactorsKernel(this.layout, this.buffers, rho, 0, this.frequencies);
  }

  async xStep(rho: number, dataFidelityOfX: boolean): Promise<number> {
    const { buffers: b } = this;
    this.kernels.yMinusU(0, this.coefficientPlanes);
    this.fft.forward(b.x, b.spectrumRe, b.spectrumIm, this.coefficientPlanes);
    const fidelity = this.kernels.xStepSolve(rho, 0, this.frequencies, dataFidelityOfX);
    const dataFidelity = dataFidelityOfX ? fidelity : Number.NaN;
    this.fft.inverse(b.spectrumRe, b.spectrumIm, b.x, this.coefficientPlanes);
    return dataFidelity;
  }

  async yuStep(relaxation: number, threshold: number, dataFidelityOfY: boolean): Promise<{ sums: UpdateSums; dataFidelity: number }> {
    const { layout, buffers: b } = this;
    const sums = this.kernels.yuStep(relaxation, threshold, 0, this.coefficientPlanes);
    let dataFidelity = Number.NaN;
    if (dataFidelityOfY) {
      this.fft.forward(b.y, b.spectrumRe, b.spectrumIm, this.coefficientPlanes);
      dataFidelity = dataFidelityKernel(layout, b, b.spectrumRe, b.spectrumIm, 0, this.frequencies);
    }
    return { sums, dataFidelity };
  }

  async scaleDual(factor: number): Promise<void> {
    scaleDualKernel(this.layout, this.buffers, factor, 0, this.coefficientPlanes);
  }

  async forwardTransform(real: T, re: T, im: T, planes: number): Promise<void> {
    this.fft.forward(real, re, im, planes);
  }

  async inverseTransform(re: T, im: T, real: T, planes: number): Promise<void> {
    this.fft.inverse(re, im, real, planes);
  }

  async dispose(): Promise<void> {
    const release = this.onDispose;
    this.onDispose = undefined;
    release?.();
  }
}
