/**
 * The evasion score's logistic fit on constructed data whose answer is known: separable data
 * along a chosen direction (the fit must point along it and stay finite), overlapping data drawn
 * from two Gaussians (the fitted direction must match the Bayes direction), bit-for-bit
 * determinism, and the ROC helpers on hand-checkable scores.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fitLogistic, logisticProbability } from '../../main/acsr/evasion/logistic-regression.ts';
import { rocAuc, rocCurve, thresholdForFalsePositiveRate, truePositiveRateAt } from '../../main/acsr/evasion/roc.ts';
import { gaussian, seededRandom } from '../../main/acsr/random/seeded-random.ts';

/** Weights mapped back to raw feature units: w_j / scale_j. */
function rawDirection(model: { weights: number[]; scales: number[] }): number[] {
  const raw = model.weights.map((w, j) => w / model.scales[j]);
  const norm = Math.hypot(...raw);
  return raw.map((v) => v / norm);
}

test('separable data: the fit separates every point, points along the separating direction, and stays finite', () => {
  const random = seededRandom(7);
  const direction = [0.6, -0.8, 0]; // the third feature is noise
  const rows: number[][] = [];
  const labels: (0 | 1)[] = [];
  for (let i = 0; i < 200; i++) {
    const x = [4 * random() - 2, 4 * random() - 2, 4 * random() - 2];
    const margin = x[0] * direction[0] + x[1] * direction[1];
    if (Math.abs(margin) < 0.3) continue; // a clear gap: separable
    rows.push(x);
    labels.push(margin > 0 ? 1 : 0);
  }
  const model = fitLogistic(rows, labels, { l2: 0.01 });
  assert.ok(model.converged, 'Newton converged');
  assert.ok(model.weights.every(Number.isFinite));
  rows.forEach((row, i) => assert.equal(logisticProbability(model, row) > 0.5 ? 1 : 0, labels[i], `row ${i} classified`));
  const raw = rawDirection(model);
  const cosine = raw[0] * direction[0] + raw[1] * direction[1];
  assert.ok(cosine > 0.98, `cosine with the true direction ${cosine}`);
  assert.ok(Math.abs(raw[2]) < 0.15, `noise feature weight ${raw[2]}`);
});

test('overlapping Gaussians: the fitted direction matches the Bayes direction, and the fit is deterministic', () => {
  const random = seededRandom(11);
  const rows: number[][] = [];
  const labels: (0 | 1)[] = [];
  // equal covariances diag(1, 100), means differing by (1, 20): the Bayes log-odds are linear in x
  for (let i = 0; i < 4000; i++) {
    const y = i % 2 === 0 ? 1 : 0;
    rows.push([gaussian(random) + (y ? 1 : 0), 10 * (gaussian(random) + (y ? 2 : 0))]);
    labels.push(y as 0 | 1);
  }
  const model = fitLogistic(rows, labels, { l2: 1e-3 });
  // Bayes: log-odds = (mu1 - mu0)^T Sigma^-1 x + c; Sigma = diag(1, 100), mu1 - mu0 = (1, 20) -> (1, 0.2)
  const bayes = [1 / Math.hypot(1, 0.2), 0.2 / Math.hypot(1, 0.2)];
  const raw = rawDirection(model);
  assert.ok(raw[0] * bayes[0] + raw[1] * bayes[1] > 0.995, `direction ${raw}`);
  // log-odds slope along feature 1 close to 1 (the data are many, the penalty small)
  assert.ok(Math.abs(model.weights[0] / model.scales[0] - 1) < 0.15, `slope ${model.weights[0] / model.scales[0]}`);
  const again = fitLogistic(rows, labels, { l2: 1e-3 });
  assert.deepEqual(again, model);
});

test('a stronger penalty shrinks the weights; one class alone is refused', () => {
  const rows = [[0], [1], [2], [3]];
  const labels: (0 | 1)[] = [0, 0, 1, 1];
  const loose = fitLogistic(rows, labels, { l2: 0.01 });
  const tight = fitLogistic(rows, labels, { l2: 10 });
  assert.ok(Math.abs(tight.weights[0]) < Math.abs(loose.weights[0]));
  assert.throws(() => fitLogistic(rows, [1, 1, 1, 1]), /both classes/);
});

test('ROC helpers: AUC, threshold for a false-positive rate, true-positive rate there', () => {
  const clean = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95];
  const attacked = [0.35, 0.85, 0.96, 0.97];
  // pairs attacked > clean: 0.35 beats 3, 0.85 beats 8, 0.96 and 0.97 beat all 10
  assert.equal(rocAuc(clean, attacked), (3 + 8 + 10 + 10) / 40);
  assert.equal(thresholdForFalsePositiveRate(clean, 0.1), 0.9); // one of ten clean above it
  assert.equal(thresholdForFalsePositiveRate(clean, 0.05), 0.95); // none above it
  const at10 = truePositiveRateAt(clean, attacked, 0.1);
  assert.equal(at10.falsePositiveRate, 0.1);
  assert.equal(at10.truePositiveRate, 0.5);
  const curve = rocCurve(clean, attacked);
  assert.deepEqual(curve[0], { threshold: Infinity, falsePositiveRate: 0, truePositiveRate: 0 });
  assert.deepEqual(curve.at(-1), { threshold: 0.1, falsePositiveRate: 1, truePositiveRate: 1 });
  // the trapezoid area of the curve equals the pairwise AUC
  let area = 0;
  for (let i = 1; i < curve.length; i++)
    area += ((curve[i].falsePositiveRate - curve[i - 1].falsePositiveRate) * (curve[i].truePositiveRate + curve[i - 1].truePositiveRate)) / 2;
  assert.ok(Math.abs(area - rocAuc(clean, attacked)) < 1e-12);
});
