import type { FloatArray } from '../array/float-array.ts';
import type { ConvDictionary } from './conv-dictionary.ts';
import { type CbpdnEngine, SerialCbpdnEngine, allocateCbpdnBuffers } from './cbpdn-engine.ts';
import { type LoadedDictionary, sameAtoms } from './loaded-dictionary.ts';
import type { CbpdnLayout, LinearSolver } from './cbpdn-kernels.ts';
import { type CbpdnOptions, type CbpdnOptionsInput, defaultResidualTarget, resolveCbpdnOptions } from './cbpdn-options.ts';
import { ReferenceRealFft2d } from './fft/reference-real-fft2d.ts';

/**
 * Convolutional Basis Pursuit DeNoising (paper eq. 6), solved by ADMM in the DFT domain exactly
 * as SPORCO's admm.cbpdn.ConvBPDN does (Wohlberg 2016):
 *
 *   argmin_x 1/2 ||sum_m d_m * x_m - s||^2 + lambda ||w . x||_1
 *
 * with the splitting x = y and scaled dual u. One iteration:
 *   x   = argmin 1/2 ||D x - s||^2 + rho/2 ||x - (y - u)||^2      (per frequency, Sherman-Morrison)
 *   ax  = alpha x + (1 - alpha) y                                  (over-relaxation)
 *   y   = soft_threshold(ax + u, lambda w / rho)
 *   u   = u + ax - y
 *   r   = ||x - y|| / max(||x||, ||y||),  s = ||y_prev - y|| / ||u||   (relative residuals)
 * and stops when r < eps_pri and s < eps_dua, or after maxIterations. AutoRho balances the
 * residuals by rescaling rho (and u with it).
 */
export interface CbpdnSignal<T extends FloatArray> {
  readonly height: number;
  readonly width: number;
  readonly channels: number;
  /** K independent images sharing the dictionary (SPORCO's dimK = 1); 1 for one image. */
  readonly images: number;
  /** planes [k][c][y][x] */
  readonly planes: T;
}

export interface CbpdnIterationStats {
  readonly iteration: number;
  readonly objective: number;
  readonly dataFidelity: number;
  readonly regL1: number;
  readonly primalResidual: number;
  readonly dualResidual: number;
  readonly rho: number;
}

export interface CbpdnRunResult {
  readonly iterations: number;
  readonly converged: boolean;
  readonly stats: CbpdnIterationStats[];
}

export type CbpdnEngineFactory<T extends FloatArray> = (layout: CbpdnLayout, withL1Weight: boolean) => Promise<CbpdnEngine<T>>;

export const referenceEngineFactory: CbpdnEngineFactory<Float64Array> = async (layout, withL1Weight) =>
  new SerialCbpdnEngine(
    layout,
    allocateCbpdnBuffers(layout, (n) => new Float64Array(n), withL1Weight),
    new ReferenceRealFft2d(layout.height, layout.width),
  );

export interface CbpdnSetup<T extends FloatArray> {
  readonly dictionary: ConvDictionary<T>;
  readonly signal: CbpdnSignal<T>;
  readonly lambda: number;
  readonly options?: CbpdnOptionsInput;
  /**
   * l1 weight map: one value per coefficient ([G][M][H][W], SPORCO's coefficient count), one per
   * pixel (H x W, shared by all maps) or one per atom (M).
   */
  readonly l1Weight?: ArrayLike<number>;
  readonly engine: CbpdnEngineFactory<T>;
}

/**
 * The shape of the solver's buffers for a dictionary and a signal: with a single-channel
 * dictionary every image channel is a group of its own. Callers that make an engine's memory
 * ahead of the solver (a lone image's prewarmed arena) ask here too, so both agree.
 */
