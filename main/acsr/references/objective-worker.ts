import { parentPort, workerData } from 'node:worker_threads';
import { ReusedCbpdnEngines } from '../signal/cbpdn-engine-reuse.ts';
import { fastEngineFactory } from '../signal/parallel/parallel-cbpdn-engine.ts';
import { blockObjectives } from './dictionary-objectives.ts';
import type { ObjectiveJob, ObjectiveWorkerReply, ObjectiveWorkerSetup } from './objective-worker-protocol.ts';

// A thread of objective-worker-pool.ts: solves the blocks it is sent, one at a time, on the
// one-thread engine (the same engine the pool's in-thread path uses), its engines reused.
const setup = workerData as ObjectiveWorkerSetup;
const { size, channels, settings } = setup;
const planeSize = channels * size * size;
const signals = Array.from({ length: setup.count }, (_, i) => setup.signals.subarray(i * planeSize, (i + 1) * planeSize));
const engines = new ReusedCbpdnEngines(fastEngineFactory(1));

parentPort!.on('message', async ({ job, dictionary, from }: ObjectiveJob) => {
  let reply: ObjectiveWorkerReply;
  try {
    const block = signals.slice(from, from + settings.block);
    reply = { job, objectives: await blockObjectives(setup.dictionaries[dictionary], block, size, channels, settings, engines.factory) };
  } catch (error) {
    reply = { job, failure: error instanceof Error ? error.message : String(error) };
  }
  parentPort!.postMessage(reply);
});
