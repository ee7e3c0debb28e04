import { availableParallelism } from 'node:os';
import { CbpdnWorkerPool } from '../signal/parallel/cbpdn-worker-pool.ts';
import { ParallelCbpdnEngine } from '../signal/parallel/parallel-cbpdn-engine.ts';
import type { CbpdnEngineFactory } from '../signal/cbpdn.ts';
import { TileEnginePool } from './tile-engine-pool.ts';

/**
 * The CBPDN engines of a purification session: one pool of worker threads kept for every image
 * and tile it purifies (a worker costs ~1 s to start), and the rule that spreads them.
 *
 * Work is spread by tiles: a tile is coded by `threadsPerTile` workers (its frequencies and
 * planes split between them, a barrier per phase), and `lanes` tiles run at once. One worker per
 * tile needs no barriers, so it is preferred whenever there is enough independent work: an image
 * of at least as many tiles as workers, or a batch (`imagesAtOnce` > 1: each image, even of one
 * tile, then runs on its own worker). A lone image with fewer tiles than workers shares them out
 * so that no worker idles. `tileThreads` fixes the threads per tile instead (for measurements).
 *
 * The session also says truthfully which engine ran, for the purification record.
 */
export interface PurificationEnginesOptions {
  /** worker threads in all (default: every core) */
  readonly threads?: number;
  /** images the caller purifies at once with these engines */
  readonly imagesAtOnce?: number;
  /** fixed threads per tile (default: the rule above) */
  readonly tileThreads?: number;
  /** start every worker now, so that their start-up overlaps the caller's model loading (default: on first use) */
  readonly prestart?: boolean;
}

export interface TileSchedule {
  readonly lanes: number;
  readonly threadsPerTile: number;
}

/** One lane: the tiles it codes one after another share an engine (and its workers). */
export interface EngineLane {
  readonly factory: CbpdnEngineFactory<Float32Array>;
  /** where the lane's last engine ran, e.g. '1 worker thread, WASM SIMD kernels' */
  readonly description: () => string | undefined;
  dispose(): Promise<void>;
}

export class PurificationEngines {
  readonly threads: number;
  readonly imagesAtOnce: number;
  private readonly tileThreads: number | undefined;
  private readonly pool: CbpdnWorkerPool;

  constructor(options: PurificationEnginesOptions = {}) {
    this.threads = Math.max(1, Math.floor(options.threads ?? availableParallelism()));
    this.imagesAtOnce = Math.max(1, Math.floor(options.imagesAtOnce ?? 1));
    this.tileThreads = options.tileThreads === undefined ? undefined : Math.max(1, Math.min(this.threads, Math.floor(options.tileThreads)));
    this.pool = new CbpdnWorkerPool(this.threads);
    if (options.prestart) this.pool.prestart();
  }

  schedule(tiles: number): TileSchedule {
    const count = Math.max(1, tiles);
    if (this.tileThreads !== undefined) {
      return { threadsPerTile: this.tileThreads, lanes: Math.max(1, Math.min(count, Math.floor(this.threads / this.tileThreads))) };
    }
    if (count >= this.threads || this.imagesAtOnce > 1) return { threadsPerTile: 1, lanes: Math.min(count, this.threads) };
    return { threadsPerTile: Math.floor(this.threads / count), lanes: count };
  }

  lane(threadsPerTile: number): EngineLane {
    let description: string | undefined;
    const engines = new TileEnginePool(async (layout, withL1Weight) => {
      const engine = await ParallelCbpdnEngine.create(layout, withL1Weight, threadsPerTile, this.pool);
      description = engine.description;
      return engine;
    });
    return { factory: engines.factory, description: () => description, dispose: () => engines.dispose() };
  }

  async dispose(): Promise<void> {
    await this.pool.dispose();
  }
}
