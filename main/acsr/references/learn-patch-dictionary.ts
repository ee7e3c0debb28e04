import type { ProgressReporter } from '../../progress/progress.ts';
import { seededRandom } from '../random/seeded-random.ts';
import { learnDictionaryBatch } from '../signal/batch-cdl.ts';
import type { CbpdnEngineFactory } from '../signal/cbpdn.ts';
import type { ConvDictionary } from '../signal/conv-dictionary.ts';
import type { TrainingParameters } from './bundle-manifest.ts';

/**
 * Batch CDL on a set of Tikhonov high-pass crops: a stage-i cluster's, or the pooled crops of the
 * single-dict baseline (defenses/single-dictionary.ts), so that both learn exactly alike. The initial atoms are centred 8x8 windows of randomly
 * chosen patches (data initialisation converges in fewer iterations than SPORCO's randn start);
 * the learner normalises them.
 */
export async function learnPatchDictionary(
  patches: Float32Array[], size: number, channels: 1 | 3, p: TrainingParameters,
  engine: CbpdnEngineFactory<Float32Array>, seed: number, progress: ProgressReporter, signal?: AbortSignal,
): Promise<{ dictionary: ConvDictionary<Float32Array>; objective: number[] }> {
  const random = seededRandom(seed);
  const h = p.atomSize;
  const initial = new Float32Array(p.atoms * channels * h * h);
  for (let m = 0; m < p.atoms; m++) {
    const patch = patches[Math.floor(random() * patches.length)];
    const top = Math.floor(random() * (size - h + 1));
    const left = Math.floor(random() * (size - h + 1));
    for (let c = 0; c < channels; c++) {
      for (let y = 0; y < h; y++) {
        for (let x = 0; x < h; x++) initial[((m * channels + c) * h + y) * h + x] = patch[(c * size + top + y) * size + left + x] + 1e-3 * (random() - 0.5);
      }
    }
  }
  const planes = new Float32Array(patches.length * channels * size * size);
  patches.forEach((patch, k) => planes.set(patch, k * patch.length));
  const result = await learnDictionaryBatch(
    { atomHeight: h, atomWidth: h, channels, atoms: p.atoms, data: initial },
    { height: size, width: size, channels, images: patches.length, planes },
    p.cdlLambda,
    { iterations: p.cdlIterations },
    engine,
    {
      signal,
      onIteration: (it) => progress.report({
        stage: 'cdl', fraction: (it.iteration + 1) / p.cdlIterations,
        metrics: { objective: it.objective },
      }),
    },
  );
  return { dictionary: result.dictionary, objective: result.history.map((h) => h.objective) };
}
