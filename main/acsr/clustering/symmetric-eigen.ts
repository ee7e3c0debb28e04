/**
 * Eigendecomposition of a real symmetric matrix by the cyclic Jacobi method (Golub & Van Loan,
 * Alg. 8.5.3): sweep over every off-diagonal pair (p, q) and apply the plane rotation J that
 * zeroes a_pq,
 *   theta = (a_qq - a_pp) / (2 a_pq),  t = sgn(theta) / (|theta| + sqrt(theta^2 + 1)),
 *   c = 1 / sqrt(t^2 + 1),  s = t c,   A <- J^T A J,  V <- V J,
 * until a sweep finds every |a_pq| below 1e-17 ||A||_F (machine precision). Jacobi is slower
 * than Householder + QR but its eigenvalues are accurate to machine precision relative to ||A||,
 * including the tiny ones that decide what a pseudo-inverse keeps; covariances here are at most
 * a few hundred rows (we decompose the smaller of the covariance and the Gram matrix).
 */
export interface SymmetricEigen {
  readonly size: number;
  /** descending */
  readonly values: Float64Array;
  /** eigenvector i is row i: vectors[i * size + j] */
  readonly vectors: Float64Array;
  readonly sweeps: number;
}

const MAX_SWEEPS = 100;
const OFF_DIAGONAL_TOLERANCE = 1e-17;

export function symmetricEigen(matrix: ArrayLike<number>, size: number): SymmetricEigen {
  const n = size;
  if (matrix.length !== n * n) throw new RangeError(`expected ${n}x${n} = ${n * n} values, got ${matrix.length}`);
  const a = Float64Array.from(matrix);
  let frobenius2 = 0;
  for (let p = 0; p < n; p++) {
    for (let q = 0; q < n; q++) {
      const value = a[p * n + q];
      if (!Number.isFinite(value)) throw new RangeError(`matrix has a non-finite value at (${p}, ${q})`);
      if (Math.abs(value - a[q * n + p]) > 1e-12 * (Math.abs(value) + Math.abs(a[q * n + p]) + 1e-300)) {
        throw new RangeError(`matrix is not symmetric at (${p}, ${q})`);
      }
      frobenius2 += value * value;
    }
  }
  const v = new Float64Array(n * n);
  for (let i = 0; i < n; i++) v[i * n + i] = 1;
  const threshold = OFF_DIAGONAL_TOLERANCE * Math.sqrt(frobenius2);
  let sweeps = 0;
  for (; sweeps < MAX_SWEEPS; sweeps++) {
    let rotated = false;
    for (let p = 0; p < n - 1; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = a[p * n + q];
        if (Math.abs(apq) <= threshold) continue;
        rotated = true;
        const theta = (a[q * n + q] - a[p * n + p]) / (2 * apq);
        const t = (theta >= 0 ? 1 : -1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          // columns p and q: A J
          const akp = a[k * n + p];
          const akq = a[k * n + q];
          a[k * n + p] = c * akp - s * akq;
          a[k * n + q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          // rows p and q: J^T (A J)
          const apk = a[p * n + k];
          const aqk = a[q * n + k];
          a[p * n + k] = c * apk - s * aqk;
          a[q * n + k] = s * apk + c * aqk;
        }
        a[p * n + q] = 0; // exact by construction; rounding would leave ~eps
        a[q * n + p] = 0;
        for (let k = 0; k < n; k++) {
          // V J, eigenvectors as columns for now
          const vkp = v[k * n + p];
          const vkq = v[k * n + q];
          v[k * n + p] = c * vkp - s * vkq;
          v[k * n + q] = s * vkp + c * vkq;
        }
      }
    }
    if (!rotated) break;
  }
  if (sweeps === MAX_SWEEPS) throw new Error(`Jacobi eigendecomposition did not converge in ${MAX_SWEEPS} sweeps`);
  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => a[j * n + j] - a[i * n + i] || i - j);
  const values = new Float64Array(n);
  const vectors = new Float64Array(n * n);
  order.forEach((column, row) => {
    values[row] = a[column * n + column];
    for (let k = 0; k < n; k++) vectors[row * n + k] = v[k * n + column];
  });
  return { size: n, values, vectors, sweeps };
}
