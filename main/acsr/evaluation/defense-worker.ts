/**
 * Worker thread of DefenseWorkerPool: builds the CBPDN-based defenses once (bundle, extractor,
 * dictionary) and purifies one image per message. A small image's sparse coding is too short to
 * split across threads, so an evaluation gets its parallelism from several images at once instead.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { createDefense } from '../defenses/create-defense.ts';
import type { Defense } from '../defenses/defense.ts';
import { loadSingleDictionary } from '../defenses/single-dictionary.ts';
import { loadReferenceBundle } from '../references/bundle-reader.ts';
import type { DefenseTask, DefenseWorkerMessage, DefenseWorkerSetup } from './defense-worker-protocol.ts';

const setup = workerData as DefenseWorkerSetup;
const post = (message: DefenseWorkerMessage) => parentPort!.postMessage(message);

try {
  const bundle = setup.bundlePath ? await loadReferenceBundle(setup.bundlePath) : undefined;
  const single = setup.singleDictionaryPath ? await loadSingleDictionary(setup.singleDictionaryPath) : undefined;
  const defenses = new Map<string, Defense>();
  for (const name of setup.defenses) {
    defenses.set(name, await createDefense(name, { bundle, singleDictionary: single?.dictionary, purification: setup.purification }));
  }
  parentPort!.on('message', async (task: DefenseTask) => {
    try {
      const output = await defenses.get(task.defense)!.purify(task.image, { seed: task.seed });
      const data = Float32Array.from(output.image.data);
      parentPort!.postMessage(
        {
          id: task.id,
          image: { height: output.image.height, width: output.image.width, channels: output.image.channels, data },
          clusterId: output.clusterId,
          seconds: output.seconds,
        } satisfies DefenseWorkerMessage,
        [data.buffer as ArrayBuffer],
      );
    } catch (error) {
      post({ id: task.id, failure: error instanceof Error ? error.message : String(error) });
    }
  });
  const descriptions = Object.fromEntries([...defenses].map(([name, d]) => [name, { description: d.description, randomized: d.randomized }]));
  post({ ready: true, descriptions });
} catch (error) {
  post({ setupFailed: error instanceof Error ? error.message : String(error) });
}
