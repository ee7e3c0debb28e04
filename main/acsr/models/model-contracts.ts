/**
 * The shapes of a loaded model that the rest of ACSR works with (a latent extractor's R(x), a
 * classifier's scores), apart from the loader so that the loader and its callers share them
 * without importing each other. See latent-extractor.ts for what they mean.
 */
import type { ImageArray } from '../array/image-array.ts';

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
  extract(images: readonly ImageArray[]): Promise<Float32Array[]>;
  dispose(): void;
}

export interface ImageClassifier {
  readonly identity: ModelIdentity;
  readonly classNames: readonly string[];
  readonly inputSize: { height: number; width: number; channels: 1 | 3 };
  /** logits, or log-probabilities for softmax-only models, one row per image. */
  scores(images: readonly ImageArray[]): Promise<Float32Array[]>;
  dispose(): void;
}
