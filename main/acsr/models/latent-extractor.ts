/**
 * The contract between pretrained models and the rest of ACSR: a latent extractor gives R(x), the
 * representation the purification compares (method.md), and an image classifier gives the scores
 * attacks and evaluations work on. Both take ImageArrays of any size and apply the model's own
 * preprocessing, so callers never need to know a model's input conventions.
 */
import type { ImageClassifier, LatentExtractor } from './model-contracts.ts';
import { type LoadModelOptions, loadTfImageModel } from './tf-image-model.ts';

export type { ImageClassifier, LatentExtractor, ModelIdentity } from './model-contracts.ts';

/** Loads a registered model (models/registry.json, or one trained here: local-model-registry.ts) as R(x). */
export async function loadLatentExtractor(id: string, options?: Pick<LoadModelOptions, 'cacheDir' | 'registry'>): Promise<LatentExtractor> {
  return loadTfImageModel(id, options);
}

/**
 * Loads a registered model as a classifier; its `scoreKind` says logits or log-probabilities.
 * `scoringOnly`: a faster network with the same scores (up to float rounding) that cannot be trained.
 */
export async function loadImageClassifier(id: string, options?: Pick<LoadModelOptions, 'cacheDir' | 'registry' | 'scoringOnly'>): Promise<ImageClassifier> {
  return loadTfImageModel(id, options);
}
