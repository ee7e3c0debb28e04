/**
 * The contract between pretrained models and the rest of ACSR: a latent extractor gives R(x), the
 * representation the purification compares (method.md), and an image classifier gives the scores
 * attacks and evaluations work on. Both take RasterImages of any size and apply the model's own
 * preprocessing, so callers never need to know a model's input conventions.
 */
import type { RasterImage } from '../../io/image.ts';
import { type LoadModelOptions, loadTfImageModel } from './tf-image-model.ts';

export interface ModelIdentity {
  /** Registry id, e.g. 'nsfwjs-mobilenet-v2'. */
  id: string;
  weightSha256: string;
  /** TensorFlow.js backend actually used, since numbers differ slightly between backends. */
  backend: string;
}

export interface LatentExtractor {
  readonly identity: ModelIdentity;
  readonly inputSize: { height: number; width: number; channels: 1 | 3 };
  readonly latentDimension: number;
  /** R(x) for each image, any size: resized internally with the model's own preprocessing. Batches internally. */
  extract(images: readonly RasterImage[]): Promise<Float32Array[]>;
  dispose(): void;
}

export interface ImageClassifier {
  readonly identity: ModelIdentity;
  readonly classNames: readonly string[];
  readonly inputSize: { height: number; width: number; channels: 1 | 3 };
  /** logits, or log-probabilities for softmax-only models, one row per image. */
  scores(images: readonly RasterImage[]): Promise<Float32Array[]>;
  dispose(): void;
}

/** Loads a registered model (models/registry.json, or one trained here: local-model-registry.ts) as R(x). */
export async function loadLatentExtractor(id: string, options?: Pick<LoadModelOptions, 'cacheDir' | 'registry'>): Promise<LatentExtractor> {
  return loadTfImageModel(id, options);
}

/** Loads a registered model as a classifier; its `scoreKind` says logits or log-probabilities. */
export async function loadImageClassifier(id: string, options?: Pick<LoadModelOptions, 'cacheDir' | 'registry'>): Promise<ImageClassifier> {
  return loadTfImageModel(id, options);
}
