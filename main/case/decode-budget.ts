/**
 * Memory for decoding evidence images, bounded in bytes rather than in pixels. A 1 MB PNG can
 * declare 10000 x 10000 pixels of 16-bit RGBA: 800 MB once decoded, under any sensible pixel
 * cap. So before a file is decoded its header gives the bytes the decode will take
 * (decodedSampleBytes); an image that needs more than the whole budget is refused with that
 * figure, and decodes run together only while their sum fits (a semaphore over bytes, not over
 * workers), so the number of cores never multiplies the worst case.
 *
 * The default budget is a quarter of the memory available to this process (free memory, or the
 * container's limit when that is lower), after the image workers' own baseline, and at most
 * 1 GiB: an import shares the workstation with the desktop app, a browser and the models, and one
 * 100-megapixel 16-bit RGBA image (800 MB) still fits, decoded alone. Ordinary photos (a
 * 24-megapixel JPEG takes 72 MB) still decode many at a time.
 */
import { readFileSync } from 'node:fs';
import { freemem } from 'node:os';
import { CancelledError } from '../progress/progress.ts';

const MIB = 1024 * 1024;
export const DECODE_BUDGET_CEILING_BYTES = 1024 * MIB;
const DECODE_BUDGET_FLOOR_BYTES = 64 * MIB;
/** What an idle image worker (a V8 isolate with sharp and the PDQ code loaded) takes. */
const WORKER_BASELINE_BYTES = 64 * MIB;
const SHARE_OF_AVAILABLE = 0.25;

/** Memory this process may still use: free memory, or the room left under a cgroup limit when smaller. */
export function availableMemoryBytes(): number {
  const candidates = [freemem()];
  // process.availableMemory (Node 22) already folds in the cgroup limit.
  const fromNode = (process as { availableMemory?: () => number }).availableMemory?.();
  if (typeof fromNode === 'number' && fromNode > 0) candidates.push(fromNode);
  const cgroupRoom = cgroupV2Room();
  if (cgroupRoom !== undefined) candidates.push(cgroupRoom);
  return Math.min(...candidates);
}

function cgroupV2Room(): number | undefined {
  try {
    const limit = readFileSync('/sys/fs/cgroup/memory.max', 'utf8').trim();
    if (limit === 'max') return undefined;
    const used = Number(readFileSync('/sys/fs/cgroup/memory.current', 'utf8').trim());
    return Math.max(0, Number(limit) - used);
  } catch {
    return undefined;
  }
}

export function defaultDecodeBudgetBytes(imageWorkers: number, available = availableMemoryBytes()): number {
  const share = (available - imageWorkers * WORKER_BASELINE_BYTES) * SHARE_OF_AVAILABLE;
  return Math.floor(Math.min(DECODE_BUDGET_CEILING_BYTES, Math.max(DECODE_BUDGET_FLOOR_BYTES, share)));
}

interface Waiter {
  bytes: number;
  grant: () => void;
}

/** A semaphore over bytes. Waiters are served in order, so a large decode is not starved by small ones. */
export class DecodeBudget {
  readonly totalBytes: number;
  #inUse = 0;
  readonly #waiting: Waiter[] = [];

  constructor(totalBytes: number) {
    this.totalBytes = totalBytes;
  }

  get inUseBytes(): number {
    return this.#inUse;
  }

  /** Resolves with the function that gives the bytes back. `bytes` must not exceed the total. */
  acquire(bytes: number, signal?: AbortSignal): Promise<() => void> {
    if (bytes > this.totalBytes) return Promise.reject(new RangeError(`${bytes} bytes asked of a budget of ${this.totalBytes}`));
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        bytes,
        grant: () => {
          signal?.removeEventListener('abort', onAbort);
          this.#inUse += bytes;
          let released = false;
          resolve(() => {
            if (released) return;
            released = true;
            this.#inUse -= bytes;
            this.#serve();
          });
        },
      };
      const onAbort = () => {
        const index = this.#waiting.indexOf(waiter);
        if (index >= 0) this.#waiting.splice(index, 1);
        reject(new CancelledError('cancelled while waiting for memory to decode'));
        this.#serve();
      };
      if (signal?.aborted) return onAbort();
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#waiting.push(waiter);
      this.#serve();
    });
  }

  #serve(): void {
    while (this.#waiting.length > 0 && this.#inUse + this.#waiting[0].bytes <= this.totalBytes) this.#waiting.shift()!.grant();
  }
}
