/**
 * AttackableClassifier for a plain tfjs LayersModel that takes [N, H, W, C] pixels in [0, 1] and
 * outputs logits [N, classes], e.g. the Fashion-MNIST baseline CNN (models/baseline-cnn.ts) that
 * robust training attacks while it trains. Inference mode (training=false: no dropout).
 */
import type * as tf from '@tensorflow/tfjs';
import { withInputGradientsOnly } from '../models/gradient-kernels.ts';
import type { AttackableClassifier, ImageBatch } from './attack-types.ts';
import { chunkedScores, chunkedScoresAndGradient, scoresAndWeightedGradient } from './tensor-gradients.ts';

export interface LayersModelClassifierOptions {
  /** what the model outputs; default 'logits' (a softmax output must be stripped first) */
  readonly scoreKind?: 'logits' | 'log-probabilities';
  /** images per forward/backward pass, bounding memory; default 64 */
  readonly batchSize?: number;
}

export function attackableLayersModel(model: tf.LayersModel, options: LayersModelClassifierOptions = {}): AttackableClassifier {
  const outputShape = model.outputs[0].shape;
  const classCount = outputShape.at(-1);
  if (outputShape.length !== 2 || typeof classCount !== 'number') throw new Error(`model output shape ${JSON.stringify(outputShape)} is not [N, classes]`);
  const inputShape = model.inputs[0].shape;
  const batchSize = options.batchSize ?? 64;
  const forward = (x: tf.Tensor4D) => model.apply(x, { training: false }) as tf.Tensor2D;
  const checkGeometry = (batch: ImageBatch) => {
    const [, height, width, channels] = inputShape;
    const matches = (want: number | null, have: number) => want === null || want === have;
    if (inputShape.length !== 4 || !matches(height, batch.height) || !matches(width, batch.width) || !matches(channels, batch.channels)) {
      throw new RangeError(`model takes ${JSON.stringify(inputShape.slice(1))} images, batch has ${batch.height} x ${batch.width} x ${batch.channels}`);
    }
  };
  return {
    classCount,
    scoreKind: options.scoreKind ?? 'logits',
    async scores(batch) {
      checkGeometry(batch);
      return chunkedScores(batch, batchSize, classCount, forward);
    },
    async scoresAndGradient(batch, weights) {
      checkGeometry(batch);
      return chunkedScoresAndGradient(batch, batchSize, classCount, weights, forward, (x, chunkWeights) =>
        withInputGradientsOnly(() => scoresAndWeightedGradient(forward, x, chunkWeights)),
      );
    },
  };
}
