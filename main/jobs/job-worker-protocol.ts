/** Messages between the job runner and a job's worker thread. */
import type { ProgressEvent } from '../progress/progress.ts';

export interface JobWorkerData {
  jobId: number;
  parameters: Record<string, unknown>;
}

export type RunnerToJobMessage = { type: 'cancel' };

export type JobToRunnerMessage =
  | { type: 'progress'; event: ProgressEvent }
  | { type: 'completed'; summary: Record<string, unknown> }
  | { type: 'cancelled' }
  | { type: 'failed'; message: string; userError: boolean };
