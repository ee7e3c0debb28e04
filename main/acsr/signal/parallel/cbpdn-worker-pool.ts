import type { Worker } from 'node:worker_threads';
import { spawnWorker } from '../../../workers/spawn-worker.ts';

/**
 * Long-lived CBPDN worker threads, lent to parallel engines. Starting a worker (a V8 isolate,
 * the TypeScript loader, the WASM modules) costs about a second; a batch of images or the tiles
 * of a large one would pay it for every engine. A lease is all or nothing and served first come,
 * first served, so leases never deadlock: each holder holds one lease and gives it back.
 * Workers start on first demand and stop at dispose().
 */
export class CbpdnWorkerPool {
  readonly size: number;
  private readonly idle: Worker[] = [];
  private started = 0;
  private disposed = false;
  private readonly waiting: { count: number; grant: (workers: Worker[]) => void; fail: (error: Error) => void }[] = [];

  constructor(size: number) {
    if (!Number.isInteger(size) || size < 1) throw new RangeError(`a worker pool needs at least one worker, got ${size}`);
    this.size = size;
  }

  /** `count` workers (at most the pool's size) for one solver; give them back with release(). */
  lease(count: number): Promise<Worker[]> {
    if (this.disposed) return Promise.reject(new Error('the CBPDN worker pool is closed'));
    const wanted = Math.max(1, Math.min(count, this.size));
    return new Promise((grant, fail) => {
      this.waiting.push({ count: wanted, grant, fail });
      this.serve();
    });
  }

  /** Workers back to the pool; a worker that failed is ended and replaced on demand. */
  release(workers: readonly Worker[], healthy = true): void {
    for (const worker of workers) {
      if (healthy && !this.disposed) {
        // an idle worker does not keep the process alive
        worker.unref();
        this.idle.push(worker);
      } else {
        this.started--;
        void worker.terminate();
      }
    }
    this.serve();
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    for (const waiter of this.waiting.splice(0)) waiter.fail(new Error('the CBPDN worker pool is closed'));
    const idle = this.idle.splice(0);
    this.started -= idle.length;
    await Promise.all(idle.map((worker) => worker.terminate()));
  }

  private serve(): void {
    while (this.waiting.length > 0) {
      const next = this.waiting[0];
      const available = this.idle.length + (this.size - this.started);
      if (available < next.count) return;
      this.waiting.shift();
      const workers = this.idle.splice(0, next.count);
      for (const worker of workers) worker.ref();
      while (workers.length < next.count) {
        workers.push(spawnWorker(new URL('./cbpdn-worker.ts', import.meta.url)));
        this.started++;
      }
      next.grant(workers);
    }
  }
}
