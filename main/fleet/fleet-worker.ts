/**
 * `acsr worker`'s loop: a BullMQ worker that takes one purification task at a time from the
 * queue and runs it (purify-task-runner.ts). BullMQ holds a lock on the task while it runs and
 * renews it (the heartbeat); a worker that dies (SIGKILL, a lost machine) stops renewing, the
 * lock expires, another worker's stalled-job check puts the task back in the queue and a
 * worker takes it again. A task the worker cannot do anywhere (altered evidence, a wrong bundle)
 * fails without retries; anything else is retried a few times.
 */
import { UnrecoverableError, Worker, type Job } from 'bullmq';
import { ProgressReporter, throttleSink } from '../progress/progress.ts';
import { PURIFY_QUEUE_NAME, purifyTaskSchema, type TaskResult } from './fleet-task.ts';
import { PurifyTaskRunner, TaskInputError } from './purify-task-runner.ts';
import type { QueueConnection } from './queue-address.ts';
import type { SharedArea } from './shared-area.ts';

export interface FleetWorkerOptions {
  connection: QueueConnection;
  shared: SharedArea;
  /** CBPDN worker threads of this process (default: every core). */
  threads?: number;
  /** How long a task's lock lasts without renewal: a dead worker's task is taken again after about this long. */
  lockMs?: number;
  /** A line for the operator (task taken, done, failed). */
  log?: (line: string) => void;
}

export interface FleetWorker {
  /** Resolves when the worker has stopped: after `stop`, or when its connection closes for good. */
  readonly stopped: Promise<void>;
  /** Tasks this worker finished and returned. */
  readonly tasksDone: number;
  /** Takes no new task, lets the current one finish and return its result, then closes. */
  stop(): Promise<void>;
}

/** Default lock: long enough for a slow renewal on a loaded machine, short enough to retry a dead worker's task soon. */
export const DEFAULT_LOCK_MS = 30_000;

export function startFleetWorker(options: FleetWorkerOptions): FleetWorker {
  const log = options.log ?? (() => {});
  const runner = new PurifyTaskRunner(options.shared, { threads: options.threads });
  const lockMs = options.lockMs ?? DEFAULT_LOCK_MS;
  let tasksDone = 0;

  const handleTask = async (job: Job, _token?: string, signal?: AbortSignal): Promise<TaskResult> => {
    const parsed = purifyTaskSchema.safeParse(job.data);
    if (!parsed.success) throw new UnrecoverableError(`task ${job.id}: not a purification task (${parsed.error.issues[0]?.message ?? 'invalid'})`);
    const task = parsed.data;
    log(`task ${task.key.slice(0, 12)}: item ${task.itemSha256.slice(0, 12)}, attempt ${job.attemptsMade + 1}`);
    // Progress goes to the queue (the workstation shows it); at most a few updates a second.
    const progress = new ProgressReporter(
      throttleSink((event) => {
        void job.updateProgress(Math.round(event.fraction * 1000) / 1000).catch(() => {});
      }, 500),
    );
    try {
      const result = await runner.run(task, { progress, ...(signal ? { signal } : {}) });
      tasksDone += 1;
      log(`task ${task.key.slice(0, 12)}: done, output ${result.output.sha256.slice(0, 12)}`);
      return result;
    } catch (error) {
      log(`task ${task.key.slice(0, 12)}: failed: ${(error as Error).message}`);
      if (error instanceof TaskInputError) throw new UnrecoverableError(error.message);
      throw error;
    }
  };

  const worker = new Worker(PURIFY_QUEUE_NAME, handleTask, {
    connection: options.connection,
    concurrency: 1,
    lockDuration: lockMs,
    stalledInterval: Math.max(1000, Math.round(lockMs / 2)),
    // a task whose worker died twice is still tried a third time before it is failed
    maxStalledCount: 2,
  });
  worker.on('error', (error) => log(`queue: ${error.message}`));

  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      await worker.close();
      await runner.dispose();
    })();
    return stopping;
  };
  const stopped = new Promise<void>((resolve) => worker.on('closed', () => resolve()));
  return {
    stopped: stopped.then(() => stop()),
    stop,
    get tasksDone() {
      return tasksDone;
    },
  };
}
