/**
 * The stage-ii objective for one batch of attacked images x' (paper eq. 7):
 *
 *   L = CE(f(x'), y) + lambda_w ||theta||^2 + alpha * mean_n MD(R(x'_n), mu_j(n), Sigma_j(n))
 *
 * theta: the variables being trained (all of the baseline CNN; the last blocks of MobileNetV2, see
 * trainable-variables.ts), the literal ||theta||^2 of the equation, biases included. alpha = 0 is
 * plain PGD adversarial training (Madry et al.), the baseline it is compared with.
 */
import * as tf from '@tensorflow/tfjs';
import type { ClusterPrecisionTensors } from './cluster-precision-tensors.ts';
import { meanMahalanobisDistance } from './mahalanobis-loss.ts';

export interface RobustLossWeights {
  /** lambda_w */
  readonly weightDecay: number;
  /** alpha */
  readonly mahalanobisWeight: number;
}

/** Every term, kept (tf.keep) so they can be read after the gradient step; the caller disposes them. */
export interface RobustLossTerms {
  readonly total: tf.Scalar;
  readonly crossEntropy: tf.Scalar;
  /** ||theta||^2, before lambda_w */
  readonly squaredNorm: tf.Scalar;
  /** mean MD, before alpha */
  readonly meanDistance: tf.Scalar;
  /** correctly classified attacked images in the batch */
  readonly hits: tf.Scalar;
}

export function robustLoss(
  outputs: { logits: tf.Tensor2D; latent: tf.Tensor2D },
  labels: tf.Tensor1D,
  clusterOfRow: ArrayLike<number>,
  clusters: ClusterPrecisionTensors,
  theta: readonly tf.Variable[],
  weights: RobustLossWeights,
): RobustLossTerms {
  const classes = outputs.logits.shape[1];
  const crossEntropy = tf.losses.softmaxCrossEntropy(tf.oneHot(labels, classes), outputs.logits) as tf.Scalar;
  const squaredNorm = tf.addN(theta.map((variable) => tf.sum(tf.square(variable)))) as tf.Scalar;
  const meanDistance = meanMahalanobisDistance(outputs.latent, clusterOfRow, clusters);
  const total = tf.addN([crossEntropy, tf.mul(weights.weightDecay, squaredNorm), tf.mul(weights.mahalanobisWeight, meanDistance)]) as tf.Scalar;
  const hits = tf.sum(tf.cast(tf.equal(tf.argMax(outputs.logits, 1), tf.cast(labels, 'int32')), 'float32')) as tf.Scalar;
  return {
    total,
    crossEntropy: tf.keep(crossEntropy),
    squaredNorm: tf.keep(squaredNorm),
    meanDistance: tf.keep(meanDistance),
    hits: tf.keep(hits),
  };
}
