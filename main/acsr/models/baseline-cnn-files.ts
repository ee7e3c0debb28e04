/**
 * A trained baseline CNN on disk: a tfjs-files model folder (model.json + weights.bin) beside its
 * own registry.json and a training report, written atomically by trained-model-folder.ts. The
 * registry entry carries the SHA-256 of the weights, which every later load checks.
 */
import type * as tf from '@tensorflow/tfjs';
import { BASELINE_LATENT_LAYER, BASELINE_LOGITS_LAYER } from './baseline-cnn.ts';
import { saveTrainedModel, type SavedTrainedModel } from './trained-model-folder.ts';

export type SavedBaselineModel = SavedTrainedModel;

/** `fmnist-baseline-cnn-<first 12 hex of the weight hash>`: the id names the exact weights. */
export function baselineModelId(weightSha256: string, prefix = 'fmnist-baseline-cnn'): string {
  return `${prefix}-${weightSha256.slice(0, 12)}`;
}

export async function saveBaselineModel(
  model: tf.LayersModel,
  target: { folder: string } | { parent: string },
  description: { classNames: readonly string[]; summary: string; report: Record<string, unknown>; idPrefix?: string },
): Promise<SavedBaselineModel> {
  return saveTrainedModel(model, target, {
    id: (weightSha256) => baselineModelId(weightSha256, description.idPrefix),
    entry: (id, weightSha256) => {
      const [, height, width, channels] = model.inputs[0].shape as number[];
      const latentDimension = model.getLayer(BASELINE_LATENT_LAYER).outputShape.at(-1) as number;
      return {
        id,
        description: description.summary,
        source: { kind: 'tfjs-files', modelJson: 'model.json' },
        format: 'layers',
        input: { height, width, channels: channels as 1 },
        preprocessing: { resize: 'bilinear', alignCorners: false, pixelScale: 1, pixelOffset: 0, note: 'greyscale in [0, 1], as trained; other sizes are resized bilinearly' },
        classNames: [...description.classNames],
        scores: { node: BASELINE_LOGITS_LAYER, kind: 'logits' },
        latent: { node: BASELINE_LATENT_LAYER, dimension: latentDimension, note: 'dense layer after the convolutions, ReLU, before dropout' },
        weightSha256,
      };
    },
    report: description.report,
  });
}
