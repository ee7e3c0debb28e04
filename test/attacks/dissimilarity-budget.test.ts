/**
 * The paper's budgets, ||x' - x||_2 / ||x||_2: sign FGSM sized so that the dissimilarity equals the
 * budget before clipping, BIM's sign steps projected into the budget's ball, and DeepFool / CW
 * counted only below the cutoff (else the clean image). Closed forms on hand-written linear models,
 * then the real Fashion-MNIST baseline CNN on real test images.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseAttackSpec } from '../../main/acsr/attacks/attack-spec.ts';
import type { ImageBatch } from '../../main/acsr/attacks/attack-types.ts';
import { bimAttack } from '../../main/acsr/attacks/bim.ts';
import { fgsmAttack } from '../../main/acsr/attacks/fgsm.ts';
import { linearClassifier } from '../../main/acsr/attacks/linear-classifier.ts';
import { iterativeSettings } from '../../main/acsr/attacks/pgd.ts';
import { attackableImageModel } from '../../main/acsr/attacks/tf-image-model-classifier.ts';
import { loadFashionMnist } from '../../main/acsr/data/fashion-mnist.ts';
import { batchFromImages } from '../../main/acsr/evaluation/image-batch.ts';
import { loadTfImageModel } from '../../main/acsr/models/tf-image-model.ts';
import { seededRandom } from '../../main/acsr/random/seeded-random.ts';
import { fashionMnistDir } from '../support/shared-data.ts';

const D = 9;
const w0 = [0.5, -0.2, 0.3, 0.1, -0.4, 0.2, 0.0, 0.6, -0.1];
const w1 = [-0.3, 0.4, 0.1, 0.5, -0.1, -0.3, 0.7, 0.2, 0.2];
const twoClass = linearClassifier({ weights: [...w0, ...w1], bias: [0.3, 0] });
const direction = w1.map((v, i) => v - w0[i]);
const interior = [0.5, 0.45, 0.55, 0.6, 0.4, 0.5, 0.52, 0.48, 0.5];
const interiorNorm = Math.hypot(...interior);
const margin = (image: ArrayLike<number>) => direction.reduce((m, v, i) => m + v * image[i], -0.3);
const batchOf = (...images: number[][]): ImageBatch => ({ count: images.length, height: 3, width: 3, channels: 1, data: Float32Array.from(images.flat()) });
const dissimilarity = (a: ArrayLike<number>, x: ArrayLike<number>) => Math.hypot(...Array.from(x, (v, i) => a[i] - v)) / Math.hypot(...Array.from(x));

test('FGSM-dis: x + eps * ||x||_2 / sqrt(d) * sign(w_1 - w_0), so ||delta||_2 / ||x||_2 = eps exactly', async () => {
  for (const eps of [0.04, 0.08]) {
    const { adversarial, records } = await parseAttackSpec(`fgsm-dis:${eps}`).run({ classifier: twoClass, images: batchOf(interior), labels: [0] });
    const size = (eps * interiorNorm) / Math.sqrt(D);
    for (let i = 0; i < D; i++) assert.ok(Math.abs(adversarial.data[i] - (interior[i] + size * Math.sign(direction[i]))) < 1e-6, `eps ${eps} pixel ${i}`);
    assert.ok(Math.abs(records[0].dissimilarity - eps) < 1e-5, `dissimilarity ${records[0].dissimilarity}`);
    assert.ok(Math.abs(records[0].linf255 - size * 255) < 1e-3);
  }
});

test('FGSM-dis flips the linear model exactly when eps * ||x|| / sqrt(d) * ||w_1 - w_0||_1 exceeds the margin', async () => {
  const l1 = direction.reduce((s, v) => s + Math.abs(v), 0);
  const needed = (Math.abs(margin(interior)) * Math.sqrt(D)) / (interiorNorm * l1);
  const run = (eps: number) => fgsmAttack('dissimilarity', eps).run({ classifier: twoClass, images: batchOf(interior), labels: [0] });
  const [big, small] = [await run(needed * 1.05), await run(needed * 0.95)];
  assert.deepEqual([big.records[0].success, small.records[0].success], [true, false]);
});

test('FGSM-dis: where the gradient vanishes the pixel stays, and the others grow so the size is still eps', async () => {
  // pixel 4 has w_0 = w_1: its gradient is exactly 0
  const a = [0.5, -0.2, 0.3, 0.1, 0.25, 0.2, 0.0, 0.6, -0.1];
  const b = [-0.3, 0.4, 0.1, 0.5, 0.25, -0.3, 0.7, 0.2, 0.2];
  const classifier = linearClassifier({ weights: [...a, ...b], bias: [0.3, 0] });
  const { adversarial, records } = await fgsmAttack('dissimilarity', 0.05).run({ classifier, images: batchOf(interior), labels: [0] });
  assert.equal(adversarial.data[4], Math.fround(interior[4]));
  const size = (0.05 * interiorNorm) / Math.sqrt(D - 1);
  for (const i of [0, 1, 2, 3, 5, 6, 7, 8]) assert.ok(Math.abs(Math.abs(adversarial.data[i] - interior[i]) - size) < 1e-6, `pixel ${i}`);
  assert.ok(Math.abs(records[0].dissimilarity - 0.05) < 1e-5);
});

test('BIM-dis walks sign(w_1 - w_0) by alpha * ||x|| per step and stops on the sphere of radius eps * ||x||', async () => {
  const eps = 0.04;
  for (const steps of [1, 3, 10]) {
    const { adversarial, records } = await bimAttack('dissimilarity', { epsilon: eps, steps, stepSize: 0.01 }).run({
      classifier: twoClass,
      images: batchOf(interior),
      labels: [0],
    });
    const travelled = (Math.min(steps * 0.01, eps) * interiorNorm) / Math.sqrt(D);
    for (let i = 0; i < D; i++)
      assert.ok(Math.abs(adversarial.data[i] - (interior[i] + travelled * Math.sign(direction[i]))) < 1e-6, `steps ${steps} pixel ${i}`);
    assert.ok(records[0].dissimilarity <= eps + 1e-6);
  }
});

test("BIM-dis defaults: the paper's 100 steps of 2.5 * eps / 100", () => {
  const settings = iterativeSettings('dissimilarity', { epsilon: 0.04 }, false);
  assert.deepEqual([settings.steps, settings.stepSize, settings.randomStart], [100, 0.001, false]);
  assert.equal(Math.abs(iterativeSettings('dissimilarity', { epsilon: 0.04, steps: 20 }, false).stepSize - 0.005) < 1e-15, true);
  // the per-pixel and Linf defaults are unchanged
  assert.deepEqual([iterativeSettings('l2', { epsilon: 0.04 }, false).steps, iterativeSettings('linf', { epsilon: 0.04 }, false).stepSize], [10, 0.01]);
});

test('BIM-dis and PGD-dis never leave the ball, on random 4-class problems with saturated pixels', async () => {
  const random = seededRandom(11);
  const d = 8 * 8 * 3;
  const classifier = linearClassifier({ weights: Array.from({ length: 4 * d }, () => random() - 0.5), bias: Array.from({ length: 4 }, () => random() - 0.5) });
  const data = Float32Array.from({ length: 5 * d }, () => {
    const u = random();
    return u < 0.3 ? 0 : u > 0.9 ? 1 : random();
  });
  const images: ImageBatch = { count: 5, height: 8, width: 8, channels: 3, data };
  const scores = await classifier.scores(images);
  const labels = [0, 1, 2, 3, 4].map((n) => [0, 1, 2, 3].reduce((b, k) => (scores[n * 4 + k] > scores[n * 4 + b] ? k : b), 0));
  for (const spec of ['bim-dis:0.04', 'bim-dis:0.02:steps=30:alpha=0.01', 'pgd-dis:0.04:steps=20']) {
    const { adversarial, records } = await parseAttackSpec(spec).run({ classifier, images, labels, seed: 5 });
    const epsilon = parseAttackSpec(spec).budget!.epsilon;
    records.forEach((record, n) => {
      const own = dissimilarity(adversarial.data.subarray(n * d, (n + 1) * d), data.subarray(n * d, (n + 1) * d));
      assert.ok(Math.abs(own - record.dissimilarity) < 1e-9, `${spec} image ${n}: record ${record.dissimilarity}, recomputed ${own}`);
      assert.ok(record.dissimilarity <= epsilon + 1e-6, `${spec} image ${n}: ${record.dissimilarity}`);
      assert.ok(record.dissimilarity > epsilon * 0.5, `${spec} image ${n} barely moved: ${record.dissimilarity}`);
    });
    for (const value of adversarial.data) assert.ok(value >= 0 && value <= 1);
  }
});

test('DeepFool-dis: the 2-class closed-form step counts below the cutoff; at or above it the clean image is returned, a failure', async () => {
  const w = direction;
  const f = margin(interior);
  const needed = (1.02 * Math.abs(f)) / Math.hypot(...w) / interiorNorm; // DeepFool's dissimilarity
  const above = await parseAttackSpec(`deepfool-dis:${needed * 1.01}`).run({ classifier: twoClass, images: batchOf(interior), labels: [0] });
  assert.deepEqual([above.records[0].success, above.records[0].adversarialLabel, above.records[0].rejectedDissimilarity], [true, 1, undefined]);
  assert.ok(Math.abs(above.records[0].dissimilarity - needed) < 1e-5);
  const below = await parseAttackSpec(`deepfool-dis:${needed * 0.99}`).run({ classifier: twoClass, images: batchOf(interior), labels: [0] });
  assert.deepEqual([below.records[0].success, below.records[0].adversarialLabel, below.records[0].dissimilarity], [false, 0, 0]);
  assert.ok(Math.abs(below.records[0].rejectedDissimilarity! - needed) < 1e-5);
  assert.deepEqual(Array.from(below.adversarial.data), Array.from(Float32Array.from(interior)));
  assert.equal(below.records[0].iterations, 1);
});

test('CW-dis: an example found at a dissimilarity equal to the cutoff is rejected (strictly below counts)', async () => {
  const free = await parseAttackSpec('cw:steps=200:binary=4').run({ classifier: twoClass, images: batchOf(interior), labels: [0] });
  assert.ok(free.records[0].success);
  const found = free.records[0].dissimilarity;
  const at = await parseAttackSpec(`cw-dis:${found}:steps=200:binary=4`).run({ classifier: twoClass, images: batchOf(interior), labels: [0] });
  assert.deepEqual([at.records[0].success, at.records[0].dissimilarity, at.records[0].rejectedDissimilarity], [false, 0, found]);
  const over = await parseAttackSpec(`cw-dis:${found * 1.001}:steps=200:binary=4`).run({ classifier: twoClass, images: batchOf(interior), labels: [0] });
  assert.deepEqual([over.records[0].success, over.records[0].dissimilarity], [true, found]);
});

test('on the real Fashion-MNIST CNN: FGSM-dis moves every unclipped pixel by eps * ||x|| / sqrt(m) and stays within eps; BIM-dis within eps', async () => {
  const set = await loadFashionMnist(fashionMnistDir, 't10k', 8);
  const model = await loadTfImageModel('fmnist-baseline-cnn-b25dc5da0ce9');
  try {
    const classifier = attackableImageModel(model);
    const images = batchFromImages(set.images);
    const labels = [...set.labels];
    const d = 784;
    for (const eps of [0.04, 0.08]) {
      const { adversarial, records } = await fgsmAttack('dissimilarity', eps).run({ classifier, images, labels });
      records.forEach((record, n) => {
        const x = images.data.subarray(n * d, (n + 1) * d);
        const a = adversarial.data.subarray(n * d, (n + 1) * d);
        const moved = Array.from(x, (v, i) => Math.abs(a[i] - v)).filter((delta) => delta > 0);
        const step = Math.max(...moved);
        // every pixel the clip did not stop moved by the one step size; the step is eps * ||x|| / sqrt(m), m <= d
        const unclipped = Array.from(x, (_, i) => i).filter((i) => a[i] > 0 && a[i] < 1 && a[i] !== x[i]);
        for (const i of unclipped) assert.ok(Math.abs(Math.abs(a[i] - x[i]) - step) < 1e-6, `image ${n} pixel ${i}`);
        const xNorm = Math.hypot(...x);
        assert.ok(step >= (eps * xNorm) / Math.sqrt(d) - 1e-6, `image ${n}: step ${step}`);
        assert.ok(record.dissimilarity <= eps + 1e-6 && record.dissimilarity > eps / 3, `image ${n}: ${record.dissimilarity}`);
      });
    }
    // 32 images: at the paper's 0.04 the CNN is fooled on about a third of them
    const more = await loadFashionMnist(fashionMnistDir, 't10k', 32);
    const bim = await parseAttackSpec('bim-dis:0.04:steps=10').run({ classifier, images: batchFromImages(more.images), labels: [...more.labels] });
    for (const record of bim.records) assert.ok(record.dissimilarity <= 0.04 + 1e-6, `${record.dissimilarity}`);
    const fooled = bim.records.filter((r, n) => r.success && r.adversarialLabel !== more.labels[n]).length;
    assert.ok(fooled >= 1, 'BIM-dis fools the CNN on some image');
  } finally {
    model.dispose();
  }
});
