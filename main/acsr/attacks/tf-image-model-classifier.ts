/**
 * AttackableClassifier for a registered model (TfImageModel): the gradient is taken in image
 * space through the model's own preprocessing (resize, channels, scaling) by
 * objectiveAndPixelGradient, which also applies the wasm gradient-kernel patches. So attacks work
 * on the photo as the investigator has it, at its own size, not on the model's 224 x 224 input.
 */
import * as tf from '@tensorflow/tfjs';
import { objectiveAndPixelGradient } from '../models/input-gradients.ts';
import { preprocessPixels } from '../models/model-input.ts';
import type { TfImageModel } from '../models/tf-image-model.ts';
import type { AttackableClassifier, ImageBatch } from './attack-types.ts';
import { checkedWeights, chunkedScores, chunkedScoresAndGradient } from './tensor-gradients.ts';

export interface TfImageModelClassifierOptions {
  /** images per forward/backward pass; default 4 (a 224 x 224 MobileNetV2 backward pass is large) */
  readonly batchSize?: number;
}

export function attackableImageModel(model: TfImageModel, options: TfImageModelClassifierOptions = {}): AttackableClassifier {
  const classCount = model.classNames.length;
  const batchSize = options.batchSize ?? 4;
  const checkChannels = (batch: ImageBatch) => {
    // preprocessPixels converts grey <-> RGB the way the model expects; nothing else is refused.
    if (batch.channels !== 1 && batch.channels !== 3) throw new RangeError(`images have ${batch.channels} channels`);
  };
  const forward = (x: tf.Tensor4D) => model.forward(preprocessPixels(x, model.entry)).scores;
  return {
    classCount,
    scoreKind: model.scoreKind,
    async scores(batch) {
      checkChannels(batch);
      return chunkedScores(batch, batchSize, classCount, forward);
    },
    async scoresAndGradient(batch, weights) {
      checkChannels(batch);
      return chunkedScoresAndGradient(batch, batchSize, classCount, weights, forward, (x, chunkWeights) => {
        let scores: Float32Array | undefined;
        const { value, gradient } = objectiveAndPixelGradient(model, x, (outputs) => {
          // read back mid-tape: W depends on the current scores and enters as a constant
          scores = outputs.scores.dataSync<'float32'>().slice();
          const w = checkedWeights(chunkWeights(scores), scores.length);
          return tf.sum(tf.mul(outputs.scores, tf.tensor2d(w, outputs.scores.shape))) as tf.Scalar;
        });
        value.dispose();
        return { scores: scores!, gradient };
      });
    },
  };
}
