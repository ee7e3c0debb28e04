/**
 * FGSM, BIM and PGD on hand-written linear classifiers s = W x + b, where the cross-entropy
 * gradient of a 2-class model is p_other * (w_other - w_y): its sign and direction are known in
 * closed form, so every step can be checked exactly.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ImageBatch } from '../../main/acsr/attacks/attack-types.ts';
import { bimAttack } from '../../main/acsr/attacks/bim.ts';
import { fgsmAttack } from '../../main/acsr/attacks/fgsm.ts';
import { linearClassifier } from '../../main/acsr/attacks/linear-classifier.ts';
import { pgdAttack, projectedGradientDescent } from '../../main/acsr/attacks/pgd.ts';
import { CancelledError } from '../../main/progress/progress.ts';
import { seededRandom } from '../../main/acsr/random/seeded-random.ts';

const H = 3,
  W = 3,
  C = 1 as const;
const D = H * W * C;

/** w0 and w1 differ on every pixel, with both signs, so sign(w1 - w0) is a real pattern. */
const w0 = [0.5, -0.2, 0.3, 0.1, -0.4, 0.2, 0.0, 0.6, -0.1];
const w1 = [-0.3, 0.4, 0.1, 0.5, -0.1, -0.3, 0.7, 0.2, 0.2];
const twoClass = linearClassifier({ weights: [...w0, ...w1], bias: [0.3, 0] });
const direction = w1.map((v, i) => v - w0[i]);
const directionNorm = Math.hypot(...direction);

function batchOf(...images: number[][]): ImageBatch {
  return { count: images.length, height: H, width: W, channels: C, data: Float32Array.from(images.flat()) };
}

/** mid-grey with a little structure, far enough from 0 and 1 that small steps are not clipped */
const interior = [0.5, 0.45, 0.55, 0.6, 0.4, 0.5, 0.52, 0.48, 0.5];

function margin(image: ArrayLike<number>): number {
  let m = -0.3; // b1 - b0
  for (let i = 0; i < D; i++) m += direction[i] * image[i];
  return m;
}

test('the test model classifies the interior image as class 0', async () => {
  assert.ok(margin(interior) < 0);
  const scores = await twoClass.scores(batchOf(interior));
  assert.ok(scores[0] > scores[1]);
});

test('FGSM Linf: x + eps * sign(w_1 - w_0), exactly', async () => {
  const eps = 0.03;
  const { adversarial, records } = await fgsmAttack('linf', eps).run({ classifier: twoClass, images: batchOf(interior), labels: [0] });
  for (let i = 0; i < D; i++) {
    assert.ok(Math.abs(adversarial.data[i] - (interior[i] + eps * Math.sign(direction[i]))) < 1e-6, `pixel ${i}`);
  }
  assert.ok(Math.abs(records[0].linf255 - eps * 255) < 1e-4);
  assert.equal(records[0].iterations, 1);
});

test('FGSM L2: a step of eps * sqrt(d) along (w_1 - w_0) / ||w_1 - w_0||; record and success follow the margin', async () => {
  const eps = 0.04;
  const { adversarial, records } = await fgsmAttack('l2', eps).run({ classifier: twoClass, images: batchOf(interior), labels: [0] });
  const step = eps * Math.sqrt(D);
  for (let i = 0; i < D; i++) {
    assert.ok(Math.abs(adversarial.data[i] - (interior[i] + (step * direction[i]) / directionNorm)) < 1e-6, `pixel ${i}`);
  }
  assert.ok(Math.abs(records[0].l2PerPixel - eps) < 1e-6, `l2 per pixel ${records[0].l2PerPixel}`);
  const flipped = margin(adversarial.data) > 0;
  assert.equal(records[0].success, flipped);
  assert.equal(records[0].adversarialLabel, flipped ? 1 : 0);
  // the clean margin is |m| / ||w1 - w0|| away in L2: a larger per-pixel budget must flip it
  const needed = Math.abs(margin(interior)) / directionNorm / Math.sqrt(D);
  const big = await fgsmAttack('l2', needed * 1.05).run({ classifier: twoClass, images: batchOf(interior), labels: [0] });
  const small = await fgsmAttack('l2', needed * 0.95).run({ classifier: twoClass, images: batchOf(interior), labels: [0] });
  assert.deepEqual([big.records[0].success, small.records[0].success], [true, false]);
});

