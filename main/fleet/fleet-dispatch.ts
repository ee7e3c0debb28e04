/**
 * The workstation's side of the queue: it puts tasks on the queue under their task keys and
 * collects what comes back. BullMQ keeps one job per id, so enqueuing a task that is already
 * there (a second `case purify` of the same items, a workstation that restarted and enqueues
 * again) attaches to the existing job and its result instead of computing it twice.
 *
 * Results are collected by looking at each job (a few times a second) rather than by listening
 * to the event stream: a restarted Redis or workstation loses no completion that way, because
 * the job's own state is the source. One look at all pending jobs reads three small fields of each,
 * all requests sent back to back (about one round trip); only the finished ones are read whole. That keeps
 * the workstation and Redis off the cores the workers need, and a batch of thousands pollable.
 */
import { Job, Queue } from 'bullmq';
import { UserInputError } from '../errors/user-input-error.ts';
import { CancelledError } from '../progress/progress.ts';
import { PURIFY_QUEUE_NAME, PURIFY_TASK_NAME, type PurifyTask } from './fleet-task.ts';
import type { QueueConnection } from './queue-address.ts';

/** Worker failures other than a refused task (a crash, a lost connection) are tried again this often. */
const TASK_ATTEMPTS = 3;
const POLL_MS = 250;
/** A large batch is looked at less often: about this many milliseconds per pending task, at most MAX_POLL_MS. */
const POLL_MS_PER_PENDING_TASK = 1;
const MAX_POLL_MS = 5_000;
/** Finished jobs are kept a week, so a re-run within it attaches to them. */
const KEEP_FINISHED_SECONDS = 7 * 24 * 3600;
/** How long the workstation waits for Redis at the start before it gives up with a clear message. */
const CONNECT_TIMEOUT_MS = 10_000;

export type TaskOutcome =
  { key: string; state: 'completed'; returned: unknown; attempts: number } | { key: string; state: 'failed'; reason: string; attempts: number };

export class FleetDispatch {
  readonly #queue: Queue;
  readonly #address: string;

  constructor(connection: QueueConnection) {
    this.#queue = new Queue(PURIFY_QUEUE_NAME, { connection });
    this.#address = `${connection.host}:${connection.port}`;
    // connection errors surface through `connect` and then as retries; no unhandled 'error' events
    this.#queue.on('error', () => {});
  }

  /**
   * Waits for Redis: an address where no Redis answers is the user's mistake, said at once.
   * Once connected, a Redis that goes away (a restart) is waited for instead.
   */
  async connect(timeoutMs = CONNECT_TIMEOUT_MS): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new UserInputError(`no Redis answers at ${this.#address} (waited ${timeoutMs / 1000} s); check --queue`)), timeoutMs);
    });
    try {
      await Promise.race([this.#queue.waitUntilReady(), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  async submit(tasks: readonly PurifyTask[]): Promise<void> {
    for (const task of tasks) {
      const existing = await Job.fromId(this.#queue, task.key);
      if (existing && (await existing.getState()) === 'failed') {
        await existing.retry('failed');
        continue;
      }
      await this.#queue.add(PURIFY_TASK_NAME, task, {
        jobId: task.key,
        attempts: TASK_ATTEMPTS,
        backoff: { type: 'fixed', delay: 1000 },
        removeOnComplete: { age: KEEP_FINISHED_SECONDS },
        removeOnFail: { age: KEEP_FINISHED_SECONDS },
      });
    }
  }

  /**
   * Each task's outcome as it finishes, in the order they finish. `onProgress` gets the share of
   * the whole batch done, counting each running task's own progress.
   */
  async *outcomes(
    tasks: readonly PurifyTask[],
    control: { signal?: AbortSignal; onProgress?: (fraction: number, running: number) => void },
  ): AsyncGenerator<TaskOutcome> {
    const pending = new Map(tasks.map((task) => [task.key, task]));
    let finished = 0;
    while (pending.size > 0) {
      if (control.signal?.aborted) throw new CancelledError();
      let partial = 0;
      let running = 0;
      for (const [key, glance] of await this.#glance([...pending.keys()])) {
        if (!glance.exists) {
          // removed meanwhile (expired, or discarded after a refusal elsewhere): put it back
          await this.submit([pending.get(key)!]);
          continue;
        }
        if (!glance.finished) {
          if (glance.progress > 0) {
            partial += glance.progress;
            running += 1;
          }
          continue;
        }
        const job = await Job.fromId(this.#queue, key);
        if (!job) continue; // removed between the glance and the read: the next look puts it back
        const state = await job.getState();
        if (state === 'completed') {
          pending.delete(key);
          finished += 1;
          yield { key, state, returned: job.returnvalue, attempts: job.attemptsMade };
        } else if (state === 'failed') {
          pending.delete(key);
          finished += 1;
          yield { key, state, reason: job.failedReason, attempts: job.attemptsMade };
        }
        // finished but neither completed nor failed: being retried after a lost worker, so still pending
      }
      control.onProgress?.((finished + partial) / tasks.length, running);
      const pause = Math.min(MAX_POLL_MS, Math.max(POLL_MS, pending.size * POLL_MS_PER_PENDING_TASK));
      if (pending.size > 0) await new Promise((resolve) => setTimeout(resolve, pause));
    }
  }

  /** Whether each job still exists, has finished, and its progress (0-1), requests sent back to back. */
  async #glance(keys: readonly string[]): Promise<Map<string, { exists: boolean; finished: boolean; progress: number }>> {
    const client = await this.#queue.client;
    // sent back to back on one connection, so all the replies come in about one round trip
    const replies = await Promise.all(keys.map((key) => client.hmget(this.#queue.toKey(key), 'timestamp', 'finishedOn', 'progress')));
    const glances = new Map<string, { exists: boolean; finished: boolean; progress: number }>();
    keys.forEach((key, index) => {
      const [timestamp, finishedOn, progress] = replies[index];
      const fraction = Number(progress);
      glances.set(key, {
        exists: timestamp !== null,
        finished: finishedOn !== null,
        progress: Number.isFinite(fraction) && fraction > 0 ? Math.min(1, fraction) : 0,
      });
    });
    return glances;
  }

  /** Worker processes connected to the queue now (BullMQ names each worker's Redis connection after its queue). */
  async connectedWorkers(): Promise<number> {
    return this.#queue.getWorkersCount();
  }

  /** Removes a finished task's job, so that the next enqueue of the same task computes it afresh (after a refused output). */
  async discard(key: string): Promise<void> {
    const job = await Job.fromId(this.#queue, key);
    await job?.remove().catch(() => {});
  }

  async close(): Promise<void> {
    await this.#queue.close();
  }
}