export function cbpdnLayout(
  dictionary: { readonly channels: number; readonly atoms: number },
  signal: { readonly height: number; readonly width: number; readonly channels: number; readonly images: number },
  linearSolver: LinearSolver,
): CbpdnLayout {
  return {
    groups: dictionary.channels === 1 ? signal.channels * signal.images : signal.images,
    dictChannels: dictionary.channels,
    atoms: dictionary.atoms,
    height: signal.height,
    width: signal.width,
    spectrumWidth: Math.floor(signal.width / 2) + 1,
    linearSolver,
  };
}

export class ConvBpdn<T extends FloatArray> {
  readonly layout: CbpdnLayout;
  readonly options: CbpdnOptions;
  readonly lambda: number;
  private readonly engine: CbpdnEngine<T>;
  private readonly signal: CbpdnSignal<T>;
  private dictionaryValue: ConvDictionary<T>;
  private rhoValue: number;
  private readonly residualTarget: number;
  /** SPORCO's iteration counter k: it persists across solve() calls (dictionary learning relies on it). */
  private iterationCount = 0;
  readonly stats: CbpdnIterationStats[] = [];

  private constructor(setup: CbpdnSetup<T>, engine: CbpdnEngine<T>, options: CbpdnOptions) {
    this.layout = engine.layout;
    this.engine = engine;
    this.options = options;
    this.lambda = setup.lambda;
    this.signal = setup.signal;
    this.dictionaryValue = setup.dictionary;
    this.rhoValue = options.rho ?? 50 * setup.lambda + 1;
    this.residualTarget = options.autoRho.residualTarget ?? defaultResidualTarget(setup.lambda);
  }

  static async create<T extends FloatArray>(setup: CbpdnSetup<T>): Promise<ConvBpdn<T>> {
    const { dictionary, signal, lambda } = setup;
    if (!Number.isFinite(lambda) || lambda < 0) throw new RangeError(`lambda must be finite and >= 0, got ${lambda}`);
    const options = resolveCbpdnOptions(setup.options);
    if (dictionary.channels !== 1 && dictionary.channels !== signal.channels) {
      throw new RangeError(`a ${dictionary.channels}-channel dictionary cannot code a ${signal.channels}-channel image (use 1 or ${signal.channels} channels)`);
    }
    if (dictionary.atomHeight > signal.height || dictionary.atomWidth > signal.width) {
      throw new RangeError(`atoms (${dictionary.atomHeight}x${dictionary.atomWidth}) are larger than the image (${signal.height}x${signal.width})`);
    }
    const layout = cbpdnLayout(dictionary, signal, options.linearSolver);
    const engine = await setup.engine(layout, setup.l1Weight !== undefined);
    const solver = new ConvBpdn(setup, engine, options);
    if (setup.l1Weight) solver.fillL1Weight(setup.l1Weight);
    await solver.loadSignal();
    // The tiles of a photo are coded one after another on one engine with the same dictionary:
    // its spectrum and Gram matrices are then still in the buffers, and recomputing them cost
    // more than 10 iterations of a 256 x 256 tile (a 96-plane FFT on the main thread).
    // A batch moves between clusters: the spectra of a dictionary held before may have been kept.
    const sameDictionary = holdsDictionary(engine.loadedDictionary, dictionary);
    const incoming = sameDictionary ? engine.loadedDictionary! : loadedCopy(dictionary);
    const restored = !sameDictionary && (engine.keptSpectra?.swap(engine.buffers, engine.loadedDictionary, incoming) ?? false);
    if (!sameDictionary && !restored) await solver.loadDictionary(dictionary);
    await engine.prepare(solver.rhoValue, sameDictionary || restored);
    engine.loadedDictionary = incoming;
    return solver;
  }

  get rho(): number {
    return this.rhoValue;
  }

  get dictionary(): ConvDictionary<T> {
    return this.dictionaryValue;
  }

  get iterations(): number {
    return this.iterationCount;
  }

  /** Replace the dictionary, keeping X, Y, U and rho (dictionary learning alternates this way). */
  async setDictionary(dictionary: ConvDictionary<T>): Promise<void> {
    const { atoms, channels } = this.dictionaryValue;
    if (dictionary.atoms !== atoms || dictionary.channels !== channels) throw new RangeError('the new dictionary must keep the number of atoms and channels');
    this.dictionaryValue = dictionary;
    await this.loadDictionary(dictionary);
    await this.engine.prepare(this.rhoValue);
    this.engine.loadedDictionary = loadedCopy(dictionary);
  }

