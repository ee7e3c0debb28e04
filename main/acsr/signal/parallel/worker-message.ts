import type { Worker } from 'node:worker_threads';

/**
 * The first message from `worker` that `settle` settles on: it returns the value to resolve with,
 * or undefined to keep listening (a progress note), or throws to reject. The worker failing or
 * exiting first rejects. Every listener is removed once settled.
 */
export function awaitWorkerMessage<M, T>(worker: Worker, settle: (message: M) => T | undefined): Promise<T> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: M) => {
      let value: T | undefined;
      try {
        value = settle(message);
      } catch (error) {
        cleanup();
        reject(error);
        return;
      }
      if (value === undefined) return;
      cleanup();
      resolve(value);
    };
    const onError = (error: Error) => {
      cleanup();
      reject(error);
    };
    const onExit = (code: number) => {
      cleanup();
      reject(new Error(`CBPDN worker exited with code ${code}`));
    };
    const cleanup = () => {
      worker.off('message', onMessage);
      worker.off('error', onError);
      worker.off('exit', onExit);
    };
    worker.on('message', onMessage);
    worker.on('error', onError);
    worker.on('exit', onExit);
  });
}
