/**
 * The tf.LayersModel adapter on the Fashion-MNIST baseline CNN architecture (seeded weights; no
 * training needed to check gradients): its vector-Jacobian product against central finite
 * differences, its scores against model.predict, and PGD through it.
 */
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import type { ImageBatch } from '../../main/acsr/attacks/attack-types.ts';
import { attackableLayersModel } from '../../main/acsr/attacks/layers-model-classifier.ts';
import { projectedGradientDescent } from '../../main/acsr/attacks/pgd.ts';
import { crossEntropyAscent, softmaxRows } from '../../main/acsr/attacks/score-objectives.ts';
import { buildBaselineCnn, DEFAULT_BASELINE_SHAPE } from '../../main/acsr/models/baseline-cnn.ts';
import { initTfBackend } from '../../main/acsr/models/tf-backend.ts';
import { seededRandom } from '../../main/acsr/random/seeded-random.ts';

let model: tf.LayersModel;
let images: ImageBatch;

before(async () => {
  await initTfBackend();
  model = buildBaselineCnn(DEFAULT_BASELINE_SHAPE, 4);
  const random = seededRandom(2);
  images = { count: 3, height: 28, width: 28, channels: 1, data: Float32Array.from({ length: 3 * 784 }, () => random()) };
});

test('scores equal model.predict, in chunks smaller than the batch too', async () => {
  const expected = tf.tidy(() => (model.predict(tf.tensor4d(images.data, [3, 28, 28, 1])) as tf.Tensor).dataSync());
  for (const batchSize of [64, 2]) {
    const scores = await attackableLayersModel(model, { batchSize }).scores(images);
    assert.equal(scores.length, 30);
    for (let i = 0; i < 30; i++) assert.ok(Math.abs(scores[i] - expected[i]) < 1e-5, `batch size ${batchSize}, score ${i}`);
  }
});

test('the weighted gradient matches central finite differences of sum W*s (float64 sums of float32 scores)', async () => {
  const classifier = attackableLayersModel(model, { batchSize: 2 });
  // fixed weights, different per image, so a mixed-up row or image shows
  const fixed = Float32Array.from({ length: 30 }, (_, i) => Math.sin(i + 1));
  const { scores, gradient } = await classifier.scoresAndGradient(images, () => fixed);
  assert.equal(gradient.length, images.data.length);
  const objective = async (data: Float32Array) => {
    const s = await classifier.scores({ ...images, data });
    return s.reduce((sum, value, i) => sum + value * fixed[i], 0);
  };
  assert.ok(Math.abs((await objective(images.data)) - scores.reduce((sum, value, i) => sum + value * fixed[i], 0)) < 1e-4);
  // along the gradient itself, and the gradient on a fixed random half of the pixels (which a
  // wrong layout or image order would not survive); steps small enough for ReLU/max-pool kinks
  const random = seededRandom(8);
  const norm = Math.hypot(...gradient);
  const directions = {
    gradient: Float32Array.from(gradient, (g) => g / norm),
    'gradient on half the pixels': Float32Array.from(gradient, (g) => (random() < 0.5 ? g / norm : 0)),
  };
  const step = 1e-3;
  for (const [name, direction] of Object.entries(directions)) {
    const analytic = direction.reduce((sum, v, i) => sum + v * gradient[i], 0);
    const plus = Float32Array.from(images.data, (v, i) => v + step * direction[i]);
    const minus = Float32Array.from(images.data, (v, i) => v - step * direction[i]);
    const numeric = ((await objective(plus)) - (await objective(minus))) / (2 * step);
    assert.ok(Math.abs(analytic) > 1e-1, `${name}: derivative ${analytic} large enough to test`);
    assert.ok(Math.abs(numeric - analytic) < 1e-2 * Math.abs(analytic), `${name}: analytic ${analytic}, finite difference ${numeric}`);
  }
});

test('PGD through the CNN raises the cross-entropy of every image, within its L2 budget', async () => {
  const classifier = attackableLayersModel(model);
  const clean = await classifier.scores(images);
  const labels = [0, 1, 2].map((n) => Array.from(clean.subarray(n * 10, n * 10 + 10)).reduce((best, v, k, row) => (v > row[best] ? k : best), 0));
  const loss = (scores: Float32Array) => {
    const p = softmaxRows(scores, 10);
    return labels.map((label, n) => -Math.log(p[n * 10 + label]));
  };
  const { adversarial, records } = await projectedGradientDescent('l2', { epsilon: 0.04, steps: 5 }, { classifier, images, labels, seed: 3 });
  const before = loss(clean);
  const after = loss(await classifier.scores(adversarial));
  for (let n = 0; n < 3; n++) {
    assert.ok(after[n] > before[n] + 1e-3, `image ${n}: CE ${before[n]} -> ${after[n]}`);
    assert.ok(records[n].l2PerPixel <= 0.04 + 1e-6);
  }
  // the weights a CE attack uses are softmax - onehot, so they sum to zero per image
  const w = crossEntropyAscent(10, labels)(clean);
  for (let n = 0; n < 3; n++) assert.ok(Math.abs(w.subarray(n * 10, n * 10 + 10).reduce((a, b) => a + b, 0)) < 1e-6);
});

test('images of the wrong size are refused with the sizes in the message', async () => {
  const classifier = attackableLayersModel(model);
  await assert.rejects(classifier.scores({ count: 1, height: 27, width: 28, channels: 1, data: new Float32Array(27 * 28) }), /27 x 28 x 1/);
});

test('chunked and whole-batch gradients agree for score-dependent weights (each image keeps its own label)', async () => {
  const labels = [3, 7, 1];
  const ascent = crossEntropyAscent(10, labels);
  const whole = await attackableLayersModel(model, { batchSize: 64 }).scoresAndGradient(images, ascent);
  const chunked = await attackableLayersModel(model, { batchSize: 2 }).scoresAndGradient(images, ascent);
  const scale = Math.max(...whole.gradient.map(Math.abs));
  assert.ok(scale > 0);
  for (let i = 0; i < whole.gradient.length; i++) assert.ok(Math.abs(whole.gradient[i] - chunked.gradient[i]) < 1e-5 * scale, `value ${i}`);
  for (let i = 0; i < 30; i++) assert.ok(Math.abs(whole.scores[i] - chunked.scores[i]) < 1e-5);
});