  /** Run up to options.maxIterations more iterations (continuing from the current state). */
  async solve(hooks: { signal?: AbortSignal; onIteration?: (stats: CbpdnIterationStats) => void } = {}): Promise<CbpdnRunResult> {
    const { options } = this;
    const first = this.stats.length;
    let converged = false;
    const nx = this.layout.groups * this.layout.atoms * this.layout.height * this.layout.width;
    for (let i = 0; i < options.maxIterations; i++) {
      hooks.signal?.throwIfAborted();
      const k = this.iterationCount;
      const rho = this.rhoValue;
      const wantObjective = !options.skipObjective;
      const dfidX = await this.engine.xStep(rho, wantObjective && !options.objectiveOnY);
      const { sums, dataFidelity: dfidY } = await this.engine.yuStep(options.relaxation, this.lambda / rho, wantObjective && options.objectiveOnY);

      let rn = Math.max(Math.sqrt(sums.xNorm2), Math.sqrt(sums.yNorm2));
      if (rn === 0) rn = 1;
      let sn = rho * Math.sqrt(sums.uNorm2);
      if (sn === 0) sn = 1;
      const primalResidual = Math.sqrt(sums.primal2) / rn;
      const dualResidual = (rho * Math.sqrt(sums.dual2)) / sn;
      const primalTolerance = (Math.sqrt(nx) * options.absoluteTolerance) / rn + options.relativeTolerance;
      const dualTolerance = (Math.sqrt(nx) * options.absoluteTolerance) / sn + options.relativeTolerance;

      const dataFidelity = options.objectiveOnY ? dfidY : dfidX;
      const regL1 = options.objectiveOnY ? sums.yL1 : sums.xL1;
      const stats: CbpdnIterationStats = {
        iteration: k,
        objective: dataFidelity + this.lambda * regL1,
        dataFidelity,
        regL1,
        primalResidual,
        dualResidual,
        rho,
      };
      this.stats.push(stats);
      hooks.onIteration?.(stats);

      await this.updateRho(k, primalResidual, dualResidual);
      this.iterationCount++;
      if (primalResidual < primalTolerance && dualResidual < dualTolerance) {
        converged = true;
        break;
      }
    }
    return { iterations: this.stats.length - first, converged, stats: this.stats.slice(first) };
  }

  /** SPORCO's residual balancing (admm.ADMM.update_rho). */
  private async updateRho(k: number, r: number, s: number): Promise<void> {
    const auto = this.options.autoRho;
    if (!auto.enabled || k === 0 || (k + 1) % auto.period !== 0) return;
    const tau = auto.scaling;
    const mu = auto.residualRatio;
    const xi = this.residualTarget;
    let factor = tau;
    if (auto.autoScaling) {
      if (s === 0 || r === 0) factor = tau;
      else factor = Math.min(tau, Math.sqrt(r > s * xi ? r / (s * xi) : (s * xi) / r));
    }
    let change = 1;
    if (r > xi * mu * s) change = factor;
    else if (s > (mu / xi) * r) change = 1 / factor;
    if (change === 1) return;
    this.rhoValue *= change;
    await this.engine.scaleDual(change);
    await this.engine.refactor(this.rhoValue);
  }

  /** Coefficient maps of a variable, internal layout [G][M][H][W] (a view: copy to keep). */
  variable(name: 'X' | 'Y' | 'U'): T {
    const b = this.engine.buffers;
    return name === 'X' ? b.x : name === 'Y' ? b.y : b.u;
  }

