import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import { throwIfCancelled } from '../../progress/progress.ts';
import { spawnWorker } from '../../workers/spawn-worker.ts';
import { ReusedCbpdnEngines } from '../signal/cbpdn-engine-reuse.ts';
import type { ConvDictionary } from '../signal/conv-dictionary.ts';
import { fastEngineFactory } from '../signal/parallel/parallel-cbpdn-engine.ts';
import { type ObjectiveSettings, blockObjectives } from './dictionary-objectives.ts';
import type { ObjectiveJob, ObjectiveWorkerReply, ObjectiveWorkerSetup } from './objective-worker-protocol.ts';

/**
 * cbpdnObjectives for many dictionaries over the same signals ([dictionary][signal]), the blocks
 * (one dictionary, settings.block consecutive signals) spread over worker threads. A block of
 * small images is far too small to split across threads (each of the solver's phases would end
 * at a barrier every few microseconds), so the threads take whole blocks. Every block is solved
 * on the one-thread engine with engines reused (cbpdn-engine-reuse.ts), in a worker or, with one
 * thread, here: the result is the same to the last bit whichever thread solves a block, and the
 * same as cbpdnObjectives(dictionary, signals, ..., fastEngineFactory(1)) dictionary by dictionary.
 */
export interface ObjectivePoolOptions {
  /** worker threads; default every core, 1: in this thread */
  readonly threads?: number;
  readonly signal?: AbortSignal;
  /** after each finished block: how many of all blocks are done */
  readonly onBlock?: (done: number, total: number) => void;
}

export async function cbpdnObjectivesForDictionaries(
  dictionaries: readonly ConvDictionary<Float32Array>[],
  signals: readonly Float32Array[],
  size: number,
  channels: number,
  settings: ObjectiveSettings,
  options: ObjectivePoolOptions = {},
): Promise<number[][]> {
  const jobs: ObjectiveJob[] = [];
  for (let dictionary = 0; dictionary < dictionaries.length; dictionary++) {
    for (let from = 0; from < signals.length; from += settings.block) jobs.push({ job: jobs.length, dictionary, from });
  }
  const results: number[][] = new Array(jobs.length);
  const threads = Math.max(1, Math.min(options.threads ?? availableParallelism(), jobs.length));
  if (threads <= 1) await solveHere(dictionaries, signals, size, channels, settings, jobs, results, options);
  else await solveOnWorkers(dictionaries, signals, size, channels, settings, jobs, results, threads, options);
  return dictionaries.map((_, d) => jobs.filter((job) => job.dictionary === d).flatMap((job) => results[job.job]));
}

async function solveHere(
  dictionaries: readonly ConvDictionary<Float32Array>[],
  signals: readonly Float32Array[],
  size: number,
  channels: number,
  settings: ObjectiveSettings,
  jobs: readonly ObjectiveJob[],
  results: number[][],
  options: ObjectivePoolOptions,
): Promise<void> {
  const engines = new ReusedCbpdnEngines(fastEngineFactory(1));
  try {
    for (const job of jobs) {
      throwIfCancelled(options.signal);
      const block = signals.slice(job.from, job.from + settings.block);
      results[job.job] = await blockObjectives(dictionaries[job.dictionary], block, size, channels, settings, engines.factory, options.signal);
      options.onBlock?.(job.job + 1, jobs.length);
    }
  } finally {
    await engines.close();
  }
}

async function solveOnWorkers(
  dictionaries: readonly ConvDictionary<Float32Array>[],
  signals: readonly Float32Array[],
  size: number,
  channels: number,
  settings: ObjectiveSettings,
  jobs: readonly ObjectiveJob[],
  results: number[][],
  threads: number,
  options: ObjectivePoolOptions,
): Promise<void> {
  const planeSize = channels * size * size;
  const packed = new Float32Array(signals.length * planeSize);
  signals.forEach((s, i) => packed.set(s, i * planeSize));
  const setup: ObjectiveWorkerSetup = {
    dictionaries: dictionaries.map((d) => ({ ...d, data: Float32Array.from(d.data) })),
    signals: packed,
    count: signals.length,
    size,
    channels,
    settings,
  };
  const workers: Worker[] = [];
  try {
    await new Promise<void>((resolve, reject) => {
      let next = 0;
      let done = 0;
      let failed = false;
      const fail = (error: Error) => {
        if (failed) return;
        failed = true;
        reject(error);
      };
      const dispatch = (worker: Worker) => {
        if (failed) return;
        try {
          throwIfCancelled(options.signal);
        } catch (error) {
          fail(error as Error);
          return;
        }
        if (next < jobs.length) worker.postMessage(jobs[next++]);
      };
      for (let i = 0; i < threads; i++) {
        const worker = spawnWorker(new URL('./objective-worker.ts', import.meta.url), { workerData: setup });
        workers.push(worker);
        worker.on('message', (reply: ObjectiveWorkerReply) => {
          if ('failure' in reply) {
            fail(new Error(`objective worker: ${reply.failure}`));
            return;
          }
          results[reply.job] = reply.objectives;
          done++;
          options.onBlock?.(done, jobs.length);
          if (done === jobs.length) resolve();
          else dispatch(worker);
        });
        worker.on('error', fail);
        worker.on('exit', (code) => {
          if (done < jobs.length) fail(new Error(`objective worker exited with code ${code}`));
        });
        dispatch(worker);
      }
    });
  } finally {
    await Promise.all(workers.map((worker) => worker.terminate()));
  }
}
