import type { CbpdnEngine } from './cbpdn-engine.ts';
import type { LoadedDictionary } from './loaded-dictionary.ts';
import type { CbpdnLayout, UpdateSums } from './cbpdn-kernels.ts';
import type { CbpdnEngineFactory } from './cbpdn.ts';
import { KeptDictionarySpectra } from './kept-dictionary-spectra.ts';

/**
 * What a pool may spend on the spectra of dictionaries it held before: three RGB dictionaries of
 * 64 atoms at the default 256x256 tile (53 MB each), so that a batch moving between a bundle's
 * clusters mostly finds the next one kept, while a photo's tiles (one dictionary) hold none.
 */
export const KEPT_SPECTRA_BYTES = 160 * 2 ** 20;

/**
 * One CBPDN engine for all the tiles of an image: tiles share a shape, and starting a parallel
 * engine's worker threads costs ~1 s each time. A solver created on the pooled engine starts
 * exactly as on a fresh one (SPORCO's initial state X = Y = U = 0; signal, dictionary and
 * factors are loaded by ConvBpdn.create, which keeps the dictionary's spectrum and Gram matrices
 * when the tile before had the same dictionary, and restores the spectra the pool kept of
 * earlier ones); its dispose() leaves the engine to the pool, which the caller disposes once.
 */
export class TileEnginePool {
  private cached: { key: string; engine: CbpdnEngine<Float32Array> } | undefined;
  private readonly inner: CbpdnEngineFactory<Float32Array>;
  /** Spectra of the engine's earlier dictionaries, valid for its layout only: emptied with it. */
  readonly keptSpectra: KeptDictionarySpectra;

  constructor(inner: CbpdnEngineFactory<Float32Array>, options: { keptSpectraBytes?: number } = {}) {
    this.inner = inner;
    this.keptSpectra = new KeptDictionarySpectra(options.keptSpectraBytes ?? KEPT_SPECTRA_BYTES);
  }

  readonly factory: CbpdnEngineFactory<Float32Array> = async (layout, withL1Weight) => {
    const key = JSON.stringify(layout) + String(withL1Weight);
    if (this.cached?.key !== key) {
      await this.cached?.engine.dispose();
      this.cached = undefined;
      this.keptSpectra.clear();
      this.cached = { key, engine: await this.inner(layout, withL1Weight) };
    } else {
      const { x, y, u } = this.cached.engine.buffers;
      x.fill(0);
      y.fill(0);
      u.fill(0);
    }
    return new BorrowedEngine(this.cached.engine, this.keptSpectra);
  };

  async dispose(): Promise<void> {
    await this.cached?.engine.dispose();
    this.cached = undefined;
    this.keptSpectra.clear();
  }
}

class BorrowedEngine implements CbpdnEngine<Float32Array> {
  private readonly engine: CbpdnEngine<Float32Array>;
  readonly keptSpectra: KeptDictionarySpectra;
  constructor(engine: CbpdnEngine<Float32Array>, keptSpectra: KeptDictionarySpectra) {
    this.engine = engine;
    this.keptSpectra = keptSpectra;
  }
  get layout(): CbpdnLayout {
    return this.engine.layout;
  }
  get description(): string | undefined {
    return this.engine.description;
  }
  get buffers() {
    return this.engine.buffers;
  }
  get loadedDictionary(): LoadedDictionary | null {
    return this.engine.loadedDictionary;
  }
  set loadedDictionary(loaded: LoadedDictionary | null) {
    this.engine.loadedDictionary = loaded;
  }
  prepare(rho: number, sameDictionary?: boolean): Promise<void> {
    return this.engine.prepare(rho, sameDictionary);
  }
  refactor(rho: number): Promise<void> {
    return this.engine.refactor(rho);
  }
  xStep(rho: number, dataFidelityOfX: boolean): Promise<number> {
    return this.engine.xStep(rho, dataFidelityOfX);
  }
  yuStep(relaxation: number, threshold: number, dataFidelityOfY: boolean): Promise<{ sums: UpdateSums; dataFidelity: number }> {
    return this.engine.yuStep(relaxation, threshold, dataFidelityOfY);
  }
  scaleDual(factor: number): Promise<void> {
    return this.engine.scaleDual(factor);
  }
  forwardTransform(real: Float32Array, re: Float32Array, im: Float32Array, planes: number): Promise<void> {
    return this.engine.forwardTransform(real, re, im, planes);
  }
  inverseTransform(re: Float32Array, im: Float32Array, real: Float32Array, planes: number): Promise<void> {
    return this.engine.inverseTransform(re, im, real, planes);
  }
  async dispose(): Promise<void> {
    // the pool owns the engine
  }
}
