import type { Worker } from 'node:worker_threads';
import { spawnWorker } from '../../../workers/spawn-worker.ts';

/**
 * Long-lived CBPDN worker threads, lent to parallel engines. Starting a worker (a V8 isolate,
 * the TypeScript loader, the WASM modules) costs about a second; a batch of images or the tiles
 * of a large one would pay it for every engine. A lease is all or nothing and served first come,
 * first served, so leases never deadlock: each holder holds one lease and gives it back.
 * Workers start on first demand (or at prestart()) and stop at dispose().
 */
export class CbpdnWorkerPool {
  readonly size: number;
  private readonly idle: Worker[] = [];
  /** what stops watching an idle worker, for each idle worker */
  private readonly watchers = new Map<Worker, () => void>();
  private started = 0;
  private disposed = false;
  private readonly waiting: { count: number; grant: (workers: Worker[]) => void; fail: (error: Error) => void }[] = [];

  constructor(size: number) {
    if (!Number.isInteger(size) || size < 1) throw new RangeError(`a worker pool needs at least one worker, got ${size}`);
    this.size = size;
  }

  /** workers started and waiting to be lent */
  get idleWorkers(): number {
    return this.idle.length;
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

  /**
   * Starts the workers not yet started, idle until leased, so that their start-up (a V8 isolate
   * and the loading of their modules, ~1 s) overlaps the caller's own (models, decoding, the
   * latent) instead of following it. Idle workers do not keep the process alive.
   */
  prestart(): void {
    if (this.disposed) return;
    while (this.started < this.size) {
      this.started++;
      this.park(spawnWorker(new URL('./cbpdn-worker.ts', import.meta.url)));
    }
  }

  /** Workers back to the pool; a worker that failed is ended and replaced on demand. */
  release(workers: readonly Worker[], healthy = true): void {
    for (const worker of workers) {
      if (healthy && !this.disposed) {
        this.park(worker);
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
    for (const worker of idle) this.unpark(worker);
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
      for (const worker of workers) {
        this.unpark(worker);
        worker.ref();
      }
      while (workers.length < next.count) {
        workers.push(spawnWorker(new URL('./cbpdn-worker.ts', import.meta.url)));
        this.started++;
      }
      next.grant(workers);
    }
  }

  /**
   * Keeps an idle worker; one that fails or exits while idle (a prestarted one whose start
   * failed) leaves the pool instead of being lent dead. An idle worker does not keep the process alive.
   */
  private park(worker: Worker): void {
    worker.unref();
    const gone = () => {
      const index = this.idle.indexOf(worker);
      if (index < 0) return;
      this.idle.splice(index, 1);
      this.unpark(worker);
      this.started--;
      void worker.terminate();
      this.serve();
    };
    worker.on('error', gone);
    worker.on('exit', gone);
    this.watchers.set(worker, () => {
      worker.off('error', gone);
      worker.off('exit', gone);
    });
    this.idle.push(worker);
  }

  private unpark(worker: Worker): void {
    this.watchers.get(worker)?.();
    this.watchers.delete(worker);
  }
}
