/**
 * The differentiable Mahalanobis term (main/acsr/robust/mahalanobis-loss.ts) against the float64
 * distance the purifier uses (clustering/mahalanobis.ts): values, and tfjs's gradient with respect
 * to the latent against central finite differences of the float64 distance, for singular
 * clusters (fewer samples than dimensions) estimated both ways the bundle allows: the paper's
 * pseudo-inverse and Ledoit-Wolf shrinkage (whose complement term p_perp is then non-zero).
 *
 * Tolerances, set by tfjs's float32: values within 1e-6 relative, the gradient within 1e-5 of its
 * largest component (measured on wasm: 2e-8 / 8e-8 (pinv), 5e-8 / 1e-7 (Ledoit-Wolf)). The float64
 * central differences (h = 1e-6) are accurate to ~1e-9, far below that.
 */
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { type ClusterDistribution, type CovarianceMethod, estimateClusterDistribution } from '../../main/acsr/clustering/cluster-distribution.ts';
import { latentMatrix } from '../../main/acsr/clustering/latent-matrix.ts';
import { mahalanobisDistance } from '../../main/acsr/clustering/mahalanobis.ts';
import { initTfBackend } from '../../main/acsr/models/tf-backend.ts';
import { gaussian, seededRandom } from '../../main/acsr/random/seeded-random.ts';
import { clusterPrecisionTensors } from '../../main/acsr/robust/cluster-precision-tensors.ts';
import { mahalanobisDistances, meanMahalanobisDistance } from '../../main/acsr/robust/mahalanobis-loss.ts';

const D = 16;
const SAMPLES = 10; // < D: every covariance is singular
const H = 1e-6;

before(async () => {
  await initTfBackend();
});

function randomCluster(method: CovarianceMethod, seed: number, offset: number): ClusterDistribution {
  const random = seededRandom(seed);
  // anisotropic spread, so that the precisions differ by orders of magnitude
  const rows = Array.from({ length: SAMPLES }, () => Float32Array.from({ length: D }, (_, j) => offset + gaussian(random) * (0.1 + j / 4)));
  return estimateClusterDistribution(latentMatrix(rows), method);
}

function randomLatents(count: number, seed: number): Float64Array {
  const random = seededRandom(seed);
  // float32-representable, so both sides start from the same numbers
  return Float64Array.from({ length: count * D }, () => Math.fround(0.5 + gaussian(random)));
}

for (const method of ['pinv', 'ledoit-wolf'] as const) {
  test(`${method}: MD values and d MD / d latent match the float64 distance and its central differences`, (t) => {
    const distributions = [randomCluster(method, 1, 0), randomCluster(method, 2, 1.5)];
    if (method === 'ledoit-wolf')
      assert.ok(
        distributions.every((d) => d.complementPrecision > 0),
        'the complement term is exercised',
      );
    const clusterOfRow = [0, 1, 1, 0, 1];
    const rows = clusterOfRow.length;
    const latents = randomLatents(rows, 3);
    const clusters = clusterPrecisionTensors(distributions);
    try {
      const x = tf.tensor2d(Float32Array.from(latents), [rows, D]);
      const values = mahalanobisDistances(x, clusterOfRow, clusters).dataSync();
      // gradient of sum_n MD_n: row n's block is d MD_n / d latent_n
      const gradient = tf
        .grad((input) => tf.sum(mahalanobisDistances(input as tf.Tensor2D, clusterOfRow, clusters)))(x)
        .dataSync();
      x.dispose();

      let worstValue = 0;
      let worstGradient = 0;
      let largestGradient = 0;
      for (let n = 0; n < rows; n++) {
        const distribution = distributions[clusterOfRow[n]];
        const row = latents.slice(n * D, (n + 1) * D);
        const reference = mahalanobisDistance(row, distribution);
        worstValue = Math.max(worstValue, Math.abs(values[n] - reference) / reference);
        for (let j = 0; j < D; j++) {
          const plus = Float64Array.from(row);
          const minus = Float64Array.from(row);
          plus[j] += H;
          minus[j] -= H;
          const central = (mahalanobisDistance(plus, distribution) - mahalanobisDistance(minus, distribution)) / (2 * H);
          worstGradient = Math.max(worstGradient, Math.abs(gradient[n * D + j] - central));
          largestGradient = Math.max(largestGradient, Math.abs(central));
        }
      }
      t.diagnostic(
        `worst relative value error ${worstValue.toExponential(2)}, worst gradient error ${(worstGradient / largestGradient).toExponential(2)} of the largest component`,
      );
      assert.ok(worstValue < 1e-6, `value error ${worstValue}`);
      assert.ok(worstGradient < 1e-5 * largestGradient, `gradient error ${worstGradient} (largest component ${largestGradient})`);
    } finally {
      clusters.dispose();
    }
  });
}

test('the loss term is the batch mean of the distances; a bad cluster index is refused', () => {
  const clusters = clusterPrecisionTensors([randomCluster('ledoit-wolf', 4, 0)]);
  try {
    const x = tf.tensor2d(Float32Array.from(randomLatents(3, 5)), [3, D]);
    const each = mahalanobisDistances(x, [0, 0, 0], clusters).dataSync();
    const mean = meanMahalanobisDistance(x, [0, 0, 0], clusters).dataSync()[0];
    assert.ok(Math.abs(mean - (each[0] + each[1] + each[2]) / 3) < 1e-5 * mean);
    assert.throws(() => mahalanobisDistances(x, [0, 1, 0], clusters), /cluster index 1/);
    x.dispose();
  } finally {
    clusters.dispose();
  }
});