test('BIM Linf walks sign(w_1 - w_0) by alpha per step and stops at the ball: min(steps * alpha, eps)', async () => {
  const eps = 0.05;
  for (const steps of [1, 3, 10]) {
    const { adversarial } = await bimAttack('linf', { epsilon: eps, steps, stepSize: 0.01 }).run({
      classifier: twoClass,
      images: batchOf(interior),
      labels: [0],
    });
    const travelled = Math.min(steps * 0.01, eps);
    for (let i = 0; i < D; i++)
      assert.ok(Math.abs(adversarial.data[i] - (interior[i] + travelled * Math.sign(direction[i]))) < 1e-6, `steps ${steps} pixel ${i}`);
  }
});

test('BIM L2 walks (w_1 - w_0) / ||w_1 - w_0|| by alpha * sqrt(d) per step and stops at the sphere of radius eps * sqrt(d)', async () => {
  const eps = 0.04;
  for (const steps of [1, 2, 10]) {
    const { adversarial, records } = await bimAttack('l2', { epsilon: eps, steps, stepSize: 0.015 }).run({
      classifier: twoClass,
      images: batchOf(interior),
      labels: [0],
    });
    const travelled = Math.min(steps * 0.015, eps) * Math.sqrt(D);
    for (let i = 0; i < D; i++)
      assert.ok(Math.abs(adversarial.data[i] - (interior[i] + (travelled * direction[i]) / directionNorm)) < 1e-6, `steps ${steps} pixel ${i}`);
    assert.ok(records[0].l2PerPixel <= eps + 1e-6);
  }
});

test('clipping to [0, 1]: pixels at 0 and 1 stay inside whatever the gradient says', async () => {
  const edge = [0, 1, 0, 1, 0, 1, 0, 1, 0];
  const { adversarial } = await fgsmAttack('linf', 0.2).run({ classifier: twoClass, images: batchOf(edge), labels: [0] });
  for (let i = 0; i < D; i++) {
    const expected = Math.min(1, Math.max(0, edge[i] + 0.2 * Math.sign(direction[i])));
    assert.equal(adversarial.data[i], Math.fround(expected));
  }
});

/** A 4-class model on 8 x 8 x 3 images with random weights, and random images including saturated pixels. */
function randomProblem(seed: number) {
  const random = seededRandom(seed);
  const d = 8 * 8 * 3;
  const classifier = linearClassifier({
    weights: Array.from({ length: 4 * d }, () => random() - 0.5),
    bias: Array.from({ length: 4 }, () => random() - 0.5),
  });
  const count = 4;
  const data = Float32Array.from({ length: count * d }, () => {
    const u = random();
    return u < 0.1 ? 0 : u > 0.9 ? 1 : random();
  });
  const images: ImageBatch = { count, height: 8, width: 8, channels: 3, data };
  return { classifier, images, d };
}