  /**
   * A variable in SPORCO's layout (H, W, C or 1, K, M): C = image channels for a single-channel
   * dictionary, 1 for a multi-channel one.
   */
  variableInSporcoLayout(name: 'X' | 'Y' | 'U'): { shape: number[]; data: T } {
    const source = this.variable(name);
    const { groups: G, atoms: M, height: H, width: W } = this.layout;
    const { images: K } = this.signal;
    const cx = G / K;
    const out = new (source.constructor as new (n: number) => T)(source.length);
    // group g = c * K + k for a shared dictionary (channels before images, as SPORCO's axes)
    for (let g = 0; g < G; g++) {
      for (let m = 0; m < M; m++) {
        const plane = (g * M + m) * H * W;
        for (let i = 0; i < H * W; i++) out[(i * G + g) * M + m] = source[plane + i];
      }
    }
    return { shape: [H, W, cx, K, M], data: out };
  }

  /** sum_m d_m * y_m for every image and channel: planes [k][c][y][x]. */
  async reconstruct(name: 'X' | 'Y' = 'Y'): Promise<T> {
    const { groups: G, dictChannels: cd, atoms: M, height: H, width: W, spectrumWidth } = this.layout;
    const F = H * spectrumWidth;
    const b = this.engine.buffers;
    const alloc = (n: number) => new (b.x.constructor as new (n: number) => T)(n);
    // The iteration's spectrum buffers are scratch between iterations (each x-step overwrites
    // them first): new arrays of this size cost more to touch for the first time than the
    // product below (~30 ms for a 288 x 288 tile of 32 atoms).
    const coefRe = b.spectrumRe;
    const coefIm = b.spectrumIm;
    await this.engine.forwardTransform(this.variable(name), coefRe, coefIm, G * M);
    const outRe = alloc(G * cd * F);
    const outIm = alloc(G * cd * F);
    for (let g = 0; g < G; g++) {
      for (let c = 0; c < cd; c++) {
        const o = (g * cd + c) * F;
        for (let m = 0; m < M; m++) {
          const d = (c * M + m) * F;
          const z = (g * M + m) * F;
          for (let f = 0; f < F; f++) {
            outRe[o + f] += b.dictRe[d + f] * coefRe[z + f] - b.dictIm[d + f] * coefIm[z + f];
            outIm[o + f] += b.dictRe[d + f] * coefIm[z + f] + b.dictIm[d + f] * coefRe[z + f];
          }
        }
      }
    }
    const groupPlanes = alloc(G * cd * H * W);
    await this.engine.inverseTransform(outRe, outIm, groupPlanes, G * cd);
    return this.groupPlanesToSignalPlanes(groupPlanes);
  }

  /** The DFT-domain data the dictionary update needs: D-hat [Cd][M][F] and S-hat [G][Cd][F] (views). */
  spectra(): { dictRe: T; dictIm: T; signalRe: T; signalIm: T } {
    const { dictRe, dictIm, signalRe, signalIm } = this.engine.buffers;
    return { dictRe, dictIm, signalRe, signalIm };
  }

  /** The solver's FFT, for callers that work on the same grid (dictionary learning). */
  async forwardTransform(real: T, re: T, im: T, planes: number): Promise<void> {
    await this.engine.forwardTransform(real, re, im, planes);
  }

  async inverseTransform(re: T, im: T, real: T, planes: number): Promise<void> {
    await this.engine.inverseTransform(re, im, real, planes);
  }

  async dispose(): Promise<void> {
    await this.engine.dispose();
  }

  private signalPlaneOfGroup(g: number, c: number): number {
    const { images: K, channels: C } = this.signal;
    if (this.layout.dictChannels === 1) {
      const channel = Math.floor(g / K);
      const image = g % K;
      return image * C + channel;
    }
    return g * C + c;
  }

  private groupPlanesToSignalPlanes(groupPlanes: T): T {
    const { groups: G, dictChannels: cd, height: H, width: W } = this.layout;
    const out = new (groupPlanes.constructor as new (n: number) => T)(groupPlanes.length);
    for (let g = 0; g < G; g++) {
      for (let c = 0; c < cd; c++) {
        out.set(groupPlanes.subarray((g * cd + c) * H * W, (g * cd + c + 1) * H * W), this.signalPlaneOfGroup(g, c) * H * W);
      }
    }
    return out;
  }

