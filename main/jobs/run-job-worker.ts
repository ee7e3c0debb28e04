/**
 * The inside of a job's worker thread: call `runJobWorker(work)` from a job module. It turns the
 * runner's cancel message into an AbortSignal, the work's progress into throttled messages, and
 * the outcome into exactly one final message.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { UserInputError } from '../errors/user-input-error.ts';
import { CancelledError, ProgressReporter, throttleSink, type TaskControl } from '../progress/progress.ts';
import type { JobOutput } from '../ipc/contract/index.ts';
import type { JobToRunnerMessage, JobWorkerData, RunnerToJobMessage } from './job-worker-protocol.ts';

const PROGRESS_INTERVAL_MS = 100;

export interface JobControl extends Required<TaskControl> {
  jobId: number;
  /** Shows something as it arrives (see JobOutput in the contract); sent at once, never throttled. */
  output: (output: JobOutput) => void;
}

export type JobWork<P> = (parameters: P, control: JobControl) => Promise<Record<string, unknown>>;

export function runJobWorker<P>(work: JobWork<P>): void {
  const port = parentPort;
  if (!port) throw new Error('runJobWorker must run in a worker thread started by the job runner');
  const { jobId, parameters, cancelFlag } = workerData as JobWorkerData;
  const post = (message: JobToRunnerMessage) => port.postMessage(message);
  const controller = new AbortController();
  port.on('message', (message: RunnerToJobMessage) => {
    if (message.type === 'cancel') controller.abort(new CancelledError());
  });
  watchCancelFlag(controller, new Int32Array(cancelFlag));
  const progress = new ProgressReporter(throttleSink((event) => post({ type: 'progress', event }), PROGRESS_INTERVAL_MS));

  const output = (value: JobOutput) => post({ type: 'output', output: value });
  work(parameters as P, { jobId, progress, signal: controller.signal, output })
    .then((summary) => post({ type: 'completed', summary }))
    .catch((error: unknown) => {
      if (error instanceof CancelledError || controller.signal.aborted) post({ type: 'cancelled' });
      else post({ type: 'failed', message: error instanceof Error ? error.message : String(error), userError: error instanceof UserInputError });
    })
    // The port's listener keeps the thread alive; with the outcome posted, the thread may end.
    .finally(() => port.unref());
}

const nativeAborted = Object.getOwnPropertyDescriptor(AbortSignal.prototype, 'aborted')!.get!;

/**
 * Makes the signal see a cancel the moment the runner raises the shared flag, even while the
 * work runs for seconds without yielding to the event loop (TensorFlow's wasm kernels, an attack
 * awaiting only settled promises), when the cancel message cannot be delivered: whoever asks
 * `signal.aborted` (throwIfCancelled does, every iteration) or calls `throwIfAborted()` first
 * reads the flag and, if it is up, aborts the controller there and then.
 */
function watchCancelFlag(controller: AbortController, flag: Int32Array): void {
  const signal = controller.signal;
  const check = () => {
    if (!nativeAborted.call(signal) && Atomics.load(flag, 0) === 1) controller.abort(new CancelledError());
  };
  Object.defineProperty(signal, 'aborted', { get: () => (check(), nativeAborted.call(signal) as boolean) });
  const throwIfAborted = signal.throwIfAborted.bind(signal);
  Object.defineProperty(signal, 'throwIfAborted', { value: () => (check(), throwIfAborted()) });
}
