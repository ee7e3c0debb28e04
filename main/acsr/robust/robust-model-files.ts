/**
 * f_rob on disk: a tfjs-files model folder (model.json, weights.bin, registry.json, a training
 * report), written under a temporary name and renamed, with the SHA-256 of its weights in its
 * registry entry, by the same code as the baseline CNN's folder (models/trained-model-folder.ts).
 * A resumed run that had finished training reproduces the same weights, hence the same id and
 * folder, which is then returned as it is. The entry copies the initial model's input,
 * preprocessing, class names and output nodes; the scores are plain logits now (a stripped
 * softmax was stripped in the saved topology itself).
 */
import type * as tf from '@tensorflow/tfjs';
import type { ModelEntry } from '../models/model-registry.ts';
import { saveTrainedModel, type SavedTrainedModel } from '../models/trained-model-folder.ts';

/** '<initial id without an earlier -robust-... suffix>-robust-<first 12 hex of the weight hash>' */
export function robustModelId(initialId: string, weightSha256: string): string {
  return `${initialId.replace(/-robust-[0-9a-f]{12}$/, '')}-robust-${weightSha256.slice(0, 12)}`;
}

export async function saveRobustModel(
  network: tf.LayersModel,
  initial: ModelEntry,
  target: { folder: string } | { parent: string },
  description: { summary: string; report: Record<string, unknown> },
): Promise<SavedTrainedModel> {
  return saveTrainedModel(network, target, {
    id: (weightSha256) => robustModelId(initial.id, weightSha256),
    entry: (id, weightSha256) => ({
      ...initial,
      id,
      description: description.summary,
      source: { kind: 'tfjs-files', modelJson: 'model.json' },
      format: 'layers',
      scores: { node: initial.scores.node, kind: 'logits' },
      weightSha256,
    }),
    report: description.report,
  });
}