test('PGD stays within its ball (to 1e-6) and in [0, 1], Linf and L2, from any seed', async () => {
  const { classifier, images, d } = randomProblem(3);
  const labels = Array.from(await classifier.scores(images)).reduce<number[]>((acc, _, i, all) => {
    if (i % 4 === 0) acc.push([0, 1, 2, 3].reduce((best, k) => (all[i + k] > all[i + best] ? k : best), 0));
    return acc;
  }, []);
  for (const [norm, eps] of [
    ['linf', 0.03],
    ['l2', 0.04],
    ['l2', 0.5],
  ] as const) {
    for (const seed of [0, 1]) {
      const { adversarial, records } = await projectedGradientDescent(
        norm,
        { epsilon: eps, steps: 7, stepSize: eps / 2 },
        { classifier, images, labels, seed },
      );
      for (const value of adversarial.data) assert.ok(value >= 0 && value <= 1);
      for (let n = 0; n < images.count; n++) {
        let sum = 0,
          max = 0;
        for (let i = n * d; i < (n + 1) * d; i++) {
          const delta = adversarial.data[i] - images.data[i];
          sum += delta * delta;
          max = Math.max(max, Math.abs(delta));
        }
        if (norm === 'linf') assert.ok(max <= eps + 1e-6, `${norm} ${eps}: Linf ${max}`);
        else assert.ok(Math.sqrt(sum / d) <= eps + 1e-6, `${norm} ${eps}: l2 per pixel ${Math.sqrt(sum / d)}`);
        assert.ok(Math.abs(records[n].l2PerPixel - Math.sqrt(sum / d)) < 1e-9);
        assert.ok(Math.abs(records[n].linf255 - 255 * max) < 1e-6);
      }
      // a budget this large on a random linear model leaves no image on its class
      if (eps === 0.5)
        assert.ok(
          records.every((record) => record.success),
          JSON.stringify(records),
        );
    }
  }
});

test('PGD random starts are seeded: same seed, same result; another seed, another one', async () => {
  const { classifier, images } = randomProblem(5);
  const run = (seed: number) => projectedGradientDescent('l2', { epsilon: 0.04, steps: 2 }, { classifier, images, labels: [0, 1, 2, 3], seed });
  const [a, b, c] = [await run(11), await run(11), await run(12)];
  assert.deepEqual(a.adversarial.data, b.adversarial.data);
  assert.notDeepEqual(a.adversarial.data, c.adversarial.data);
});

test('targeted PGD reaches the target class, and only the target counts as success', async () => {
  const { classifier, images } = randomProblem(7);
  const clean = await classifier.scores(images);
  const labels = [0, 1, 2, 3].map((n) => [0, 1, 2, 3].reduce((best, k) => (clean[n * 4 + k] > clean[n * 4 + best] ? k : best), 0));
  const targets = labels.map((label) => (label + 2) % 4);
  const attack = pgdAttack('linf', { epsilon: 0.2, steps: 20, stepSize: 0.02 });
  const { adversarial, records } = await attack.run({ classifier, images, labels, targets, seed: 1 });
  const scores = await classifier.scores(adversarial);
  records.forEach((record, n) => {
    const predicted = [0, 1, 2, 3].reduce((best, k) => (scores[n * 4 + k] > scores[n * 4 + best] ? k : best), 0);
    assert.equal(record.adversarialLabel, predicted);
    assert.equal(record.success, predicted === targets[n]);
    assert.ok(record.success, `image ${n}: got ${predicted}, target ${targets[n]}`);
  });
  assert.equal(attack.name, 'pgd-linf:0.2:steps=20:alpha=0.02');
});

test('cancellation: an aborted signal stops PGD between steps with CancelledError', async () => {
  const { classifier, images } = randomProblem(9);
  const controller = new AbortController();
  const fractions: number[] = [];
  const run = projectedGradientDescent(
    'linf',
    { epsilon: 0.03, steps: 50 },
    {
      classifier,
      images,
      labels: [0, 0, 0, 0],
      signal: controller.signal,
      onProgress: (fraction) => {
        fractions.push(fraction);
        if (fractions.length === 3) controller.abort();
      },
    },
  );
  await assert.rejects(run, CancelledError);
  assert.equal(fractions.length, 3);
});

test('bad requests are refused before any work: labels out of range, pixels outside [0, 1], wrong count', async () => {
  const attack = pgdAttack('linf', { epsilon: 0.03 });
  await assert.rejects(attack.run({ classifier: twoClass, images: batchOf(interior), labels: [2] }), /class index/);
  await assert.rejects(attack.run({ classifier: twoClass, images: batchOf(interior.map((v) => v * 3)), labels: [0] }), /outside \[0, 1\]/);
  await assert.rejects(attack.run({ classifier: twoClass, images: batchOf(interior), labels: [0, 1] }), /2 labels for 1 images/);
});
