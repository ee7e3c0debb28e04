/**
 * Runs examineEvidenceImage on worker threads. Decoding and PDQ-hashing a camera-sized JPEG costs
 * tens of milliseconds of JavaScript and libvips time; on the main thread that would cap an import
 * at one core. The copy, the hashes and the database stay on the calling thread.
 *
 * A worker that dies on a file (out of memory on a huge image, a crash in the decoder) fails that
 * file with a per-file error and is replaced, so the rest of the import goes on.
 *
 * A task marked `recycle` (a big image) ends its worker before it settles: the hundreds of
 * megabytes of decoded samples are handed back to the system when the isolate goes, not whenever
 * the garbage collector would get to them, so the import's memory budget can give those bytes to
 * the next decode at once.
 */
import type { Worker } from 'node:worker_threads';
import { spawnWorker } from '../workers/spawn-worker.ts';
import type { ExaminedEvidence } from './evidence-image.ts';
import type { FilterInputSize } from './filter-thumbnail.ts';
import { ImportFileError, type ImportErrorKind } from './file-errors.ts';

export interface ExamineRequest {
  id: number;
  path: string;
  source: string;
  maxPixels: number;
  /** Also make the content filter's input (filter-thumbnail.ts). */
  filterInput?: FilterInputSize;
}

export type ExamineResponse =
  { id: number; facts: ExaminedEvidence } | { id: number; problem: { kind: ImportErrorKind; message: string } } | { id: number; failure: string };

interface Task {
  request: ExamineRequest;
  /** End the worker after this task, before settling it. */
  recycle: boolean;
  resolve: (facts: ExaminedEvidence) => void;
  reject: (error: unknown) => void;
}

interface PoolWorker {
  worker: Worker;
  busy: Task | null;
  /** Being ended on purpose: its exit is not a failure. */
  retiring: boolean;
}

/** Enough for a 100-megapixel image as float32 RGB, twice over. */
const WORKER_HEAP_MB = 4096;

export class EvidenceImagePool {
  readonly #workers: PoolWorker[] = [];
  readonly #queue: Task[] = [];
  #nextId = 1;
  #closed = false;

  constructor(size: number) {
    for (let index = 0; index < size; index++) this.#workers.push(this.#start());
  }

  examine(path: string, options: { source: string; maxPixels: number; recycle?: boolean; filterInput?: FilterInputSize }): Promise<ExaminedEvidence> {
    if (this.#closed) return Promise.reject(new Error('the evidence image pool is closed'));
    const { recycle = false, ...request } = options;
    return new Promise((resolve, reject) => {
      this.#queue.push({ request: { id: this.#nextId++, path, ...request }, recycle, resolve, reject });
      this.#dispatch();
    });
  }

  async close(): Promise<void> {
    this.#closed = true;
    for (const task of this.#queue.splice(0)) task.reject(new Error('the evidence image pool was closed'));
    await Promise.all(this.#workers.map(({ worker }) => worker.terminate()));
  }

  #start(): PoolWorker {
    const worker = spawnWorker(new URL('./evidence-image-worker.ts', import.meta.url), { resourceLimits: { maxOldGenerationSizeMb: WORKER_HEAP_MB } });
    const entry: PoolWorker = { worker, busy: null, retiring: false };
    worker.on('message', async (response: ExamineResponse) => {
      const task = entry.busy;
      if (!task || task.request.id !== response.id) return;
      if (task.recycle) await this.#retire(entry);
      entry.busy = null;
      if ('facts' in response) task.resolve(response.facts);
      else if ('problem' in response) task.reject(new ImportFileError(response.problem.kind, response.problem.message));
      else task.reject(new Error(response.failure));
      this.#dispatch();
    });
    worker.on('error', (error) => this.#replace(entry, error));
    worker.on('exit', (code) => {
      if (!this.#closed && !entry.retiring) this.#replace(entry, new Error(`image worker exited with code ${code}`));
    });
    // Idle workers must not keep a finished CLI process alive.
    worker.unref();
    return entry;
  }

  /** Ends the worker (its memory goes with it) and puts a fresh one in its place. */
  async #retire(entry: PoolWorker): Promise<void> {
    entry.retiring = true;
    await entry.worker.terminate();
    const index = this.#workers.indexOf(entry);
    if (index >= 0 && !this.#closed) this.#workers[index] = this.#start();
  }

  #replace(entry: PoolWorker, cause: Error): void {
    if (entry.retiring) return;
    const index = this.#workers.indexOf(entry);
    if (index < 0) return;
    const task = entry.busy;
    entry.busy = null;
    if (task) {
      const outOfMemory = /out of memory|ERR_WORKER_OUT_OF_MEMORY/i.test(`${(cause as NodeJS.ErrnoException).code ?? ''} ${cause.message}`);
      task.reject(
        new ImportFileError('damaged-image', `${task.request.source}: ${outOfMemory ? 'decoding ran out of memory' : `the decoder failed (${cause.message})`}`),
      );
    }
    void entry.worker.terminate();
    if (this.#closed) return;
    this.#workers[index] = this.#start();
    this.#dispatch();
  }

  #dispatch(): void {
    for (const entry of this.#workers) {
      if (entry.busy || this.#queue.length === 0) continue;
      const task = this.#queue.shift()!;
      entry.busy = task;
      entry.worker.ref();
      entry.worker.postMessage(task.request);
    }
    for (const entry of this.#workers) if (!entry.busy) entry.worker.unref();
  }
}
