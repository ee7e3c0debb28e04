/**
 * One queue for every long action (import, purify, train, ...): jobs run one at a time, each in
 * its own worker thread, so neither the database work nor the computing ever runs on the thread
 * that answers the renderer. A job names its action (main/actions/) and hands it parameters typed
 * by the action's schema; the worker (action-worker.ts) validates them and runs the action.
 * Listeners see every state change and throttled progress as JobSnapshots (the contract's type),
 * ready to be forwarded over IPC.
 */
import type { Worker } from 'node:worker_threads';
import type { ActionParameters } from '../actions/define-action.ts';
import type { ActionTable, ProductActions } from '../actions/product-actions.ts';
import type { JobKind, JobOutputEvent, JobSnapshot } from '../ipc/contract/index.ts';
import { UnavailableError } from '../ipc/call-failure.ts';
import { UserInputError } from '../errors/user-input-error.ts';
import { spawnWorker } from '../workers/spawn-worker.ts';
import type { JobToRunnerMessage, JobWorkerData, RunnerToJobMessage } from './job-worker-protocol.ts';

/** Each kind's action module (exporting the action of that name); a kind without one is refused as not available yet. */
export type ActionModules = Partial<Record<JobKind, URL>>;

/** What people see of a job besides its action. */
export interface JobDescription {
  label: string;
  caseId: string | null;
}

const ACTION_WORKER = new URL('./action-worker.ts', import.meta.url);

export type JobListener = (snapshot: JobSnapshot) => void;
export type JobOutputListener = (event: JobOutputEvent) => void;

/** A job that ignores its cancel message this long is stopped by force. */
const CANCEL_GRACE_MS = 15_000;
/** Finished jobs kept for the jobs panel. */
const FINISHED_JOBS_KEPT = 50;

interface Job {
  snapshot: JobSnapshot;
  /** Checked against the action's schema in the worker, where they arrive. */
  parameters: unknown;
  worker?: Worker;
  cancelRequested: boolean;
  /** Shared with the job's worker; see JobWorkerData.cancelFlag. */
  cancelFlag: Int32Array;
  /** What the job showed besides progress, kept so that a screen opened mid-job sees it all. */
  outputs: JobOutputEvent[];
}

export class JobRunner<Actions extends ActionTable = ProductActions> {
  readonly #modules: ActionModules;
  readonly #jobs = new Map<number, Job>();
  readonly #queue: Job[] = [];
  readonly #listeners = new Set<JobListener>();
  readonly #outputListeners = new Set<JobOutputListener>();
  #running: Job | null = null;
  #nextJobId = 1;
  #closed = false;
  #idleWaiters: (() => void)[] = [];

  constructor(modules: ActionModules) {
    this.#modules = modules;
  }

