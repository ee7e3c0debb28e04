import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import { spawnWorker } from '../../../workers/spawn-worker.ts';
import { type CbpdnEngine, SerialCbpdnEngine, allocateCbpdnBuffers } from '../cbpdn-engine.ts';
import type { LoadedDictionary } from '../loaded-dictionary.ts';
import { type CbpdnBuffers, type CbpdnLayout, type UpdateSums, addSums, spectrumSize } from '../cbpdn-kernels.ts';
import type { CbpdnEngineFactory } from '../cbpdn.ts';
import { createFastRealFft2d } from '../fft/fast-real-fft2d.ts';
import type { RealFft2d } from '../fft/real-fft2d.ts';
import { type CbpdnArena, createCbpdnArena, recycleCbpdnArena } from '../simd/cbpdn-arena.ts';
import { SimdIterationKernels } from '../simd/simd-iteration-kernels.ts';
import { factorsDependOnRho } from '../x-step.ts';
import type { CbpdnWorkerPool } from './cbpdn-worker-pool.ts';
import type { SharedBufferName, WorkerCommand, WorkerInit, WorkerReply } from './cbpdn-worker-protocol.ts';
import { awaitWorkerMessage } from './worker-message.ts';

/**
 * The fast CBPDN engine: float32 on shared memory, the iteration's three phases
 * (DFT of the right-hand side by planes, per-frequency solve by frequencies, inverse DFT + y/u
 * steps by planes) spread over worker threads, each phase ending at a barrier (the replies).
 * The arithmetic is the serial engine's kernels; only the ranges differ.
 */
export class ParallelCbpdnEngine implements CbpdnEngine<Float32Array> {
  readonly layout: CbpdnLayout;
  readonly buffers: CbpdnBuffers<Float32Array>;
  readonly description: string;
  private readonly workers: Worker[];
  private readonly mainThreadFft: RealFft2d<Float32Array>;
  private readonly pool: CbpdnWorkerPool | undefined;
  /** null once given back: a second dispose() must not recycle it again */
  private arena: CbpdnArena | null;
  /** a worker that failed or did not answer is not handed back to the pool */
  private healthy = true;

  private constructor(
    layout: CbpdnLayout,
    buffers: CbpdnBuffers<Float32Array>,
    workers: Worker[],
    fft: RealFft2d<Float32Array>,
    arena: CbpdnArena | null,
    pool: CbpdnWorkerPool | undefined,
  ) {
    this.layout = layout;
    this.buffers = buffers;
    this.workers = workers;
    this.mainThreadFft = fft;
    this.arena = arena;
    this.pool = pool;
    this.description = `${workers.length} worker thread${workers.length > 1 ? 's' : ''}, ${arena ? 'WASM SIMD' : 'JS'} kernels`;
  }

  /** `threads` workers of `pool` (kept by the pool afterwards), or new ones that dispose() ends. */
  static async create(layout: CbpdnLayout, withL1Weight: boolean, threads: number, pool?: CbpdnWorkerPool): Promise<ParallelCbpdnEngine> {
    const planeCount = layout.groups * layout.atoms;
    const frequencyCount = spectrumSize(layout);
    const wanted = Math.max(1, Math.min(threads, planeCount, pool?.size ?? threads));
    const workers = pool ? await pool.lease(wanted) : Array.from({ length: wanted }, () => spawnWorker(new URL('./cbpdn-worker.ts', import.meta.url)));
    const count = workers.length;
    try {
      // one shared WASM memory for the SIMD kernels; separate shared blocks and the JS kernels when too large
      const arena = createCbpdnArena(layout, withL1Weight, count);
      const shared = arena ? undefined : sharedBuffers(layout, withL1Weight);
      const buffers = arena?.buffers ?? shared!.buffers;
      workers.forEach((worker, i) => {
        const init: WorkerInit = {
          op: 'init',
          layout,
          ...(arena ? { arena: { memory: arena.memory, plan: arena.layout, slot: i } } : { buffers: shared!.blocks }),
          planes: split(planeCount, count, i),
          frequencies: split(frequencyCount, count, i),
        };
        worker.postMessage(init);
      });
      await Promise.all(workers.map((w) => nextReply(w)));
      return new ParallelCbpdnEngine(layout, buffers, workers, await createFastRealFft2d(layout.height, layout.width), arena, pool);
    } catch (error) {
      if (pool) pool.release(workers, false);
      else await Promise.all(workers.map((w) => w.terminate()));
      throw error;
    }
  }

  private async broadcast(command: WorkerCommand): Promise<WorkerReply[]> {
    for (const worker of this.workers) worker.postMessage(command);
    try {
      return await Promise.all(this.workers.map((w) => nextReply(w)));
    } catch (error) {
      this.healthy = false;
      throw error;
    }
  }

  loadedDictionary: LoadedDictionary | null = null;

  async prepare(rho: number, sameDictionary = false): Promise<void> {
    await this.broadcast({ op: 'prepare', rho, sameDictionary });
  }

  async refactor(rho: number): Promise<void> {
    if (factorsDependOnRho(this.layout)) await this.broadcast({ op: 'refactor', rho });
  }

