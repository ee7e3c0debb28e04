import type { ProgressReporter } from '../../progress/progress.ts';
import { deriveSeed, seededRandom, shuffledIndices } from '../random/seeded-random.ts';
import { learnDictionaryBatch } from '../signal/batch-cdl.ts';
import type { CbpdnEngineFactory } from '../signal/cbpdn.ts';
import type { ConvDictionary } from '../signal/conv-dictionary.ts';
import { fastEngineFactory } from '../signal/parallel/parallel-cbpdn-engine.ts';
import type { TrainingParameters } from './bundle-manifest.ts';
import { learnOnline } from './online-patch-dictionary.ts';
import type { PatchSource } from './patch-source.ts';

/**
 * A dictionary learned from every crop of a set of images (a stage-i cluster's, or all images for
 * the single-dict baseline, defenses/single-dictionary.ts, so that both learn exactly alike).
 * Small sets are learned by batch CDL (paper eq. 5, every crop in one problem); large ones by
 * online CDL (Liu et al. 2018), which streams over the images one mini-batch at a time for a
 * number of epochs, so memory does not grow with the cluster. Initial atoms are centred windows of
 * randomly chosen crops (data initialisation converges in fewer iterations than SPORCO's randn
 * start); the learners normalise them.
 */
export type CdlSettings = Required<Pick<TrainingParameters,
  'atoms' | 'atomSize' | 'cdlLambda' | 'cdlIterations' | 'cdlMethod' | 'maxPatchesPerCluster' |
  'batchCdlMaxPatches' | 'onlineEpochs' | 'onlineBatchSize' | 'onlineCbpdnIterations'>>;

/** What a version 1 bundle's parameters leave out: how they were learned then (batch, 1 epoch). */
export const CDL_DEFAULTS = Object.freeze({
  batchCdlMaxPatches: 256,
  onlineEpochs: 2,
  onlineBatchSize: 8,
  onlineCbpdnIterations: 50,
});

export function cdlSettings(p: TrainingParameters): CdlSettings {
  return {
    atoms: p.atoms, atomSize: p.atomSize, cdlLambda: p.cdlLambda, cdlIterations: p.cdlIterations, cdlMethod: p.cdlMethod,
    maxPatchesPerCluster: p.maxPatchesPerCluster,
    batchCdlMaxPatches: p.batchCdlMaxPatches ?? CDL_DEFAULTS.batchCdlMaxPatches,
    onlineEpochs: p.onlineEpochs ?? CDL_DEFAULTS.onlineEpochs,
    onlineBatchSize: p.onlineBatchSize ?? CDL_DEFAULTS.onlineBatchSize,
    onlineCbpdnIterations: p.onlineCbpdnIterations ?? CDL_DEFAULTS.onlineCbpdnIterations,
  };
}

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

/** An image of the source and how many of its crops are used (all, except where the cap cuts the last one). */
export interface PatchPlanEntry {
  readonly image: number;
  readonly take: number;
}

export async function learnPatchDictionary(
  source: PatchSource, size: number, channels: 1 | 3, s: CdlSettings,
  engine: CbpdnEngineFactory<Float32Array>, seed: number, progress: ProgressReporter, signal?: AbortSignal,
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
    dictionary: result.dictionary, objective: result.history.map((h) => h.objective), method: 'batch-admm-pgm',
    images: plan.length, patches: crops.length, iterations: s.cdlIterations, epochs: 1,
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

/** M atoms from centred-at-random atom-size windows of randomly chosen crops, plus a little noise so no two coincide. */
export function initialAtoms(crops: readonly Float32Array[], size: number, channels: number, s: Pick<CdlSettings, 'atoms' | 'atomSize'>, random: () => number): ConvDictionary<Float32Array> {
  const h = s.atomSize;
  const data = new Float32Array(s.atoms * channels * h * h);
  for (let m = 0; m < s.atoms; m++) {
    const patch = crops[Math.floor(random() * crops.length)];
    const top = Math.floor(random() * (size - h + 1));
    const left = Math.floor(random() * (size - h + 1));
    for (let c = 0; c < channels; c++) {
      for (let y = 0; y < h; y++) {
        for (let x = 0; x < h; x++) data[((m * channels + c) * h + y) * h + x] = patch[(c * size + top + y) * size + left + x] + 1e-3 * (random() - 0.5);
      }
    }
  }
  return { atomHeight: h, atomWidth: h, channels, atoms: s.atoms, data };
}