  onChange(listener: JobListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  onOutput(listener: JobOutputListener): () => void {
    this.#outputListeners.add(listener);
    return () => this.#outputListeners.delete(listener);
  }

  /** Every output of a job so far, in order. */
  outputs(jobId: number): JobOutputEvent[] {
    const job = this.#jobs.get(jobId);
    if (!job) throw new UserInputError(`no job ${jobId}`);
    return [...job.outputs];
  }

  submit<K extends keyof Actions & JobKind>(action: K, parameters: ActionParameters<NonNullable<Actions[K]>>, description: JobDescription): JobSnapshot {
    if (this.#closed) throw new UnavailableError('the job runner is shutting down');
    if (!this.#modules[action]) throw new UnavailableError(`${action} jobs are not available in this version yet`);
    const job: Job = {
      parameters,
      cancelRequested: false,
      cancelFlag: new Int32Array(new SharedArrayBuffer(4)),
      outputs: [],
      snapshot: {
        jobId: this.#nextJobId++,
        kind: action,
        label: description.label,
        caseId: description.caseId,
        state: 'queued',
        progress: null,
        error: null,
        errorDetails: null,
        summary: null,
        queuedAt: new Date().toISOString(),
        finishedAt: null,
      },
    };
    this.#jobs.set(job.snapshot.jobId, job);
    this.#queue.push(job);
    this.#emit(job);
    this.#startNext();
    return { ...job.snapshot };
  }

  cancel(jobId: number): JobSnapshot {
    const job = this.#jobs.get(jobId);
    if (!job) throw new UserInputError(`no job ${jobId}`);
    if (job.snapshot.state === 'queued') {
      this.#queue.splice(this.#queue.indexOf(job), 1);
      this.#finish(job, { state: 'cancelled' });
    } else if (job.snapshot.state === 'running' && !job.cancelRequested) {
      job.cancelRequested = true;
      Atomics.store(job.cancelFlag, 0, 1);
      job.worker?.postMessage({ type: 'cancel' } satisfies RunnerToJobMessage);
      // Cancellation is cooperative; a job stuck in native code must still not hold the queue.
      setTimeout(() => {
        if (job.snapshot.state === 'running') void job.worker?.terminate();
      }, CANCEL_GRACE_MS).unref();
    }
    return { ...job.snapshot };
  }

  list(): JobSnapshot[] {
    return [...this.#jobs.values()].map((job) => ({ ...job.snapshot }));
  }

  /** Resolves when nothing is queued or running (tests, orderly shutdown). */
  whenIdle(): Promise<void> {
    if (!this.#running && this.#queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  /** Cancels everything and waits for the running job's worker to stop. */
  async close(): Promise<void> {
    this.#closed = true;
    for (const job of [...this.#queue]) this.cancel(job.snapshot.jobId);
    if (this.#running) {
      this.cancel(this.#running.snapshot.jobId);
      await this.whenIdle();
    }
    this.#listeners.clear();
    this.#outputListeners.clear();
  }

  #startNext(): void {
    if (this.#running || this.#queue.length === 0) {
      if (!this.#running) this.#idleWaiters.splice(0).forEach((resolve) => resolve());
      return;
    }
    const job = this.#queue.shift()!;
    this.#running = job;
    job.snapshot.state = 'running';
    this.#emit(job);
    const kind = job.snapshot.kind;
    const workerData: JobWorkerData = {
      jobId: job.snapshot.jobId,
      action: kind,
      actionModule: this.#modules[kind]!.href,
      parameters: job.parameters,
      cancelFlag: job.cancelFlag.buffer as SharedArrayBuffer,
    };
    let outcome: JobToRunnerMessage | null = null;
    let worker: Worker;
    try {
      worker = spawnWorker(ACTION_WORKER, { workerData });
    } catch (error) {
      this.#finish(job, { state: 'failed', ...internalFailure(`could not start the job: ${(error as Error).message}`) });
      return;
    }
    job.worker = worker;
    worker.on('message', (message: JobToRunnerMessage) => {
      if (message.type === 'progress') {
        job.snapshot.progress = message.event;
        this.#emit(job);
      } else if (message.type === 'output') {
        const event: JobOutputEvent = { jobId: job.snapshot.jobId, index: job.outputs.length, output: message.output };
        job.outputs.push(event);
        for (const listener of this.#outputListeners) listener(event);
      } else {
        outcome = message;
      }
    });
    worker.on('error', (error) => {
      outcome ??= { type: 'failed', message: error.message, userError: false };
    });
    worker.on('exit', (code) => {
      const final: JobToRunnerMessage =
        outcome ??
        (job.cancelRequested
          ? { type: 'cancelled' }
          : { type: 'failed', message: `the job's worker stopped unexpectedly (exit code ${code})`, userError: false });
      if (final.type === 'completed') this.#finish(job, { state: 'completed', summary: final.summary });
      else if (final.type === 'cancelled') this.#finish(job, { state: 'cancelled' });
      else if (final.type === 'failed')
        this.#finish(job, { state: 'failed', ...(final.userError ? { error: final.message } : internalFailure(final.message)) });
    });
  }

  #finish(job: Job, result: { state: 'completed' | 'failed' | 'cancelled'; error?: string; errorDetails?: string; summary?: Record<string, unknown> }): void {
    job.snapshot.state = result.state;
    job.snapshot.error = result.error ?? null;
    job.snapshot.errorDetails = result.errorDetails ?? null;
    job.snapshot.summary = result.summary ?? null;
    job.snapshot.finishedAt = new Date().toISOString();
    job.worker = undefined;
    this.#emit(job);
    this.#forgetOldJobs();
    if (this.#running === job) {
      this.#running = null;
      this.#startNext();
    }
  }

  #forgetOldJobs(): void {
    const finished = [...this.#jobs.values()].filter((job) => job.snapshot.finishedAt !== null);
    for (const job of finished.slice(0, Math.max(0, finished.length - FINISHED_JOBS_KEPT))) this.#jobs.delete(job.snapshot.jobId);
  }

  #emit(job: Job): void {
    const snapshot = { ...job.snapshot };
    for (const listener of this.#listeners) listener(snapshot);
  }
}

/**
 * A failure that is the workstation's fault (a bug, a crashed worker thread), not the
 * investigator's: what to do in words, the technical line kept for a bug report and the log.
 */
export const INTERNAL_JOB_FAILURE = 'The job stopped because of a fault inside the workstation. Try again; if it happens again, report it with the details.';

function internalFailure(technical: string): { error: string; errorDetails: string } {
  console.error(`job failed inside the workstation: ${technical}`);
  return { error: INTERNAL_JOB_FAILURE, errorDetails: technical };
}
