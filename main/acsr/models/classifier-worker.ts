/**
 * Worker thread of WorkerImageClassifier: loads one registered classifier (its own TensorFlow.js
 * engine; tfjs has one per thread) and scores the images it is sent. Failures come back as data.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { ImageArray } from '../array/image-array.ts';
import { loadTfImageModel, type LoadModelOptions } from './tf-image-model.ts';
import type { ClassifierWorkerReply, ClassifierWorkerRequest, ClassifierWorkerSetup } from './worker-image-classifier.ts';

const setup = workerData as ClassifierWorkerSetup;
const reply = (message: ClassifierWorkerReply, transfer: ArrayBuffer[] = []) => parentPort!.postMessage(message, transfer);
const failureOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

try {
  const options: LoadModelOptions = { scoringOnly: setup.scoringOnly, ...(setup.cacheDir ? { cacheDir: setup.cacheDir } : {}) };
  const model = await loadTfImageModel(setup.id, options);
  // The first pass through each layer sets up its kernels (seconds on wasm); done here, as part of
  // loading, so the first batch of real work is not the slow one.
  const { height, width, channels } = model.inputSize;
  await model.scores([{ height, width, channels, data: new Float32Array(height * width * channels) }]);
  reply({ kind: 'ready', identity: model.identity, classNames: [...model.classNames], inputSize: model.inputSize });
  parentPort!.on('message', async (request: ClassifierWorkerRequest) => {
    try {
      const rows = await model.scores(request.images as ImageArray[]);
      reply({ kind: 'scores', id: request.id, rows }, rows.map((row) => row.buffer as ArrayBuffer));
    } catch (error) {
      reply({ kind: 'failure', id: request.id, message: failureOf(error) });
    }
  });
} catch (error) {
  reply({ kind: 'load-failure', message: failureOf(error) });
}
