/**
 * The host's handle on the service worker: `call` sends an already validated request and
 * resolves with its CallResult; `onEvent` receives job events. Both hosts use this.
 */
import type { Worker } from 'node:worker_threads';
import type { CallResult, EventChannel, EventPayload, RequestChannel } from '../ipc/contract/index.ts';
import { spawnWorker } from '../workers/spawn-worker.ts';
import type { HostToServiceMessage, ServiceToHostMessage, ServiceWorkerData } from './service-protocol.ts';

export type BackendEventListener = (channel: EventChannel, payload: EventPayload<EventChannel>) => void;

export class WorkstationBackend {
  readonly #worker: Worker;
  readonly #pending = new Map<number, (result: CallResult) => void>();
  readonly #listeners = new Set<BackendEventListener>();
  #nextCallId = 1;
  #stopped: Promise<void>;
  #exited = false;

  private constructor(worker: Worker) {
    this.#worker = worker;
    this.#stopped = new Promise((resolve) => worker.once('exit', () => resolve()));
    worker.on('message', (message: ServiceToHostMessage) => {
      if (message.type === 'result') {
        this.#pending.get(message.callId)?.(message.result);
        this.#pending.delete(message.callId);
      } else if (message.type === 'event') {
        for (const listener of this.#listeners) listener(message.channel, message.payload);
      }
    });
    worker.on('exit', () => {
      this.#exited = true;
      for (const answer of this.#pending.values()) answer({ ok: false, error: { kind: 'internal', message: 'internal error: the service worker stopped' } });
      this.#pending.clear();
    });
  }

  static async start(data: ServiceWorkerData): Promise<WorkstationBackend> {
    const worker = spawnWorker(new URL('./service-worker.ts', import.meta.url), { workerData: data });
    await new Promise<void>((resolve, reject) => {
      const onExit = (code: number) => reject(new Error(`the workstation's service worker stopped while starting (exit code ${code})`));
      const onMessage = (message: ServiceToHostMessage) => {
        if (message.type !== 'ready') return;
        worker.off('message', onMessage);
        worker.off('error', reject);
        worker.off('exit', onExit);
        resolve();
      };
      worker.on('message', onMessage);
      worker.once('error', reject);
      worker.once('exit', onExit);
    });
    return new WorkstationBackend(worker);
  }

  call(channel: RequestChannel, input: unknown): Promise<CallResult> {
    if (this.#exited) return Promise.resolve({ ok: false, error: { kind: 'internal', message: 'internal error: the service worker stopped' } });
    const callId = this.#nextCallId++;
    return new Promise((resolve) => {
      this.#pending.set(callId, resolve);
      this.#worker.postMessage({ type: 'call', callId, channel, input } satisfies HostToServiceMessage);
    });
  }

  onEvent(listener: BackendEventListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Cancels running jobs, closes the databases and ends the worker. */
  async close(): Promise<void> {
    if (this.#exited) return;
    this.#worker.postMessage({ type: 'close' } satisfies HostToServiceMessage);
    const forced = setTimeout(() => void this.#worker.terminate(), 20_000);
    await this.#stopped;
    clearTimeout(forced);
    this.#listeners.clear();
  }
}
