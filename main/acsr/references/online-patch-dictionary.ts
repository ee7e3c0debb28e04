import type { ProgressReporter } from '../../progress/progress.ts';
import { throwIfCancelled } from '../../progress/progress.ts';
import { type RandomSource, deriveSeed, shuffledIndices } from '../random/seeded-random.ts';
import type { CbpdnEngineFactory } from '../signal/cbpdn.ts';
import { ReusedCbpdnEngines } from '../signal/cbpdn-engine-reuse.ts';
import type { ConvDictionary } from '../signal/conv-dictionary.ts';
import { OnlineCdl } from '../signal/online-cdl.ts';
import { type CdlSettings, type PatchPlanEntry, initialAtoms } from './patch-dictionary-inputs.ts';
import type { PatchSource } from './patch-source.ts';

/**
 * Online CDL over a cluster's crops: each epoch visits the images in a fresh seeded order, and
 * every `onlineBatchSize` crops make one step of Liu et al.'s first-order method (a CBPDN of the
 * mini-batch with the current dictionary, then a projected gradient step; online-cdl.ts). Only
 * one mini-batch of crops is in memory at a time. Every step's solver has the same shape (bar an
 * epoch's last, shorter mini-batch), so the steps share their engines (cbpdn-engine-reuse.ts).
 */
const OBJECTIVE_POINTS = 60;
const INITIAL_IMAGES = 64;

export async function learnOnline(
  source: PatchSource,
  plan: readonly PatchPlanEntry[],
  size: number,
  channels: 1 | 3,
  s: CdlSettings,
  engine: CbpdnEngineFactory<Float32Array>,
  seed: number,
  random: RandomSource,
  progress: ProgressReporter,
  signal?: AbortSignal,
): Promise<{ dictionary: ConvDictionary<Float32Array>; objective: number[]; steps: number }> {
  const cropsOf = async (entry: PatchPlanEntry) => (await source.patchesOf(entry.image)).slice(0, entry.take);
  const start: Float32Array[] = [];
  for (const k of shuffledIndices(plan.length, deriveSeed(seed, 0)).slice(0, INITIAL_IMAGES)) start.push(...(await cropsOf(plan[k])));
  const engines = new ReusedCbpdnEngines(engine);
  try {
    const learner = new OnlineCdl(
      initialAtoms(start, size, channels, s, random),
      s.cdlLambda,
      {
        // Liu et al.'s step size eta_a / (eta_b + t) is for one image; a mini-batch's gradient is the sum over its crops
        etaA: 10 / s.onlineBatchSize,
        etaB: 5,
        cbpdn: { maxIterations: s.onlineCbpdnIterations },
      },
      engines.factory,
    );

    const totalCrops = plan.reduce((n, e) => n + e.take, 0);
    const totalSteps = s.onlineEpochs * Math.ceil(totalCrops / s.onlineBatchSize);
    const perStep: number[] = [];
    const step = async (crops: Float32Array[]) => {
      throwIfCancelled(signal);
      const planes = new Float32Array(crops.length * channels * size * size);
      crops.forEach((crop, k) => planes.set(crop, k * crop.length));
      const result = await learner.learn({ height: size, width: size, channels, images: crops.length, planes });
      perStep.push(result.objective / crops.length);
      if (perStep.length % 16 === 0 || perStep.length === totalSteps) {
        progress.report({ stage: 'cdl', fraction: Math.min(1, perStep.length / totalSteps), metrics: { objective: perStep[perStep.length - 1] } });
      }
    };

    for (let epoch = 0; epoch < s.onlineEpochs; epoch++) {
      // the epoch's mini-batches are cut across image boundaries so every step has the same size
      let pending: Float32Array[] = [];
      for (const k of shuffledIndices(plan.length, deriveSeed(seed, epoch + 1))) {
        pending.push(...(await cropsOf(plan[k])));
        while (pending.length >= s.onlineBatchSize) {
          await step(pending.slice(0, s.onlineBatchSize));
          pending = pending.slice(s.onlineBatchSize);
        }
      }
      if (pending.length > 0) await step(pending);
    }
    return { dictionary: learner.dictionary, objective: bucketMeans(perStep, OBJECTIVE_POINTS), steps: perStep.length };
  } finally {
    await engines.close();
  }
}

/** `values` as at most `points` means of consecutive stretches (the manifest keeps a curve, not every step). */
function bucketMeans(values: readonly number[], points: number): number[] {
  const buckets = Math.min(points, values.length);
  return Array.from({ length: buckets }, (_, b) => {
    const from = Math.floor((b * values.length) / buckets);
    const to = Math.floor(((b + 1) * values.length) / buckets);
    let sum = 0;
    for (let i = from; i < to; i++) sum += values[i];
    return sum / (to - from);
  });
}
