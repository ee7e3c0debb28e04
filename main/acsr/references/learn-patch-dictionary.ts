import type { ProgressReporter } from '../../progress/progress.ts';
import { deriveSeed, seededRandom, shuffledIndices } from '../random/seeded-random.ts';
import { learnDictionaryBatch } from '../signal/batch-cdl.ts';
import type { CbpdnEngineFactory } from '../signal/cbpdn.ts';
import type { ConvDictionary } from '../signal/conv-dictionary.ts';
import { fastEngineFactory } from '../signal/parallel/parallel-cbpdn-engine.ts';
import { learnOnline } from './online-patch-dictionary.ts';
import { type CdlSettings, type PatchPlanEntry, initialAtoms } from './patch-dictionary-inputs.ts';
import type { PatchSource } from './patch-source.ts';

export { type CdlSettings, CDL_DEFAULTS, cdlSettings, type PatchPlanEntry, initialAtoms } from './patch-dictionary-inputs.ts';

/**
 * A dictionary learned from every crop of a set of images (a stage-i cluster's, or all images for
 * the single-dict baseline, defenses/single-dictionary.ts, so that both learn exactly alike).
 * Small sets are learned by batch CDL (paper eq. 5, every crop in one problem); large ones by
 * online CDL (Liu et al. 2018), which streams over the images one mini-batch at a time for a
 * number of epochs, so memory does not grow with the cluster. Initial atoms are centred windows of
 * randomly chosen crops (data initialisation converges in fewer iterations than SPORCO's randn
 * start); the learners normalise them.
 */
export interface LearnedPatchDictionary {
  readonly dictionary: ConvDictionary<Float32Array>;
  /** batch: per iteration; online: mean per crop over stretches of steps */
  readonly objective: number[];
  readonly method: 'batch-admm-pgm' | 'online-liu2018';
  readonly images: number;
  readonly patches: number;
  /** batch iterations or online steps */
  readonly iterations: number;
  readonly epochs: number;
}

export async function learnPatchDictionary(
  source: PatchSource,
  size: number,
  channels: 1 | 3,
  s: CdlSettings,
  engine: CbpdnEngineFactory<Float32Array>,
  seed: number,
  progress: ProgressReporter,
  signal?: AbortSignal,
): Promise<LearnedPatchDictionary> {
  const plan = planPatches(source, s.maxPatchesPerCluster, seed);
  const patches = plan.reduce((n, entry) => n + entry.take, 0);
  if (patches === 0) throw new RangeError('no training crops');
  const online = s.cdlMethod === 'online-liu2018' || (s.cdlMethod === 'auto' && patches > s.batchCdlMaxPatches);
  const random = seededRandom(seed);
  if (online) {
    // one thread: a step of small images is too small to split across threads (every phase of an
    // iteration would end at a barrier), and the steps reuse one engine (online-patch-dictionary.ts)
    const { dictionary, objective, steps } = await learnOnline(source, plan, size, channels, s, fastEngineFactory(1), seed, random, progress, signal);
    return { dictionary, objective, method: 'online-liu2018', images: plan.length, patches, iterations: steps, epochs: s.onlineEpochs };
  }
  const crops: Float32Array[] = [];
  for (const entry of plan) crops.push(...(await source.patchesOf(entry.image)).slice(0, entry.take));
  const planes = new Float32Array(crops.length * channels * size * size);
  crops.forEach((patch, k) => planes.set(patch, k * patch.length));
  const result = await learnDictionaryBatch(
    initialAtoms(crops, size, channels, s, random),
    { height: size, width: size, channels, images: crops.length, planes },
    s.cdlLambda,
    { iterations: s.cdlIterations },
    engine,
    {
      signal,
      onIteration: (it) => progress.report({ stage: 'cdl', fraction: (it.iteration + 1) / s.cdlIterations, metrics: { objective: it.objective } }),
    },
  );
  return {
    dictionary: result.dictionary,
    objective: result.history.map((h) => h.objective),
    method: 'batch-admm-pgm',
    images: plan.length,
    patches: crops.length,
    iterations: s.cdlIterations,
    epochs: 1,
  };
}

/**
 * Every image with all its crops; under a cap, images in a seeded order until the cap is reached
 * (the last one cut short), so a capped dictionary still sees distinct crops of as many images as fit.
 */
export function planPatches(source: PatchSource, cap: number | null, seed: number): PatchPlanEntry[] {
  const all = Array.from({ length: source.imageCount }, (_, i) => ({ image: i, take: source.patchCountOf(i) }));
  if (cap === null || all.reduce((n, e) => n + e.take, 0) <= cap) return all;
  const order = shuffledIndices(source.imageCount, deriveSeed(seed, PLAN_STREAM));
  const plan: PatchPlanEntry[] = [];
  let left = cap;
  for (const i of order) {
    if (left === 0) break;
    const take = Math.min(left, all[i].take);
    plan.push({ image: i, take });
    left -= take;
  }
  return plan.sort((a, b) => a.image - b.image);
}

const PLAN_STREAM = 7;
