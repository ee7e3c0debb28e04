/** Messages between the job runner and a job's worker thread. */
import type { JobKind, JobOutput } from '../ipc/contract/index.ts';
import type { ProgressEvent } from '../progress/progress.ts';

export interface JobWorkerData {
  jobId: number;
  /** The action to run, by name, and the module (URL) that exports it. */
  action: JobKind;
  actionModule: string;
  /** As the submitter gave them (structured-cloned); the worker validates them with the action's schema. */
  parameters: unknown;
  /**
   * One Int32 the runner sets to 1 on cancel, besides posting the cancel message: computing code
   * may run for seconds without yielding to the event loop (the message then waits), but it asks
   * its signal often, and the worker's signal reads this flag (action-worker.ts).
   */
  cancelFlag: SharedArrayBuffer;
}

export type RunnerToJobMessage = { type: 'cancel' };

export type JobToRunnerMessage =
  | { type: 'progress'; event: ProgressEvent }
  /** Something to show as it arrives (an elbow curve, an atom grid); never throttled, kept with the job. */
  | { type: 'output'; output: JobOutput }
  | { type: 'completed'; summary: Record<string, unknown> }
  | { type: 'cancelled' }
  | { type: 'failed'; message: string; userError: boolean };
