/** Messages between the job runner and a job's worker thread. */
import type { JobOutput } from '../ipc/contract.ts';
import type { ProgressEvent } from '../progress/progress.ts';

export interface JobWorkerData {
  jobId: number;
  parameters: Record<string, unknown>;
}

export type RunnerToJobMessage = { type: 'cancel' };

export type JobToRunnerMessage =
  | { type: 'progress'; event: ProgressEvent }
  /** Something to show as it arrives (an elbow curve, an atom grid); never throttled, kept with the job. */
  | { type: 'output'; output: JobOutput }
  | { type: 'completed'; summary: Record<string, unknown> }
  | { type: 'cancelled' }
  | { type: 'failed'; message: string; userError: boolean };
