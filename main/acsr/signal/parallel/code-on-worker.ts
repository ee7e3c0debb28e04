import type { Worker } from 'node:worker_threads';
import type { TileCoding, TileCodingRequest } from '../code-and-rebuild.ts';
import type { CbpdnWorkerPool } from './cbpdn-worker-pool.ts';
import type { CodeAndRebuildCommand, CodeAndRebuildMessage } from './cbpdn-worker-protocol.ts';
import { awaitWorkerMessage } from './worker-message.ts';

/**
 * Tiles coded and rebuilt from start to end by one worker of the pool (cbpdn-worker.ts): one
 * message there and one back per tile. Driven from the main thread, a tile's engine needs three
 * round trips per iteration, each of which waits whenever the main thread is busy with other
 * work (another image's latent, its PNG encoding): workers measured idle a quarter of the time
 * in a batch that way.
 *
 * The lane keeps its worker from its first tile to dispose(), so that the worker's engine (and
 * the dictionary's spectrum in it) serves all the lane's tiles, which share a shape and a
 * dictionary. A worker that fails is ended and the next tile leases another.
 *
 * Bit for bit the same as a one-worker parallel engine: the same kernels over the same whole
 * ranges, the same FFT (test/signal/code-on-worker.test.ts).
 */
export class WorkerTileLane {
  readonly #pool: CbpdnWorkerPool;
  #worker: Promise<Worker> | undefined;
  #description: string | undefined;

  constructor(pool: CbpdnWorkerPool) {
    this.#pool = pool;
  }

  /** where the last tile ran, e.g. '1 worker thread, WASM SIMD kernels' */
  get description(): string | undefined {
    return this.#description;
  }

  async code(request: TileCodingRequest, signal: AbortSignal | undefined, onIterations: (done: number) => void): Promise<TileCoding> {
    signal?.throwIfAborted();
    this.#worker ??= this.#pool.lease(1).then(([worker]) => worker);
    let worker: Worker;
    try {
      worker = await this.#worker;
    } catch (error) {
      this.#worker = undefined;
      throw error;
    }
    // a busy worker reads no messages: cancelling is a flag it checks after every iteration
    const cancel = new Int32Array(new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT));
    const stop = () => Atomics.store(cancel, 0, 1);
    signal?.addEventListener('abort', stop, { once: true });
    let healthy = false;
    try {
      if (signal?.aborted) stop();
      worker.postMessage({ op: 'codeAndRebuild', request, cancel } satisfies CodeAndRebuildCommand);
      const reply = await finalReply(worker, onIterations);
      if (reply.ok) {
        healthy = true;
        this.#description = reply.engine;
        return reply.coding;
      }
      if (reply.cancelled && signal?.aborted) {
        healthy = true;
        throw signal.reason;
      }
      throw new Error(`CBPDN worker failed: ${reply.error}`);
    } finally {
      signal?.removeEventListener('abort', stop);
      if (!healthy) {
        this.#worker = undefined;
        this.#pool.release([worker], false);
      }
    }
  }

  /** Gives the worker back to the pool (with its engine, for whoever codes the same shape next). */
  async dispose(): Promise<void> {
    const leased = this.#worker;
    this.#worker = undefined;
    const worker = await leased?.catch(() => undefined);
    if (worker) this.#pool.release([worker], true);
  }
}

/** The tile's answer, passing on its progress notes as they come. */
function finalReply(worker: Worker, onIterations: (done: number) => void): Promise<Extract<CodeAndRebuildMessage, { op: 'coded' }>> {
  return awaitWorkerMessage(worker, (message: CodeAndRebuildMessage) => {
    if (message.op === 'coded') return message;
    onIterations(message.done);
    return undefined;
  });
}
