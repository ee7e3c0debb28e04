/**
 * A bundle's cluster distributions as float32 tensors, for the differentiable Mahalanobis term of
 * robust training. The bundle keeps each inverse covariance in factored form (bundle-manifest.ts)
 *
 *   P_j = sum_i p_i v_i v_i^T + p_perp (I - sum_i v_i v_i^T)
 *
 * whatever its estimate: the paper's pseudo-inverse ('pinv': p_perp = 0, directions the cluster
 * never varied in do not count) or Ledoit-Wolf shrinkage (a true inverse, p_perp > 0 when the
 * cluster has fewer samples than dimensions). The tensors keep exactly that form, so the term
 * uses whichever estimate the bundle records, and a 1280-d latent never needs a d x d matrix.
 */
import * as tf from '@tensorflow/tfjs';
import type { ClusterDistribution } from '../clustering/cluster-distribution.ts';

export interface ClusterPrecision {
  /** mu_j, [d] */
  readonly mean: tf.Tensor1D;
  /** v_i as rows, [r, d] */
  readonly basis: tf.Tensor2D;
  /** p_i, [r] */
  readonly precisions: tf.Tensor1D;
  /** p_perp */
  readonly complementPrecision: number;
}

export interface ClusterPrecisionTensors {
  readonly dimension: number;
  /** in the order of the distributions given (the bundle's cluster order) */
  readonly clusters: readonly ClusterPrecision[];
  dispose(): void;
}

export function clusterPrecisionTensors(distributions: readonly ClusterDistribution[]): ClusterPrecisionTensors {
  if (distributions.length === 0) throw new RangeError('no cluster distributions');
  const dimension = distributions[0].dimension;
  const clusters = distributions.map((distribution, j): ClusterPrecision => {
    const { dimension: d, mean, basis, precisions, complementPrecision } = distribution;
    if (d !== dimension) throw new RangeError(`cluster ${j} has ${d}-d latents, cluster 0 ${dimension}-d`);
    const r = precisions.length;
    return {
      mean: tf.tensor1d(Float32Array.from(mean)),
      basis: tf.tensor2d(Float32Array.from(basis), [r, d]),
      precisions: tf.tensor1d(Float32Array.from(precisions)),
      complementPrecision,
    };
  });
  return {
    dimension,
    clusters,
    dispose: () => tf.dispose(clusters.flatMap((c) => [c.mean, c.basis, c.precisions])),
  };
}
