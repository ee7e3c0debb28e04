import type { FloatArray } from '../array/float-array.ts';
import type { CbpdnEngine } from './cbpdn-engine.ts';
import type { LoadedDictionary } from './loaded-dictionary.ts';
import type { CbpdnLayout } from './cbpdn-kernels.ts';
import type { CbpdnEngineFactory } from './cbpdn.ts';

/**
 * Engines kept for the next solver of the same shape. Dictionary learning and the specificity
 * check build thousands of short-lived solvers of one layout (an online step, a block of images);
 * building each engine anew (FFT plan, WebAssembly arena, worker threads for a parallel engine)
 * costs more than solving a small problem. A released engine comes back with X, Y and U zeroed,
 * which is all a fresh one has that a used one lacks: every other buffer is written by the solver
 * before it is read (the spectra by loadSignal/loadDictionary, the factors by prepare, the
 * l1 weights by fillL1Weight), so a reused engine computes exactly what a new one would. The one
 * exception is deliberate: when the next solver brings the very dictionary the engine holds
 * (loadedDictionary, compared value by value), its spectrum and Gram matrices are kept, as
 * they are exactly what loading it again would write.
 */
export class ReusedCbpdnEngines<T extends FloatArray> {
  private readonly idle = new Map<string, CbpdnEngine<T>[]>();
  private closed = false;

  private readonly create: CbpdnEngineFactory<T>;
  constructor(create: CbpdnEngineFactory<T>) {
    this.create = create;
  }

  /** Hand this to ConvBpdn.create; the solver's dispose() returns its engine here. */
  readonly factory: CbpdnEngineFactory<T> = async (layout, withL1Weight) => {
    if (this.closed) throw new Error('the engine cache is closed');
    const key = layoutKey(layout, withL1Weight);
    const engine = this.idle.get(key)?.pop() ?? (await this.create(layout, withL1Weight));
    const { x, y, u } = engine.buffers;
    x.fill(0);
    y.fill(0);
    u.fill(0);
    return new LeasedEngine(engine, () => this.release(key, engine));
  };

  /** Disposes every idle engine; engines still leased are disposed when released. */
  async close(): Promise<void> {
    this.closed = true;
    const engines = [...this.idle.values()].flat();
    this.idle.clear();
    await Promise.all(engines.map((engine) => engine.dispose()));
  }

  private async release(key: string, engine: CbpdnEngine<T>): Promise<void> {
    if (this.closed) {
      await engine.dispose();
      return;
    }
    const list = this.idle.get(key) ?? [];
    list.push(engine);
    this.idle.set(key, list);
  }
}

function layoutKey(layout: CbpdnLayout, withL1Weight: boolean): string {
  const { groups, dictChannels, atoms, height, width, spectrumWidth, linearSolver } = layout;
  return JSON.stringify([groups, dictChannels, atoms, height, width, spectrumWidth, linearSolver ?? null, withL1Weight]);
}

/** An engine on loan: every call goes to the cached engine, dispose() gives it back (once). */
class LeasedEngine<T extends FloatArray> implements CbpdnEngine<T> {
  private released = false;

  private readonly engine: CbpdnEngine<T>;
  private readonly giveBack: () => Promise<void>;
  constructor(engine: CbpdnEngine<T>, giveBack: () => Promise<void>) {
    this.engine = engine;
    this.giveBack = giveBack;
  }

  get layout(): CbpdnLayout {
    return this.engine.layout;
  }

  get buffers() {
    return this.engine.buffers;
  }

  get loadedDictionary() {
    return this.engine.loadedDictionary;
  }

  set loadedDictionary(loaded: LoadedDictionary | null) {
    this.engine.loadedDictionary = loaded;
  }

  prepare(rho: number, sameDictionary?: boolean) {
    return this.engine.prepare(rho, sameDictionary);
  }

  refactor(rho: number) {
    return this.engine.refactor(rho);
  }

  xStep(rho: number, dataFidelityOfX: boolean) {
    return this.engine.xStep(rho, dataFidelityOfX);
  }

  yuStep(relaxation: number, threshold: number, dataFidelityOfY: boolean) {
    return this.engine.yuStep(relaxation, threshold, dataFidelityOfY);
  }

  scaleDual(factor: number) {
    return this.engine.scaleDual(factor);
  }

  forwardTransform(real: T, re: T, im: T, planes: number) {
    return this.engine.forwardTransform(real, re, im, planes);
  }

  inverseTransform(re: T, im: T, real: T, planes: number) {
    return this.engine.inverseTransform(re, im, real, planes);
  }

  async dispose(): Promise<void> {
    if (this.released) return;
    this.released = true;
    await this.giveBack();
  }
}