  private async loadSignal(): Promise<void> {
    const { groups: G, dictChannels: cd, height: H, width: W } = this.layout;
    const { planes } = this.signal;
    if (planes.length !== this.signal.images * this.signal.channels * H * W) {
      throw new RangeError(`signal has ${planes.length} values, expected ${this.signal.images}x${this.signal.channels}x${H}x${W}`);
    }
    const grouped = new (planes.constructor as new (n: number) => T)(G * cd * H * W);
    for (let g = 0; g < G; g++) {
      for (let c = 0; c < cd; c++) {
        const source = this.signalPlaneOfGroup(g, c) * H * W;
        grouped.set(planes.subarray(source, source + H * W), (g * cd + c) * H * W);
      }
    }
    const b = this.engine.buffers;
    await this.engine.forwardTransform(grouped, b.signalRe, b.signalIm, G * cd);
  }

  private async loadDictionary(dictionary: ConvDictionary<T>): Promise<void> {
    const { dictChannels: cd, atoms: M, height: H, width: W, spectrumWidth } = this.layout;
    const { atomHeight: h, atomWidth: w, data } = dictionary;
    const F = H * spectrumWidth;
    const b = this.engine.buffers;
    this.engine.loadedDictionary = null;
    // Each atom zero-padded at the origin and transformed one plane at a time, into planes in
    // [c][m] order as the kernels expect: one plane of scratch instead of all of them (50 MB for
    // 64 RGB atoms at 256x256, fresh memory at every change of dictionary). Only the atom's corner
    // is ever written, so the rest of the plane stays zero.
    const padded = new (data.constructor as new (n: number) => T)(H * W);
    for (let c = 0; c < cd; c++) {
      for (let m = 0; m < M; m++) {
        for (let y = 0; y < h; y++) {
          for (let x = 0; x < w; x++) padded[y * W + x] = data[((m * cd + c) * h + y) * w + x];
        }
        const plane = c * M + m;
        await this.engine.forwardTransform(padded, b.dictRe.subarray(plane * F, (plane + 1) * F) as T, b.dictIm.subarray(plane * F, (plane + 1) * F) as T, 1);
      }
    }
  }

  private fillL1Weight(weight: ArrayLike<number>): void {
    const { groups: G, atoms: M, height: H, width: W } = this.layout;
    const target = this.engine.buffers.l1Weight!;
    const n = H * W;
    for (let i = 0; i < weight.length; i++) {
      if (!Number.isFinite(weight[i]) || weight[i] < 0) throw new RangeError(`l1 weights must be finite and >= 0 (index ${i} is ${weight[i]})`);
    }
    if (weight.length === target.length) {
      for (let i = 0; i < target.length; i++) target[i] = weight[i];
    } else if (weight.length === n) {
      for (let p = 0; p < G * M; p++) for (let i = 0; i < n; i++) target[p * n + i] = weight[i];
    } else if (weight.length === M) {
      for (let g = 0; g < G; g++) for (let m = 0; m < M; m++) target.fill(weight[m], (g * M + m) * n, (g * M + m + 1) * n);
    } else {
      throw new RangeError(`l1 weight has ${weight.length} values: expected ${target.length} (every coefficient), ${n} (every pixel) or ${M} (every atom)`);
    }
  }
}

/** Whether `loaded` is exactly this dictionary. */
function holdsDictionary<T extends FloatArray>(loaded: LoadedDictionary | null, dictionary: ConvDictionary<T>): boolean {
  return loaded !== null && sameAtoms(loaded, dictionary);
}

function loadedCopy<T extends FloatArray>(dictionary: ConvDictionary<T>): LoadedDictionary {
  return { atomHeight: dictionary.atomHeight, atomWidth: dictionary.atomWidth, data: Float64Array.from(dictionary.data) };
}
