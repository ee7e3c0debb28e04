import { test } from 'node:test';
import assert from 'node:assert/strict';
import { estimateClusterDistribution, precisionMatrix } from '../../main/acsr/clustering/cluster-distribution.ts';
import { latentMatrix, type LatentMatrix } from '../../main/acsr/clustering/latent-matrix.ts';
import { mahalanobisDistance } from '../../main/acsr/clustering/mahalanobis.ts';
import { pseudoInverseSymmetric } from '../../main/acsr/clustering/pseudo-inverse.ts';
import { symmetricEigen } from '../../main/acsr/clustering/symmetric-eigen.ts';
import { loadFashionMnist } from '../../main/acsr/data/fashion-mnist.ts';
import { fashionMnistDir } from '../support/shared-data.ts';

// float64 linear algebra: 1e-10 relative unless stated.
const TOL = 1e-10;

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

function matmul(a: Float64Array, b: Float64Array, n: number): Float64Array {
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let k = 0; k < n; k++) for (let j = 0; j < n; j++) out[i * n + j] += a[i * n + k] * b[k * n + j];
  return out;
}

/** numpy.cov(X.T) (ddof 1), straight from the definition. */
function sampleCovariance(x: LatentMatrix): Float64Array {
  const { rows: n, columns: d, data } = x;
  const mean = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j] += data[i * d + j] / n;
  const cov = new Float64Array(d * d);
  for (let i = 0; i < n; i++)
    for (let p = 0; p < d; p++) for (let q = 0; q < d; q++) cov[p * d + q] += ((data[i * d + p] - mean[p]) * (data[i * d + q] - mean[q])) / (n - 1);
  return cov;
}

/** Real features: 7x7-block means of Fashion-MNIST images (16-d), `n` images of one class. */
async function blockFeatures(label: number, n: number): Promise<LatentMatrix> {
  const set = await loadFashionMnist(fashionMnistDir, 't10k', 2000);
  const rows: number[][] = [];
  for (let i = 0; i < set.labels.length && rows.length < n; i++) {
    if (set.labels[i] !== label) continue;
    const f: number[] = [];
    for (let by = 0; by < 4; by++)
      for (let bx = 0; bx < 4; bx++) {
        let s = 0;
        for (let y = 0; y < 7; y++) for (let x = 0; x < 7; x++) s += set.images[i].data[(by * 7 + y) * 28 + bx * 7 + x];
        f.push(s / 49);
      }
    rows.push(f);
  }
  return latentMatrix(rows);
}

test('Jacobi eigendecomposition of a real covariance: orthonormal vectors, A = V^T diag(l) V, descending', async () => {
  const x = await blockFeatures(0, 200);
  const cov = sampleCovariance(x);
  const d = x.columns;
  const { values, vectors } = symmetricEigen(cov, d);
  const rebuilt = new Float64Array(d * d);
  for (let i = 0; i < d; i++) for (let p = 0; p < d; p++) for (let q = 0; q < d; q++) rebuilt[p * d + q] += values[i] * vectors[i * d + p] * vectors[i * d + q];
  assert.ok(maxAbsDiff(rebuilt, cov) < TOL * values[0]);
  for (let i = 0; i < d; i++) {
    if (i > 0) assert.ok(values[i] <= values[i - 1]);
    for (let j = 0; j < d; j++) {
      let dot = 0;
      for (let k = 0; k < d; k++) dot += vectors[i * d + k] * vectors[j * d + k];
      assert.ok(Math.abs(dot - (i === j ? 1 : 0)) < 1e-12);
    }
  }
});

test('pseudo-inverse: hand-checkable cases and the Penrose conditions on a rank-deficient covariance', async () => {
  // [[2,1],[1,2]]^-1 = 1/3 [[2,-1],[-1,2]]
  assert.ok(maxAbsDiff(pseudoInverseSymmetric([2, 1, 1, 2], 2), [2 / 3, -1 / 3, -1 / 3, 2 / 3]) < 1e-15);
  // rank 1: [[1,1],[1,1]]^+ = 1/4 [[1,1],[1,1]]
  assert.ok(maxAbsDiff(pseudoInverseSymmetric([1, 1, 1, 1], 2), [0.25, 0.25, 0.25, 0.25]) < 1e-15);
  // diag(4, 0, 0.5)^+ = diag(0.25, 0, 2)
  assert.ok(maxAbsDiff(pseudoInverseSymmetric([4, 0, 0, 0, 0, 0, 0, 0, 0.5], 3), [0.25, 0, 0, 0, 0, 0, 0, 0, 2]) < 1e-15);
  // 8 images in 16 dimensions: rank 7
  const x = await blockFeatures(3, 8);
  const d = x.columns;
  const a = sampleCovariance(x);
  const p = pseudoInverseSymmetric(a, d);
  const scale = Math.max(...a.map(Math.abs));
  assert.ok(maxAbsDiff(matmul(matmul(a, p, d), a, d), a) < 1e-9 * scale, 'A A+ A = A');
  const pScale = Math.max(...p.map(Math.abs));
  assert.ok(maxAbsDiff(matmul(matmul(p, a, d), p, d), p) < 1e-9 * pScale, 'A+ A A+ = A+');
  const ap = matmul(a, p, d);
  for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) assert.ok(Math.abs(ap[i * d + j] - ap[j * d + i]) < 1e-9, 'A A+ symmetric');
});

