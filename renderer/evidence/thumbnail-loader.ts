/**
 * Thumbnails are fetched over IPC (data URLs: no HTTP route to evidence exists) a few at a time,
 * so a fast scroll through 10,000 items queues only what is still on screen, and are cached per
 * size bucket for the session.
 */
import type { WorkstationClient } from '../client/workstation-client.ts';

const CONCURRENT_REQUESTS = 4;
const CACHED = 2000;
const SIZE_BUCKETS = [128, 256, 512];

export function thumbnailBucket(displaySize: number): number {
  const wanted = displaySize * Math.min(2, globalThis.devicePixelRatio || 1);
  return SIZE_BUCKETS.find((bucket) => bucket >= wanted) ?? SIZE_BUCKETS.at(-1)!;
}

interface Waiting {
  run: () => void;
  cancelled: boolean;
}

export class ThumbnailLoader {
  readonly #client: WorkstationClient;
  readonly #cache = new Map<string, string>();
  readonly #queue: Waiting[] = [];
  #active = 0;

  constructor(client: WorkstationClient) {
    this.#client = client;
  }

  cached(caseId: string, itemId: number, maxEdge: number): string | undefined {
    return this.#cache.get(`${caseId}/${itemId}/${maxEdge}`);
  }

  /** Resolves with a data URL; `signal` drops the request if the tile scrolled away before it started. */
  load(caseId: string, itemId: number, maxEdge: number, signal: AbortSignal): Promise<string> {
    const key = `${caseId}/${itemId}/${maxEdge}`;
    const hit = this.#cache.get(key);
    if (hit) return Promise.resolve(hit);
    return new Promise((resolve, reject) => {
      const waiting: Waiting = {
        cancelled: false,
        run: () => {
          this.#active++;
          this.#client
            .call('evidence.thumbnail', { caseId, itemId, maxEdge })
            .then((thumbnail) => {
              const url = `data:${thumbnail.mediaType};base64,${thumbnail.base64}`;
              this.#cache.set(key, url);
              if (this.#cache.size > CACHED) this.#cache.delete(this.#cache.keys().next().value!);
              resolve(url);
            }, reject)
            .finally(() => {
              this.#active--;
              this.#pump();
            });
        },
      };
      signal.addEventListener('abort', () => {
        waiting.cancelled = true;
        reject(signal.reason);
      });
      this.#queue.push(waiting);
      this.#pump();
    });
  }

  #pump(): void {
    while (this.#active < CONCURRENT_REQUESTS && this.#queue.length > 0) {
      const next = this.#queue.shift()!;
      if (!next.cancelled) next.run();
    }
  }
}
