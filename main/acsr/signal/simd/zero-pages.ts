import { Worker } from 'node:worker_threads';

// Plain CommonJS for an eval worker: it starts in a few ms, with none of the project's modules.
const ZERO_PAGES = `
const { parentPort, workerData } = require('node:worker_threads');
new Uint8Array(workerData).fill(0);
parentPort.postMessage('zeroed');
`;

/**
 * Writes zeros over shared memory on a short-lived thread of its own: the memory is unchanged
 * (new memory is all zeros), but its pages are then mapped for the whole process, so the thread
 * that uses it next does not stop at every first touch.
 */
export function zeroPagesOnAnotherThread(memory: ArrayBufferLike): Promise<void> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(ZERO_PAGES, { eval: true, workerData: memory });
    worker.once('message', () => resolve());
    worker.once('error', reject);
    worker.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`the page-touching thread exited with ${code}`))));
  });
}
