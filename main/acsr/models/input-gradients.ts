/**
 * Gradients of a model's outputs with respect to the image pixels, for attacks and for
 * robust training's latent-space term. The gradient is taken in image space, through
 * the model's own preprocessing (resize, channel replication, scaling), so a perturbation built
 * from it applies to the image an investigator actually has.
 */
import * as tf from '@tensorflow/tfjs';
import type { ImageArray } from '../array/image-array.ts';
import { withInputGradientsOnly } from './gradient-kernels.ts';
import { preprocessPixels, rasterToTensor } from './model-input.ts';
import type { ModelOutputs, TfImageModel } from './tf-image-model.ts';

/** Any scalar built from the scores (logits / log-probabilities) and latents of the batch. */
export type OutputObjective = (outputs: ModelOutputs) => tf.Scalar;

/**
 * objective(model(preprocess(pixels))) and its gradient with respect to `pixels` ([N, H, W, C],
 * values in [0, 1], any size). Synchronous, so the filter-gradient kernels it silences cannot leak
 * into anything else. The caller owns (and disposes) both returned tensors.
 */
export function objectiveAndPixelGradient(
  model: TfImageModel,
  pixels: tf.Tensor4D,
  objective: OutputObjective,
): { value: tf.Scalar; gradient: tf.Tensor4D } {
  const { value, grad } = withInputGradientsOnly(() =>
    tf.valueAndGrad((x: tf.Tensor4D) => objective(model.forward(preprocessPixels(x, model.entry))))(pixels),
  );
  return { value: value as tf.Scalar, gradient: grad as tf.Tensor4D };
}

/**
 * d score[classIndex] / d pixel for one image: same layout as image.data (H x W x C). Scores are
 * what model.scores() returns (logits for the nsfwjs models).
 */
export async function scorePixelGradient(
  model: TfImageModel,
  image: ImageArray,
  classIndex: number,
): Promise<{ score: number; gradient: Float32Array }> {
  if (!Number.isInteger(classIndex) || classIndex < 0 || classIndex >= model.classNames.length) {
    throw new RangeError(`class index ${classIndex} outside 0..${model.classNames.length - 1}`);
  }
  const pixels = rasterToTensor(image);
  try {
    const { value, gradient } = objectiveAndPixelGradient(model, pixels, ({ scores }) =>
      tf.sum(tf.slice(scores, [0, classIndex], [1, 1])),
    );
    try {
      const [score, gradientData] = await Promise.all([value.data(), gradient.data<'float32'>()]);
      return { score: score[0], gradient: gradientData };
    } finally {
      value.dispose();
      gradient.dispose();
    }
  } finally {
    pixels.dispose();
  }
}
