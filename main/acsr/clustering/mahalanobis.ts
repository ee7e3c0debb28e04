import type { ClusterDistribution } from './cluster-distribution.ts';

/**
 * MD(r) = sqrt((r - mu)^T P (r - mu)) with P the cluster's (pseudo-)inverse covariance, in its
 * factored form: with z = r - mu and c_i = v_i . z,
 *   z^T P z = sum_i p_i c_i^2 + p_perp (||z||^2 - sum_i c_i^2).
 * The complement term is clamped at 0: rounding can make ||z||^2 - sum c_i^2 slightly negative.
 */
export function mahalanobisDistance(latent: ArrayLike<number>, distribution: ClusterDistribution): number {
  const { dimension: d, mean, basis, precisions, complementPrecision } = distribution;
  if (latent.length !== d) throw new RangeError(`latent has ${latent.length} values, the cluster's distribution ${d}`);
  const z = new Float64Array(d);
  let norm2 = 0;
  for (let j = 0; j < d; j++) {
    z[j] = latent[j] - mean[j];
    norm2 += z[j] * z[j];
  }
  let inSpan = 0;
  let projected2 = 0;
  for (let i = 0; i < precisions.length; i++) {
    let c = 0;
    for (let j = 0; j < d; j++) c += basis[i * d + j] * z[j];
    inSpan += precisions[i] * c * c;
    projected2 += c * c;
  }
  const quadratic = inSpan + (complementPrecision > 0 ? complementPrecision * Math.max(0, norm2 - projected2) : 0);
  return Math.sqrt(Math.max(0, quadratic));
}
