/**
 * What both dictionary learners (batch, learn-patch-dictionary.ts, and online,
 * online-patch-dictionary.ts) take in: their settings, the plan of crops, the initial atoms.
 */
import type { ConvDictionary } from '../signal/conv-dictionary.ts';
import type { TrainingParameters } from './bundle-manifest.ts';

export type CdlSettings = Required<
  Pick<
    TrainingParameters,
    | 'atoms'
    | 'atomSize'
    | 'cdlLambda'
    | 'cdlIterations'
    | 'cdlMethod'
    | 'maxPatchesPerCluster'
    | 'batchCdlMaxPatches'
    | 'onlineEpochs'
    | 'onlineBatchSize'
    | 'onlineCbpdnIterations'
  >
>;

/** What a version 1 bundle's parameters leave out: how they were learned then (batch, 1 epoch). */
export const CDL_DEFAULTS = Object.freeze({
  batchCdlMaxPatches: 256,
  onlineEpochs: 2,
  onlineBatchSize: 8,
  onlineCbpdnIterations: 50,
});

export function cdlSettings(p: TrainingParameters): CdlSettings {
  return {
    atoms: p.atoms,
    atomSize: p.atomSize,
    cdlLambda: p.cdlLambda,
    cdlIterations: p.cdlIterations,
    cdlMethod: p.cdlMethod,
    maxPatchesPerCluster: p.maxPatchesPerCluster,
    batchCdlMaxPatches: p.batchCdlMaxPatches ?? CDL_DEFAULTS.batchCdlMaxPatches,
    onlineEpochs: p.onlineEpochs ?? CDL_DEFAULTS.onlineEpochs,
    onlineBatchSize: p.onlineBatchSize ?? CDL_DEFAULTS.onlineBatchSize,
    onlineCbpdnIterations: p.onlineCbpdnIterations ?? CDL_DEFAULTS.onlineCbpdnIterations,
  };
}

/** An image of the source and how many of its crops are used (all, except where the cap cuts the last one). */
export interface PatchPlanEntry {
  readonly image: number;
  readonly take: number;
}

/** M atoms from centred-at-random atom-size windows of randomly chosen crops, plus a little noise so no two coincide. */
export function initialAtoms(
  crops: readonly Float32Array[],
  size: number,
  channels: number,
  s: Pick<CdlSettings, 'atoms' | 'atomSize'>,
  random: () => number,
): ConvDictionary<Float32Array> {
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
