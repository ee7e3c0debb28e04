import { availableParallelism } from 'node:os';
import { type CbpdnEngineFactory, cbpdnLayout } from '../signal/cbpdn.ts';
import { codeAndRebuild, type TileCoding, type TileCodingRequest } from '../signal/code-and-rebuild.ts';
import { CbpdnWorkerPool } from '../signal/parallel/cbpdn-worker-pool.ts';
import { TILE_PROGRESS_EVERY } from '../signal/parallel/cbpdn-worker-protocol.ts';
import { WorkerTileLane } from '../signal/parallel/code-on-worker.ts';
import { ParallelCbpdnEngine } from '../signal/parallel/parallel-cbpdn-engine.ts';
import { TileEnginePool } from '../signal/tile-engine-pool.ts';
import { SPORCO_CBPDN_DEFAULTS } from '../signal/cbpdn-options.ts';
import { prewarmCbpdnArena } from '../signal/simd/cbpdn-arena.ts';
import { planTiles } from './tiling.ts';

interface ImageShape {
  readonly height: number;
  readonly width: number;
  readonly channels: number;
}

interface DictionaryShape {
  readonly atomHeight: number;
  readonly atomWidth: number;
  readonly channels: number;
  readonly atoms: number;
}

/**
 * The CBPDN engines of a purification session: one pool of worker threads kept for every image
 * and tile it purifies (a worker costs ~1 s to start), and the rule that spreads them.
 *
 * Work is spread by tiles: a tile is coded by `threadsPerTile` workers (its frequencies and
 * planes split between them, a barrier per phase), and `lanes` tiles run at once. One worker per
 * tile needs no barriers, so it is preferred whenever there is enough independent work: an image
 * of at least as many tiles as workers, or a batch (`imagesAtOnce` > 1: each image, even of one
 * tile, then runs on its own worker). Such a tile goes to its worker whole, which codes it with
 * no round trip through the main thread (code-on-worker.ts). A lone image with fewer tiles than
 * workers shares them out so that no worker idles. `tileThreads` fixes the threads per tile
 * instead (for measurements).
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

/** One lane: tiles coded one after another, on one worker each or sharing an engine's workers. */
export interface EngineLane {
  /** codes and rebuilds one tile; `onIterations` hears every TILE_PROGRESS_EVERY iterations */
  code(request: TileCodingRequest, signal: AbortSignal | undefined, onIterations: (done: number) => void): Promise<TileCoding>;
  /** where the lane's last tile ran, e.g. '1 worker thread, WASM SIMD kernels' */
  readonly description: () => string | undefined;
  dispose(): Promise<void>;
}

/** A lane whose tiles share one engine (kept from tile to tile) of `factory`, driven from this thread. */
export function engineLane(factory: CbpdnEngineFactory<Float32Array>): EngineLane {
  let description: string | undefined;
  const engines = new TileEnginePool(async (layout, withL1Weight) => {
    const engine = await factory(layout, withL1Weight);
    description = engine.description;
    return engine;
  });
  return {
    code: (request, signal, onIterations) =>
      codeAndRebuild(request, engines.factory, signal, (done) => {
        if (done % TILE_PROGRESS_EVERY === 0) onIterations(done);
      }),
    description: () => description,
    dispose: () => engines.dispose(),
  };
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

  /**
   * For an image about to be purified alone, while the caller loads its models: the memory of the
   * engines its tiles will share from this thread (tiles split over several workers), made now
   * and touched on another thread, so that the first iterations do not stop at every new page
   * (~200 ms of first touches for a 224 x 224 image's tile here; on this 2-core machine, busy at
   * start-up with the workers' own start, the one-image command gains only ~40 ms of it). Tiles coded whole on a worker make their memory
   * there: nothing is made for them. Resolves with the memories made, when ready; never needed
   * for correctness. The caller need not wait: an engine made on this thread before they are
   * ready waits for them.
   */
  async prewarm(
    image: ImageShape,
    dictionary: DictionaryShape,
    options: { readonly tileSize: number; readonly tileMargin?: number },
  ): Promise<WebAssembly.Memory[]> {
    const margin = options.tileMargin ?? 2 * Math.max(dictionary.atomHeight, dictionary.atomWidth);
    const tiles = planTiles(image.height, image.width, options.tileSize, margin);
    const { threadsPerTile, lanes } = this.schedule(tiles.length);
    if (threadsPerTile <= 1) return [];
    const shapes = new Map(tiles.slice(0, lanes).map((tile) => [`${tile.paddedHeight}x${tile.paddedWidth}`, tile]));
    const ready = Promise.all(
      [...shapes.values()].map((tile) =>
        prewarmCbpdnArena(
          cbpdnLayout(
            dictionary,
            { height: tile.paddedHeight, width: tile.paddedWidth, channels: image.channels, images: 1 },
            SPORCO_CBPDN_DEFAULTS.linearSolver,
          ),
          false,
          threadsPerTile,
        ),
      ),
    );
    // an engine made meanwhile waits for these (the image's decoding and latent do not)
    this.prewarming = ready.catch(() => undefined);
    return (await ready).filter((memory) => memory !== null);
  }

  /** what prewarm() is still making; engines on this thread wait for it before making their own */
  private prewarming: Promise<unknown> = Promise.resolve();

  lane(threadsPerTile: number): EngineLane {
    if (threadsPerTile > 1)
      return engineLane(async (layout, withL1Weight) => {
        await this.prewarming;
        return ParallelCbpdnEngine.create(layout, withL1Weight, threadsPerTile, this.pool);
      });
    const lane = new WorkerTileLane(this.pool);
    return {
      code: (request, signal, onIterations) => lane.code(request, signal, onIterations),
      description: () => lane.description,
      dispose: () => lane.dispose(),
    };
  }

  async dispose(): Promise<void> {
    await this.pool.dispose();
  }
}
