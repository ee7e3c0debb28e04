/**
 * A registered classifier that runs on its own worker thread, for a caller whose thread has other
 * work (the import commits files and writes the database while the filter scores the last batch).
 * TensorFlow.js's wasm backend runs single-threaded under Node, so this is how the filter gets a
 * core of its own. Scores are those of the same model loaded on the calling thread.
 */
import type { Worker } from 'node:worker_threads';
import { spawnWorker } from '../../workers/spawn-worker.ts';
import type { ImageArray } from '../array/image-array.ts';
import { registryHolding } from './local-model-registry.ts';
import type { ImageClassifier, ModelIdentity } from './model-contracts.ts';
import { findModelEntry } from './model-registry.ts';

export interface ClassifierWorkerSetup {
  id: string;
  scoringOnly: boolean;
  cacheDir?: string;
}

export type ClassifierWorkerRequest = { id: number; images: ImageArray[] };

export type ClassifierWorkerReply =
  | { kind: 'ready'; identity: ModelIdentity; classNames: string[]; inputSize: ImageClassifier['inputSize'] }
  | { kind: 'load-failure'; message: string }
  | { kind: 'scores'; id: number; rows: Float32Array[] }
  | { kind: 'failure'; id: number; message: string };

interface Waiting {
  resolve: (rows: Float32Array[]) => void;
  reject: (error: Error) => void;
}

class WorkerImageClassifier implements ImageClassifier {
  readonly identity: ModelIdentity;
  readonly classNames: readonly string[];
  readonly inputSize: ImageClassifier['inputSize'];
  readonly #worker: Worker;
  readonly #waiting = new Map<number, Waiting>();
  #nextId = 1;
  #ended: Error | null = null;

  constructor(worker: Worker, ready: Extract<ClassifierWorkerReply, { kind: 'ready' }>) {
    this.#worker = worker;
    this.identity = ready.identity;
    this.classNames = ready.classNames;
    this.inputSize = ready.inputSize;
    worker.on('message', (reply: ClassifierWorkerReply) => {
      if (reply.kind !== 'scores' && reply.kind !== 'failure') return;
      const waiting = this.#waiting.get(reply.id);
      this.#waiting.delete(reply.id);
      if (reply.kind === 'scores') waiting?.resolve(reply.rows);
      else waiting?.reject(new Error(`content filter '${this.identity.id}': ${reply.message}`));
      this.#idle();
    });
    const end = (error: Error) => {
      this.#ended ??= error;
      for (const waiting of this.#waiting.values()) waiting.reject(error);
      this.#waiting.clear();
    };
    worker.on('error', (error) => end(new Error(`content filter '${this.identity.id}' failed: ${error.message}`)));
    worker.on('exit', (code) => end(new Error(`content filter '${this.identity.id}' stopped (exit code ${code})`)));
    this.#idle();
  }

  /** The images are copied to the worker (a fraction of a millisecond each), so callers keep theirs, as with any classifier. */
  scores(images: readonly ImageArray[]): Promise<Float32Array[]> {
    if (this.#ended) return Promise.reject(this.#ended);
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#waiting.set(id, { resolve, reject });
      this.#worker.ref();
      this.#worker.postMessage({ id, images: [...images] } satisfies ClassifierWorkerRequest);
    });
  }

  dispose(): void {
    this.#ended ??= new Error(`content filter '${this.identity.id}' has been disposed`);
    void this.#worker.terminate();
  }

  /** A worker with nothing to do must not keep a finished CLI process alive. */
  #idle(): void {
    if (this.#waiting.size === 0) this.#worker.unref();
  }
}

/**
 * Loads the registered classifier `id` on a new worker thread; resolves once it is loaded and has
 * run once. `scoringOnly` as in loadImageClassifier.
 */
export async function loadImageClassifierInWorker(id: string, options: { scoringOnly?: boolean; cacheDir?: string } = {}): Promise<ImageClassifier> {
  // An unknown id is answered here, as the caller's own mistake, before any thread starts.
  findModelEntry(registryHolding(id, options.cacheDir), id);
  const setup: ClassifierWorkerSetup = { id, scoringOnly: options.scoringOnly ?? false, ...(options.cacheDir ? { cacheDir: options.cacheDir } : {}) };
  const worker = spawnWorker(new URL('./classifier-worker.ts', import.meta.url), { workerData: setup });
  return new Promise((resolve, reject) => {
    const fail = (error: Error) => {
      void worker.terminate();
      reject(error);
    };
    worker.once('message', (reply: ClassifierWorkerReply) => {
      worker.removeAllListeners('error').removeAllListeners('exit');
      if (reply.kind === 'ready') resolve(new WorkerImageClassifier(worker, reply));
      else fail(new Error(reply.kind === 'load-failure' ? reply.message : `content filter '${id}': unexpected first message '${reply.kind}'`));
    });
    worker.once('error', fail);
    worker.once('exit', (code) => fail(new Error(`content filter '${id}' stopped while loading (exit code ${code})`)));
  });
}
