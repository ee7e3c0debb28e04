import type { LatentMatrix } from './latent-matrix.ts';
import { PSEUDO_INVERSE_RCOND, keptEigenvalues } from './pseudo-inverse.ts';
import { symmetricEigen } from './symmetric-eigen.ts';

/**
 * A cluster's distribution (mu, Sigma) as the Mahalanobis distance needs it: the mean and the
 * inverse covariance ("precision") P, kept in factored form
 *
 *   P = sum_i p_i v_i v_i^T + p_perp (I - sum_i v_i v_i^T)
 *
 * with orthonormal v_i spanning the cluster's latents. For a 1280-d latent and a cluster of 20
 * images a full d x d matrix would be 13 MB of float64 with rank 19; this form is exact and
 * takes (r + 1) d values.
 *
 * Two estimates, recorded in the bundle:
 * - 'pinv' (the paper): Sigma = numpy.cov (ddof 1), P = Sigma^+ (Moore-Penrose, rcond 1e-10),
 *   p_perp = 0: directions the cluster never varied in do not count at all.
 * - 'ledoit-wolf' (method.md's better-conditioned default): Sigma = (1 - delta) S + delta mu_tr I
 *   with S the biased empirical covariance (1/n), mu_tr = tr(S)/d and delta Ledoit & Wolf's
 *   (2004) optimal shrinkage, computed exactly as sklearn.covariance.ledoit_wolf_shrinkage;
 *   P is its true inverse: p_i = 1 / ((1 - delta) l_i + delta mu_tr), p_perp = 1 / (delta mu_tr).
 *
 * The eigenvectors come from the smaller of the d x d scatter X^T X and the n x n Gram matrix
 * X X^T (X the centred latents): with u_i a unit eigenvector of the Gram matrix, v_i = X^T u_i / sqrt(g_i).
 */
export type CovarianceMethod = 'pinv' | 'ledoit-wolf';
export const COVARIANCE_METHODS: readonly CovarianceMethod[] = ['pinv', 'ledoit-wolf'];

export interface ClusterDistribution {
  readonly method: CovarianceMethod;
  readonly dimension: number;
  readonly sampleCount: number;
  readonly mean: Float64Array;
  /** r x d, row i = v_i */
  readonly basis: Float64Array;
  /** p_i, length r */
  readonly precisions: Float64Array;
  /** p_perp */
  readonly complementPrecision: number;
  /** Ledoit-Wolf's delta; 0 for 'pinv' */
  readonly shrinkage: number;
  /** eigenvalues of the covariance estimate on the basis (descending) */
  readonly covarianceEigenvalues: Float64Array;
}

export function estimateClusterDistribution(latents: LatentMatrix, method: CovarianceMethod, rcond: number = PSEUDO_INVERSE_RCOND): ClusterDistribution {
  const { rows: n, columns: d } = latents;
  if (n < 2) throw new RangeError(`a cluster needs at least 2 samples for a covariance, got ${n}`);
  const mean = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j] += latents.data[i * d + j];
  for (let j = 0; j < d; j++) mean[j] /= n;
  const centred = new Float64Array(n * d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) centred[i * d + j] = latents.data[i * d + j] - mean[j];

  const scatter = scatterEigen(centred, n, d);
  const kept = keptEigenvalues(scatter.values, rcond);
  if (kept.length === 0) throw new RangeError('the cluster has no spread (all its latents are identical)');
  const r = kept.length;
  const basis = new Float64Array(r * d);
  kept.forEach((i, row) => basis.set(scatter.vectors.subarray(i * d, (i + 1) * d), row * d));

  if (method === 'pinv') {
    const covarianceEigenvalues = Float64Array.from(kept, (i) => scatter.values[i] / (n - 1));
    const precisions = covarianceEigenvalues.map((l) => 1 / l);
    return { method, dimension: d, sampleCount: n, mean, basis, precisions, complementPrecision: 0, shrinkage: 0, covarianceEigenvalues };
  }
  const shrinkage = ledoitWolfShrinkage(centred, n, d, scatter.frobenius2);
  let trace = 0;
  for (let i = 0; i < n * d; i++) trace += centred[i] * centred[i];
  const isotropic = trace / n / d;
  const covarianceEigenvalues = Float64Array.from(kept, (i) => (1 - shrinkage) * (scatter.values[i] / n) + shrinkage * isotropic);
  const precisions = covarianceEigenvalues.map((l) => 1 / l);
  // with full rank the complement is empty; with delta = 0 and rank < d, Sigma is singular there
  // and the estimate falls back to the pseudo-inverse's behaviour (p_perp = 0)
  const complementVariance = shrinkage * isotropic;
  const complementPrecision = r < d && complementVariance > 0 ? 1 / complementVariance : 0;
  return { method, dimension: d, sampleCount: n, mean, basis, precisions, complementPrecision, shrinkage, covarianceEigenvalues };
}

