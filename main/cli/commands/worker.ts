import { stat } from 'node:fs/promises';
import { startFleetWorker, DEFAULT_LOCK_MS } from '../../fleet/fleet-worker.ts';
import { parseQueueAddress } from '../../fleet/queue-address.ts';
import { SharedArea } from '../../fleet/shared-area.ts';
import { defineCommand } from '../command.ts';
import { UsageError } from '../errors.ts';

export const workerCommand = defineCommand({
  name: 'worker',
  summary: 'take purification tasks from a queue and purify them (one of any number of worker processes)',
  description: [
    "A stateless worker: it takes purification tasks from the Redis queue one at a time, reads the evidence named by its SHA-256 from the shared location and checks the hash, loads the reference bundle named by its manifest's SHA-256 from there and checks every file, purifies exactly as 'acsr case purify' does, and writes the purified PNG and its parts to the shared results area under their own SHA-256. It never writes to a case: the workstation checks each output and records it.",
    'The task stays locked to the worker while it runs and the lock is renewed; if the worker dies, the task goes back to the queue when the lock expires and another worker takes it. SIGTERM or Ctrl-C stops the worker after its current task.',
  ].join('\n\n'),
  examples: ['acsr worker --queue redis://10.0.0.5:6379 --shared /mnt/acsr-shared'],
  options: {
    queue: { type: 'string', required: true, valueName: 'redis://HOST:PORT', description: 'the Redis server holding the task queue' },
    shared: {
      type: 'string',
      required: true,
      valueName: 'DIR',
      description: 'the shared location (evidence/, bundles/, results/) that the workstation publishes to',
    },
    threads: { type: 'integer', min: 1, description: 'CBPDN worker threads (default: all cores)' },
    lockMs: {
      type: 'integer',
      min: 1000,
      default: DEFAULT_LOCK_MS,
      valueName: 'MS',
      description: "how long a task's lock lasts without renewal (a dead worker's task is taken again after about this long)",
    },
  },
  async run({ options, print, note, signal }) {
    const connection = parseQueueAddress(options.queue);
    // a worker with a wrong mount would fail every task it takes: refuse to start instead
    if (!(await stat(options.shared).catch(() => undefined))?.isDirectory())
      throw new UsageError(`--shared ${options.shared}: not a folder (mount the shared location first)`);
    const worker = startFleetWorker({
      connection,
      shared: new SharedArea(options.shared),
      lockMs: options.lockMs,
      ...(options.threads !== undefined ? { threads: options.threads } : {}),
      log: note,
    });
    print(`worker ready: queue ${connection.host}:${connection.port}, shared ${options.shared}`);
    const onStop = () => {
      note('stopping after the current task');
      void worker.stop();
    };
    if (signal.aborted) onStop();
    else signal.addEventListener('abort', onStop, { once: true });
    await worker.stopped;
    const tasks = worker.tasksDone;
    print(`worker stopped after ${tasks} task${tasks === 1 ? '' : 's'}`);
    return { tasks };
  },
});
