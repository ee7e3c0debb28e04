/**
 * Defenses whose work is a CBPDN per image (single-dict, acsr) run on a pool of worker threads,
 * one image per worker, and are handed to the evaluation as ordinary Defense objects. On 28 x 28
 * Fashion-MNIST images one sparse coding takes ~0.3-0.8 s on one thread and splitting it across
 * threads only adds synchronisation, so images in parallel is what uses the cores. Results are the
 * same as in-thread purification: the same code, the same seeds, one thread per image.
 */
import type { Worker } from 'node:worker_threads';
import type { ImageArray } from '../array/image-array.ts';
import { spawnWorker } from '../../workers/spawn-worker.ts';
import type { Defense, DefenseContext, DefenseOutput } from '../defenses/defense.ts';
import type { DefenseTask, DefenseWorkerMessage, DefenseWorkerSetup } from './defense-worker-protocol.ts';

interface Pending {
  task: DefenseTask;
  resolve: (output: DefenseOutput) => void;
  reject: (error: Error) => void;
}

interface PoolWorker {
  worker: Worker;
  busy: Pending | null;
}

export class DefenseWorkerPool {
  readonly #workers: PoolWorker[] = [];
  readonly #queue: Pending[] = [];
  #nextId = 1;
  #closed = false;
  #failure: Error | null = null;

  private constructor() {}

  /** Starts `size` workers, each building `setup.defenses`; resolves when all are ready. */
  static async start(size: number, setup: DefenseWorkerSetup): Promise<{ pool: DefenseWorkerPool; defenses: Defense[] }> {
    const pool = new DefenseWorkerPool();
    const ready = await Promise.all(Array.from({ length: size }, () => pool.#spawn(setup)));
    const descriptions = ready[0];
    const defenses = setup.defenses.map((name): Defense => ({
      name,
      description: descriptions[name].description,
      randomized: descriptions[name].randomized,
      purify: (image, context) => pool.#purify(name, image, context),
      // The pool, not each proxy, owns the workers.
      dispose: async () => {},
    }));
    return { pool, defenses };
  }

  async close(): Promise<void> {
    this.#closed = true;
    for (const pending of this.#queue.splice(0)) pending.reject(new Error('the defense worker pool was closed'));
    await Promise.all(this.#workers.map(({ worker }) => worker.terminate()));
  }

  #spawn(setup: DefenseWorkerSetup): Promise<Record<string, { description: string; randomized: boolean }>> {
    return new Promise((resolve, reject) => {
      const worker = spawnWorker(new URL('./defense-worker.ts', import.meta.url), { workerData: setup });
      const entry: PoolWorker = { worker, busy: null };
      worker.on('message', (message: DefenseWorkerMessage) => {
        if ('ready' in message) {
          this.#workers.push(entry);
          resolve(message.descriptions);
          this.#dispatch();
          return;
        }
        if ('setupFailed' in message) {
          reject(new Error(`defense worker: ${message.setupFailed}`));
          void worker.terminate();
          return;
        }
        const pending = entry.busy;
        entry.busy = null;
        if (pending && pending.task.id === message.id) {
          if ('failure' in message) pending.reject(new Error(`${pending.task.defense}: ${message.failure}`));
          else
            pending.resolve({ image: message.image, seconds: message.seconds, ...(message.clusterId !== undefined ? { clusterId: message.clusterId } : {}) });
        }
        this.#dispatch();
      });
      worker.on('error', (error) => this.#fail(entry, error));
      worker.on('exit', (code) => {
        if (!this.#closed) this.#fail(entry, new Error(`defense worker exited with code ${code}`));
      });
    });
  }

  #purify(defense: string, image: ImageArray, context: DefenseContext = {}): Promise<DefenseOutput> {
    if (this.#failure) return Promise.reject(this.#failure);
    if (this.#closed) return Promise.reject(new Error('the defense worker pool is closed'));
    if (context.signal?.aborted) return Promise.reject(context.signal.reason);
    const task: DefenseTask = {
      id: this.#nextId++,
      defense,
      seed: context.seed,
      image: { height: image.height, width: image.width, channels: image.channels, data: Float32Array.from(image.data) },
    };
    return new Promise((resolve, reject) => {
      this.#queue.push({ task, resolve, reject });
      this.#dispatch();
    });
  }

  /** A crashed worker fails its image and the pool: an evaluation must not silently lose cells. */
  #fail(entry: PoolWorker, cause: Error): void {
    if (this.#closed) return;
    this.#failure = cause;
    entry.busy?.reject(cause);
    entry.busy = null;
    for (const pending of this.#queue.splice(0)) pending.reject(cause);
  }

  #dispatch(): void {
    for (const entry of this.#workers) {
      if (entry.busy || this.#queue.length === 0) continue;
      const pending = this.#queue.shift()!;
      entry.busy = pending;
      entry.worker.postMessage(pending.task, [pending.task.image.data.buffer as ArrayBuffer]);
    }
  }
}
