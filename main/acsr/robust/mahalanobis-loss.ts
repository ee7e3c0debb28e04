/**
 * The Mahalanobis term of stage ii (paper eq. 7, method.md): for each attacked image x'_n with
 * clean cluster j(n),
 *
 *   MD_n = sqrt( z^T P_j z ),   z = R(x'_n) - mu_j,
 *   z^T P_j z = sum_i p_i c_i^2 + p_perp (||z||^2 - sum_i c_i^2),   c_i = v_i . z,
 *
 * the same expression as clustering/mahalanobis.ts (which the purifier uses to pick a cluster),
 * written with tensors so that tfjs differentiates it with respect to the latent and, through it,
 * the network's weights. The term in the loss is the batch mean of MD_n.
 */
import * as tf from '@tensorflow/tfjs';
import type { ClusterPrecisionTensors } from './cluster-precision-tensors.ts';

/**
 * sqrt has an infinite derivative at 0; a latent exactly on its cluster mean would give NaN
 * gradients. The quadratic form is floored here (a distance of 1e-6, far below any real one).
 */
const MIN_QUADRATIC_FORM = 1e-12;

/**
 * MD_n for every row of `latents` [N, d] to the cluster `clusterOfRow[n]` (an index into
 * `clusters.clusters`). Differentiable with respect to `latents`.
 *
 * Each cluster present in the batch projects the whole batch onto its own basis, and a 0/1 mask
 * keeps the rows that belong to it: no gather, so no scatter in the backward pass, and the cost
 * (N d r per present cluster) stays small next to the network's own backward pass.
 */
export function mahalanobisDistances(latents: tf.Tensor2D, clusterOfRow: ArrayLike<number>, clusters: ClusterPrecisionTensors): tf.Tensor1D {
  const [rows, d] = latents.shape;
  if (d !== clusters.dimension) throw new RangeError(`latents are ${d}-d, the clusters ${clusters.dimension}-d`);
  if (clusterOfRow.length !== rows) throw new RangeError(`${clusterOfRow.length} cluster indices for ${rows} latents`);
  const present = [...new Set(Array.from(clusterOfRow))].sort((a, b) => a - b);
  for (const j of present) {
    if (!(Number.isInteger(j) && j >= 0 && j < clusters.clusters.length)) throw new RangeError(`cluster index ${j} outside 0..${clusters.clusters.length - 1}`);
  }
  return tf.tidy(() => {
    let quadraticForm: tf.Tensor1D = tf.zeros([rows]);
    for (const j of present) {
      const { mean, basis, precisions, complementPrecision } = clusters.clusters[j];
      const belongs = tf.tensor1d(Float32Array.from(clusterOfRow, (k) => (k === j ? 1 : 0)));
      const z = tf.sub(latents, mean);
      const c = tf.matMul(z, basis, false, true); // [N, r]: c_i = v_i . z
      const c2 = tf.square(c);
      let form = tf.sum(tf.mul(c2, precisions), 1); // sum_i p_i c_i^2
      if (complementPrecision > 0) {
        // the part of z outside the cluster's span; clamped as in mahalanobis.ts (rounding)
        const outside = tf.relu(tf.sub(tf.sum(tf.square(z), 1), tf.sum(c2, 1)));
        form = tf.add(form, tf.mul(outside, complementPrecision));
      }
      quadraticForm = tf.add(quadraticForm, tf.mul(belongs, form));
    }
    return tf.sqrt(tf.maximum(quadraticForm, MIN_QUADRATIC_FORM)) as tf.Tensor1D;
  });
}

/** The loss term: mean_n MD(R(x'_n), mu_j(n), Sigma_j(n)). */
export function meanMahalanobisDistance(latents: tf.Tensor2D, clusterOfRow: ArrayLike<number>, clusters: ClusterPrecisionTensors): tf.Scalar {
  return tf.tidy(() => tf.mean(mahalanobisDistances(latents, clusterOfRow, clusters)) as tf.Scalar);
}