  async xStep(rho: number, dataFidelityOfX: boolean): Promise<number> {
    await this.broadcast({ op: 'forwardRhs' });
    const replies = await this.broadcast({ op: 'solve', rho, dataFidelity: dataFidelityOfX });
    // the inverse DFT of X-hat is fused with the y/u-steps that always follow (one barrier less)
    return dataFidelityOfX ? replies.reduce((sum, r) => sum + (r.ok ? (r.value ?? 0) : 0), 0) : Number.NaN;
  }

  async yuStep(relaxation: number, threshold: number, dataFidelityOfY: boolean): Promise<{ sums: UpdateSums; dataFidelity: number }> {
    const replies = await this.broadcast({ op: 'inverseAndUpdate', relaxation, threshold });
    const sums = replies.map((r) => (r.ok ? r.sums! : zeroSums())).reduce(addSums);
    let dataFidelity = Number.NaN;
    if (dataFidelityOfY) {
      await this.broadcast({ op: 'forwardY' });
      dataFidelity = (await this.broadcast({ op: 'dataFidelity' })).reduce((sum, r) => sum + (r.ok ? (r.value ?? 0) : 0), 0);
    }
    return { sums, dataFidelity };
  }

  async scaleDual(factor: number): Promise<void> {
    await this.broadcast({ op: 'scaleDual', factor });
  }

  async forwardTransform(real: Float32Array, re: Float32Array, im: Float32Array, planes: number): Promise<void> {
    this.mainThreadFft.forward(real, re, im, planes);
  }

  async inverseTransform(re: Float32Array, im: Float32Array, real: Float32Array, planes: number): Promise<void> {
    this.mainThreadFft.inverse(re, im, real, planes);
  }

  async dispose(): Promise<void> {
    if (!this.pool) {
      await Promise.all(this.workers.map((w) => w.terminate()));
      this.recycleArena();
      return;
    }
    if (this.healthy) await this.broadcast({ op: 'release' }).catch(() => undefined);
    // only when every worker let go of it: a worker that failed might still write into it
    if (this.healthy) this.recycleArena();
    else this.arena = null;
    this.pool.release(this.workers, this.healthy);
  }

  private recycleArena(): void {
    if (this.arena) recycleCbpdnArena(this.arena);
    this.arena = null;
  }
}

function sharedBuffers(
  layout: CbpdnLayout,
  withL1Weight: boolean,
): {
  buffers: CbpdnBuffers<Float32Array>;
  blocks: Partial<Record<SharedBufferName, SharedArrayBuffer>>;
} {
  const blocks: Partial<Record<SharedBufferName, SharedArrayBuffer>> = {};
  let next: SharedBufferName[] = [
    'dictRe',
    'dictIm',
    'signalRe',
    'signalIm',
    'dictSignalRe',
    'dictSignalIm',
    'factorRe',
    'factorIm',
    'deltaRe',
    'deltaIm',
    'spectrumRe',
    'spectrumIm',
    'x',
    'y',
    'u',
    'l1Weight',
  ];
  // allocateCbpdnBuffers asks for the buffers in this order; each becomes a shared block
  const buffers = allocateCbpdnBuffers(
    layout,
    (length) => {
      const sab = new SharedArrayBuffer(length * Float32Array.BYTES_PER_ELEMENT);
      const name = next[0];
      next = next.slice(1);
      blocks[name] = sab;
      return new Float32Array(sab);
    },
    withL1Weight,
  );
  return { buffers, blocks };
}

function zeroSums(): UpdateSums {
  return { xNorm2: 0, yNorm2: 0, primal2: 0, dual2: 0, uNorm2: 0, yL1: 0, xL1: 0 };
}

/** The i-th of `parts` contiguous, nearly equal slices of [0, n). */
function split(n: number, parts: number, i: number): [number, number] {
  return [Math.floor((n * i) / parts), Math.floor((n * (i + 1)) / parts)];
}

function nextReply(worker: Worker): Promise<WorkerReply> {
  return awaitWorkerMessage<WorkerReply, WorkerReply>(worker, (reply) => {
    if (!reply.ok) throw new Error(`CBPDN worker failed: ${reply.error}`);
    return reply;
  });
}

/**
 * Float32 engines for the product: `threads` workers (default: every core), or the serial
 * engine with the fast FFT when one thread is asked for.
 */
export function fastEngineFactory(threads: number = availableParallelism()): CbpdnEngineFactory<Float32Array> {
  return async (layout, withL1Weight) => {
    if (threads <= 1) {
      const fft = await createFastRealFft2d(layout.height, layout.width);
      const arena = createCbpdnArena(layout, withL1Weight, 1);
      if (!arena)
        return new SerialCbpdnEngine(
          layout,
          allocateCbpdnBuffers(layout, (n) => new Float32Array(n), withL1Weight),
          fft,
        );
      return new SerialCbpdnEngine(layout, arena.buffers, fft, new SimdIterationKernels(layout, arena.buffers, arena.memory, arena.layout, 0), () =>
        recycleCbpdnArena(arena),
      );
    }
    return ParallelCbpdnEngine.create(layout, withL1Weight, threads);
  };
}
