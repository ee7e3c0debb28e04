import { symmetricEigen } from './symmetric-eigen.ts';

/**
 * Moore-Penrose pseudo-inverse of a symmetric matrix through its eigendecomposition:
 *   A = V diag(l) V^T,   A^+ = V diag(l_i^+) V^T,   l_i^+ = 1 / l_i if |l_i| > rcond max|l|, else 0.
 *
 * rcond = 1e-10 (numpy.linalg.pinv uses 1e-15 on singular values): latents come out of float32
 * networks, so variance ratios below ~1e-10 are rounding, not signal, and inverting them would
 * let a direction of pure noise dominate every Mahalanobis distance. The Jacobi eigenvalues are
 * accurate to ~1e-16 ||A||, far below the cut-off.
 */
export const PSEUDO_INVERSE_RCOND = 1e-10;

/** Indices of the eigenvalues a pseudo-inverse keeps. */
export function keptEigenvalues(values: ArrayLike<number>, rcond: number = PSEUDO_INVERSE_RCOND): number[] {
  let largest = 0;
  for (let i = 0; i < values.length; i++) largest = Math.max(largest, Math.abs(values[i]));
  const kept: number[] = [];
  for (let i = 0; i < values.length; i++) if (largest > 0 && Math.abs(values[i]) > rcond * largest) kept.push(i);
  return kept;
}

export function pseudoInverseSymmetric(matrix: ArrayLike<number>, size: number, rcond: number = PSEUDO_INVERSE_RCOND): Float64Array {
  const { values, vectors } = symmetricEigen(matrix, size);
  const n = size;
  const inverse = new Float64Array(n * n);
  for (const i of keptEigenvalues(values, rcond)) {
    const w = 1 / values[i];
    for (let p = 0; p < n; p++) {
      const vp = vectors[i * n + p] * w;
      for (let q = 0; q < n; q++) inverse[p * n + q] += vp * vectors[i * n + q];
    }
  }
  return inverse;
}
