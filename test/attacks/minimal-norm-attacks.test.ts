/**
 * DeepFool and Carlini-Wagner L2 on linear classifiers, where the minimal L2 perturbation is known
 * in closed form: for 2 classes, x* = x + |f| / ||w||^2 * w with f = s_1 - s_0, w = w_1 - w_0,
 * at distance |f| / ||w||.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ImageBatch } from '../../main/acsr/attacks/attack-types.ts';
import { carliniWagnerAttack } from '../../main/acsr/attacks/carlini-wagner.ts';
import { deepFoolAttack } from '../../main/acsr/attacks/deepfool.ts';
import { linearClassifier } from '../../main/acsr/attacks/linear-classifier.ts';
import { seededRandom } from '../../main/acsr/random/seeded-random.ts';
import { CancelledError } from '../../main/progress/progress.ts';

const D = 9;
const w0 = [0.5, -0.2, 0.3, 0.1, -0.4, 0.2, 0.0, 0.6, -0.1];
const w1 = [-0.3, 0.4, 0.1, 0.5, -0.1, -0.3, 0.7, 0.2, 0.2];
const twoClass = linearClassifier({ weights: [...w0, ...w1], bias: [0.3, 0] });
const w = w1.map((v, i) => v - w0[i]);
const wNorm = Math.hypot(...w);
const interior = [0.5, 0.45, 0.55, 0.6, 0.4, 0.5, 0.52, 0.48, 0.5];
const f = w.reduce((sum, v, i) => sum + v * interior[i], -0.3);
const minimalL2 = Math.abs(f) / wNorm;

function batchOf(...images: number[][]): ImageBatch {
  return { count: images.length, height: 3, width: 3, channels: 1, data: Float32Array.from(images.flat()) };
}

test('DeepFool on a 2-class linear model: one step, (1 + overshoot) * |f| / ||w|| along w', async () => {
  assert.ok(f < 0 && minimalL2 * 1.02 < 0.4, 'the step stays inside [0, 1]');
  const { adversarial, records } = await deepFoolAttack().run({ classifier: twoClass, images: batchOf(interior), labels: [0] });
  const scale = (1.02 * Math.abs(f)) / wNorm ** 2;
  for (let i = 0; i < D; i++) assert.ok(Math.abs(adversarial.data[i] - (interior[i] + scale * w[i])) < 1e-6, `pixel ${i}`);
  assert.ok(Math.abs(records[0].l2PerPixel * Math.sqrt(D) - 1.02 * minimalL2) < 1e-6);
  assert.deepEqual([records[0].success, records[0].adversarialLabel, records[0].iterations], [true, 1, 1]);
});

test('DeepFool without overshoot stops on the boundary itself, not past it', async () => {
  const { adversarial, records } = await deepFoolAttack({ overshoot: 0 }).run({ classifier: twoClass, images: batchOf(interior), labels: [0] });
  const margin = w.reduce((sum, v, i) => sum + v * adversarial.data[i], -0.3);
  assert.ok(Math.abs(margin) < 1e-6, `margin ${margin}`);
  assert.ok(Math.abs(records[0].l2PerPixel * 3 - minimalL2) < 1e-6);
});

/** A 5-class linear model on 4 x 4 x 3 images and three random images. */
function multiClass(seed: number) {
  const random = seededRandom(seed);
  const d = 48;
  const weights = Array.from({ length: 5 * d }, () => random() - 0.5);
  const bias = Array.from({ length: 5 }, () => random() - 0.5);
  const images: ImageBatch = { count: 3, height: 4, width: 4, channels: 3, data: Float32Array.from({ length: 3 * d }, () => 0.3 + 0.4 * random()) };
  return { classifier: linearClassifier({ weights, bias }), weights, bias, images, d };
}

/** Minimal L2 distance from x to the half-space where class k beats class y, for a linear model. */
function distanceToClass(weights: number[], bias: number[], d: number, x: ArrayLike<number>, y: number, k: number): number {
  let f = bias[k] - bias[y];
  let norm = 0;
  for (let i = 0; i < d; i++) {
    const diff = weights[k * d + i] - weights[y * d + i];
    f += diff * x[i];
    norm += diff * diff;
  }
  return Math.abs(f) / Math.sqrt(norm);
}