/**
 * sklearn.covariance.ledoit_wolf_shrinkage on centred data, written with
 * sum(X2^T X2) = sum_k ||x_k||^4 and sum((X^T X)^2) = ||X^T X||_F^2 so that it costs O(n d).
 */
export function ledoitWolfShrinkage(centred: Float64Array, n: number, d: number, scatterFrobenius2: number): number {
  if (d === 1) return 0;
  let traceSum = 0; // sum of emp_cov_trace, = ||X||_F^2 / n
  let betaSum = 0;
  for (let k = 0; k < n; k++) {
    let norm2 = 0;
    for (let j = 0; j < d; j++) norm2 += centred[k * d + j] ** 2;
    traceSum += norm2;
    betaSum += norm2 * norm2;
  }
  traceSum /= n;
  const mu = traceSum / d;
  const deltaSum = scatterFrobenius2 / (n * n);
  let beta = (1 / (d * n)) * (betaSum / n - deltaSum);
  const delta = (deltaSum - 2 * mu * traceSum + d * mu * mu) / d;
  beta = Math.min(beta, delta);
  return beta === 0 ? 0 : beta / delta;
}

/** Eigenpairs of the scatter X^T X (descending; vectors of length d) and ||X^T X||_F^2. */
function scatterEigen(centred: Float64Array, n: number, d: number): { values: Float64Array; vectors: Float64Array; frobenius2: number } {
  if (d <= n) {
    const scatter = new Float64Array(d * d);
    for (let i = 0; i < n; i++) {
      for (let p = 0; p < d; p++) {
        const xp = centred[i * d + p];
        if (xp === 0) continue;
        for (let q = p; q < d; q++) scatter[p * d + q] += xp * centred[i * d + q];
      }
    }
    for (let p = 0; p < d; p++) for (let q = 0; q < p; q++) scatter[p * d + q] = scatter[q * d + p];
    const eigen = symmetricEigen(scatter, d);
    return { values: eigen.values, vectors: eigen.vectors, frobenius2: sumOfSquares(scatter) };
  }
  const gram = new Float64Array(n * n);
  for (let a = 0; a < n; a++) {
    for (let b = a; b < n; b++) {
      let dot = 0;
      for (let j = 0; j < d; j++) dot += centred[a * d + j] * centred[b * d + j];
      gram[a * n + b] = dot;
      gram[b * n + a] = dot;
    }
  }
  const eigen = symmetricEigen(gram, n);
  const vectors = new Float64Array(n * d);
  for (let i = 0; i < n; i++) {
    const g = eigen.values[i];
    if (!(g > 0)) continue; // dropped by the rcond cut anyway
    const scale = 1 / Math.sqrt(g);
    for (let k = 0; k < n; k++) {
      const u = eigen.vectors[i * n + k] * scale;
      if (u === 0) continue;
      for (let j = 0; j < d; j++) vectors[i * d + j] += u * centred[k * d + j];
    }
  }
  return { values: eigen.values, vectors, frobenius2: sumOfSquares(gram) };
}

function sumOfSquares(values: Float64Array): number {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i] * values[i];
  return sum;
}

/** The full d x d precision matrix (for tests and small latents; the bundle keeps the factors). */
export function precisionMatrix(distribution: ClusterDistribution): Float64Array {
  const { dimension: d, basis, precisions, complementPrecision } = distribution;
  const out = new Float64Array(d * d);
  for (let i = 0; i < d; i++) out[i * d + i] = complementPrecision;
  for (let r = 0; r < precisions.length; r++) {
    const w = precisions[r] - complementPrecision;
    for (let p = 0; p < d; p++) {
      const vp = basis[r * d + p] * w;
      for (let q = 0; q < d; q++) out[p * d + q] += vp * basis[r * d + q];
    }
  }
  return out;
}