test("'pinv' distribution: P equals pinv(numpy.cov), through the scatter matrix (n > d) and the Gram matrix (n < d)", async () => {
  for (const n of [60, 9]) {
    const x = await blockFeatures(5, n);
    const distribution = estimateClusterDistribution(x, 'pinv');
    const expected = pseudoInverseSymmetric(sampleCovariance(x), x.columns);
    const scale = Math.max(...expected.map(Math.abs));
    assert.ok(maxAbsDiff(precisionMatrix(distribution), expected) < 1e-8 * scale, `n = ${n}`);
    assert.equal(distribution.precisions.length, Math.min(n - 1, x.columns));
  }
});

test('Ledoit-Wolf on a hand-computed case: 4 points (+-2, 0), (0, +-1) give shrinkage 17/18', () => {
  // S = diag(2, 0.5) (1/n), mu = 1.25; sum ||x||^4 = 34, ||X^T X||_F^2 / n^2 = 68/16;
  // beta = (34/4 - 4.25) / 8 = 17/32, delta = (4.25 - 2*1.25*2.5 + 2*1.5625) / 2 = 9/16 -> 17/18
  const x = latentMatrix([
    [2, 0],
    [-2, 0],
    [0, 1],
    [0, -1],
  ]);
  const lw = estimateClusterDistribution(x, 'ledoit-wolf');
  assert.ok(Math.abs(lw.shrinkage - 17 / 18) < 1e-15);
  // Sigma = (1/18) diag(2, 0.5) + (17/18) 1.25 I = diag(23.25, 21.75) / 18
  assert.ok(maxAbsDiff(precisionMatrix(lw), [18 / 23.25, 0, 0, 18 / 21.75]) < 1e-14);
  // distance of (1, 1): sqrt(18/23.25 + 18/21.75)
  assert.ok(Math.abs(mahalanobisDistance([1, 1], lw) - Math.sqrt(18 / 23.25 + 18 / 21.75)) < 1e-14);
});

test('Ledoit-Wolf with n < d: P is the exact inverse of (1 - delta) S + delta mu I on real features', async () => {
  const x = await blockFeatures(8, 6);
  const lw = estimateClusterDistribution(x, 'ledoit-wolf');
  assert.ok(lw.shrinkage > 0 && lw.shrinkage <= 1);
  assert.ok(lw.complementPrecision > 0, 'a full-rank estimate even with 6 samples in 16 dimensions');
  const d = x.columns;
  const s = sampleCovariance(x).map((v) => (v * (x.rows - 1)) / x.rows);
  let trace = 0;
  for (let i = 0; i < d; i++) trace += s[i * d + i];
  const shrunk = s.map((v, k) => (1 - lw.shrinkage) * v + (k % (d + 1) === 0 ? (lw.shrinkage * trace) / d : 0));
  const product = matmul(shrunk, precisionMatrix(lw), d);
  const identity = new Float64Array(d * d).map((_, k) => (k % (d + 1) === 0 ? 1 : 0));
  assert.ok(maxAbsDiff(product, identity) < 1e-9);
});

test('Mahalanobis distance: zero at the mean, scales linearly, mean square over the cluster = rank (n-1)/n (pinv), affine invariant', async () => {
  const x = await blockFeatures(7, 80);
  const d = x.columns;
  const pinv = estimateClusterDistribution(x, 'pinv');
  assert.ok(mahalanobisDistance(pinv.mean, pinv) < 1e-12);
  const z = Array.from(x.data.subarray(0, d));
  const base = Array.from(pinv.mean);
  const at = (t: number) =>
    mahalanobisDistance(
      base.map((m, j) => m + t * (z[j] - m)),
      pinv,
    );
  assert.ok(Math.abs(at(-3) - 3 * at(1)) < 1e-9 * at(1));
  // sum_i z_i^T S^+ z_i = (n - 1) trace(S^+ S) = (n - 1) rank
  let sumSquares = 0;
  for (let i = 0; i < x.rows; i++) sumSquares += mahalanobisDistance(x.data.subarray(i * d, (i + 1) * d), pinv) ** 2;
  const rank = pinv.precisions.length;
  assert.ok(Math.abs(sumSquares / x.rows - (rank * (x.rows - 1)) / x.rows) < 1e-8 * rank);
  // y = A x + b with A invertible (a shear and a scale): distances unchanged
  const transform = (v: ArrayLike<number>) => Array.from(v, (value, j) => 3 * value + (j > 0 ? v[j - 1] : 0) + 0.5 * j);
  const moved = latentMatrix(Array.from({ length: x.rows }, (_, i) => transform(x.data.subarray(i * d, (i + 1) * d))));
  const movedDistribution = estimateClusterDistribution(moved, 'pinv');
  // a probe in the cluster's affine hull (the pseudo-inverse ignores what lies outside it)
  const probe = Array.from(x.data.subarray(5 * d, 6 * d), (v, j) => 1.7 * v - 0.7 * x.data[9 * d + j]);
  const before = mahalanobisDistance(probe, pinv);
  const after = mahalanobisDistance(transform(probe), movedDistribution);
  assert.ok(Math.abs(before - after) < 1e-7 * before, `${before} vs ${after}`);
});