test('DeepFool on a 5-class linear model steps to the nearest other class, (1 + overshoot) times its distance', async (t) => {
  const { classifier, weights, bias, images, d } = multiClass(4);
  const clean = await classifier.scores(images);
  const labels = [0, 1, 2].map((n) => [0, 1, 2, 3, 4].reduce((b, k) => (clean[n * 5 + k] > clean[n * 5 + b] ? k : b), 0));
  const { records } = await deepFoolAttack().run({ classifier, images, labels });
  t.diagnostic(`iterations ${records.map((r) => r.iterations)}`);
  assert.ok(
    records.some((record) => record.iterations === 1),
    'the one-step closed form is checked on at least one image',
  );
  records.forEach((record, n) => {
    const x = images.data.subarray(n * d, (n + 1) * d);
    const nearest = Math.min(...[0, 1, 2, 3, 4].filter((k) => k !== labels[n]).map((k) => distanceToClass(weights, bias, d, x, labels[n], k)));
    assert.ok(record.success);
    // a linear model's boundaries are exact after one step unless the nearest boundary is
    // crowded by another class's; the step is never shorter than the true minimum
    assert.ok(record.l2PerPixel * Math.sqrt(d) >= nearest * (1 - 1e-5), `image ${n}`);
    if (record.iterations === 1) assert.ok(Math.abs(record.l2PerPixel * Math.sqrt(d) - 1.02 * nearest) < 1e-5, `image ${n}`);
  });
});

test('targeted DeepFool reaches the target class', async () => {
  const { classifier, images } = multiClass(6);
  const clean = await classifier.scores(images);
  const labels = [0, 1, 2].map((n) => [0, 1, 2, 3, 4].reduce((b, k) => (clean[n * 5 + k] > clean[n * 5 + b] ? k : b), 0));
  const targets = labels.map((label) => (label + 1) % 5);
  const { records } = await deepFoolAttack().run({ classifier, images, labels, targets });
  records.forEach((record, n) => assert.deepEqual([record.success, record.adversarialLabel], [true, targets[n]]));
});

test('CW-L2 on a 2-class linear model finds nearly the minimal L2 perturbation (within 2%), never below it', async (t) => {
  const attack = carliniWagnerAttack({ steps: 1000 });
  const { records, adversarial } = await attack.run({ classifier: twoClass, images: batchOf(interior), labels: [0] });
  const l2 = records[0].l2PerPixel * Math.sqrt(D);
  t.diagnostic(`CW ${l2}, minimum ${minimalL2}, ratio ${l2 / minimalL2}`);
  assert.ok(records[0].success);
  assert.ok(l2 >= minimalL2 * (1 - 1e-6), `CW ${l2} below the minimum ${minimalL2}`);
  assert.ok(l2 <= minimalL2 * 1.02, `CW ${l2}, minimum ${minimalL2}`);
  // and in the minimal direction: the perturbation is (nearly) parallel to w
  const delta = Array.from(adversarial.data, (v, i) => v - interior[i]);
  const cosine = delta.reduce((s, v, i) => s + v * w[i], 0) / (Math.hypot(...delta) * wNorm);
  assert.ok(cosine > 0.99, `cosine ${cosine}`);
});

test('CW-L2 targeted, 5 classes: reaches the target, never closer than the distance to its half-space', async () => {
  const { classifier, weights, bias, images, d } = multiClass(6);
  const clean = await classifier.scores(images);
  const labels = [0, 1, 2].map((n) => [0, 1, 2, 3, 4].reduce((b, k) => (clean[n * 5 + k] > clean[n * 5 + b] ? k : b), 0));
  const targets = labels.map((label) => (label + 1) % 5);
  const { records } = await carliniWagnerAttack({ steps: 300 }).run({ classifier, images, labels, targets });
  records.forEach((record, n) => {
    assert.deepEqual([record.success, record.adversarialLabel], [true, targets[n]], `image ${n}`);
    // the target's half-space is also bounded by the other classes', so its distance is only a lower bound
    const lowerBound = distanceToClass(weights, bias, d, images.data.subarray(n * d, (n + 1) * d), labels[n], targets[n]);
    assert.ok(record.l2PerPixel * Math.sqrt(d) >= lowerBound * (1 - 1e-6));
  });
});

test('CW with too few steps to succeed returns the image unchanged and says so', async () => {
  const { records, adversarial } = await carliniWagnerAttack({ steps: 2, binarySteps: 1 }).run({
    classifier: twoClass,
    images: batchOf(interior),
    labels: [0],
  });
  assert.deepEqual([records[0].success, records[0].l2PerPixel, records[0].adversarialLabel], [false, 0, 0]);
  assert.deepEqual(Array.from(adversarial.data), Array.from(Float32Array.from(interior)));
});

test('DeepFool and CW stop with CancelledError when the signal aborts', async () => {
  for (const attack of [deepFoolAttack(), carliniWagnerAttack()]) {
    const controller = new AbortController();
    controller.abort();
    await assert.rejects(attack.run({ classifier: twoClass, images: batchOf(interior), labels: [0], signal: controller.signal }), CancelledError);
  }
});
