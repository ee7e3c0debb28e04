/**
 * The one module every job's worker thread runs: it loads the job's action by name from its
 * module, validates the parameters with the action's schema, and runs it. It turns the runner's
 * cancel message into an AbortSignal, the action's progress into throttled messages, its outputs
 * into messages sent at once, and the outcome into exactly one final message.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { isAction, parseActionParameters, type AnyAction } from '../actions/define-action.ts';
import { UserInputError } from '../errors/user-input-error.ts';
import { CancelledError, ProgressReporter, throttleSink } from '../progress/progress.ts';
import type { JobToRunnerMessage, JobWorkerData, RunnerToJobMessage } from './job-worker-protocol.ts';

const PROGRESS_INTERVAL_MS = 100;

const port = parentPort;
if (!port) throw new Error('action-worker.ts runs in a worker thread started by the job runner');
const job: JobWorkerData = workerData;
const post = (message: JobToRunnerMessage) => port.postMessage(message);
const controller = new AbortController();
port.on('message', (message: RunnerToJobMessage) => {
  if (message.type === 'cancel') controller.abort(new CancelledError());
});
watchCancelFlag(controller, new Int32Array(job.cancelFlag));
const progress = new ProgressReporter(throttleSink((event) => post({ type: 'progress', event }), PROGRESS_INTERVAL_MS));

async function runJob(): Promise<Record<string, unknown>> {
  const action = findAction(await import(job.actionModule), job.action, job.actionModule);
  const parameters = parseActionParameters(action, job.parameters);
  const result = await action.run(parameters, {
    progress,
    signal: controller.signal,
    output: (output) => post({ type: 'output', output }),
    // Remarks meant for a terminal (e.g. "continue it with acsr case ... --resume") have no place in a job.
    note: () => {},
  });
  return action.summary(result);
}

runJob()
  .then((summary) => post({ type: 'completed', summary }))
  .catch((error: unknown) => {
    if (error instanceof CancelledError || controller.signal.aborted) post({ type: 'cancelled' });
    else post({ type: 'failed', message: error instanceof Error ? error.message : String(error), userError: error instanceof UserInputError });
  })
  // The port's listener keeps the thread alive; with the outcome posted, the thread may end.
  .finally(() => port.unref());

function findAction(module: Record<string, unknown>, name: string, moduleUrl: string): AnyAction {
  for (const value of Object.values(module)) if (isAction(value) && value.name === name) return value;
  throw new Error(`${moduleUrl} exports no action named ${name}`);
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
