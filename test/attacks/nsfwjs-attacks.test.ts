/**
 * Attacks on the bundled nsfwjs MobileNetV2 through the TfImageModel adapter, on real photos at
 * their own size (the gradient flows back through the model's resize): small FGSM and PGD budgets
 * change the class of at least one photo, and stay within those budgets.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { AttackableClassifier, ImageBatch } from '../../main/acsr/attacks/attack-types.ts';
import { carliniWagnerAttack } from '../../main/acsr/attacks/carlini-wagner.ts';
import { deepFoolAttack } from '../../main/acsr/attacks/deepfool.ts';
import { fgsmAttack } from '../../main/acsr/attacks/fgsm.ts';
import { pgdAttack } from '../../main/acsr/attacks/pgd.ts';
import { crossEntropyAscent, predictedClasses } from '../../main/acsr/attacks/score-objectives.ts';
import { attackableImageModel } from '../../main/acsr/attacks/tf-image-model-classifier.ts';
import { loadTfImageModel, type TfImageModel } from '../../main/acsr/models/tf-image-model.ts';
import { readImage } from '../../main/io/image.ts';
import { photosDir } from '../support/shared-data.ts';

const PHOTOS = ['skimage-chelsea.png', 'darknet-dog.jpg'];
const SIZE = 128; // photos cropped to one size so they form one batch; the model resizes to 224

let model: TfImageModel;
let classifier: AttackableClassifier;
let images: ImageBatch;
let labels: number[];

before(async () => {
  model = await loadTfImageModel('nsfwjs-mobilenet-v2');
  classifier = attackableImageModel(model);
  const data = new Float32Array(PHOTOS.length * SIZE * SIZE * 3);
  for (const [n, name] of PHOTOS.entries()) {
    const photo = await readImage(path.join(photosDir, name), { precision: 'float32', channels: 'rgb' });
    assert.ok(photo.height >= SIZE && photo.width >= SIZE);
    for (let y = 0; y < SIZE; y++) {
      const row = photo.data.subarray(y * photo.width * 3, (y * photo.width + SIZE) * 3);
      data.set(row, (n * SIZE + y) * SIZE * 3);
    }
  }
  images = { count: PHOTOS.length, height: SIZE, width: SIZE, channels: 3, data };
  labels = predictedClasses(await classifier.scores(images), classifier.classCount);
});

after(() => model?.dispose());

test("adapter scores equal the model's own scores", async () => {
  const ownScores = await model.scores([{ height: SIZE, width: SIZE, channels: 3, data: images.data.subarray(0, SIZE * SIZE * 3) }]);
  const scores = await classifier.scores(images);
  for (let k = 0; k < classifier.classCount; k++) assert.ok(Math.abs(scores[k] - ownScores[0][k]) < 1e-4);
});

test("the adapter's cross-entropy gradient matches a central finite difference along it, per photo", async () => {
  const ascent = crossEntropyAscent(classifier.classCount, labels);
  const { gradient } = await classifier.scoresAndGradient(images, ascent);
  const d = SIZE * SIZE * 3;
  const crossEntropy = async (data: Float32Array) => {
    const scores = await classifier.scores({ ...images, data });
    const w = ascent(scores); // softmax - onehot: CE itself is -log p_y = -log(1 + w_y)
    return labels.map((label, n) => -Math.log(1 + w[n * classifier.classCount + label]));
  };
  const step = 3e-4;
  for (let n = 0; n < images.count; n++) {
    const block = gradient.subarray(n * d, (n + 1) * d);
    const norm = Math.hypot(...block);
    const shifted = (sign: number) => Float32Array.from(images.data, (v, i) => (i >= n * d && i < (n + 1) * d ? v + (sign * step * gradient[i]) / norm : v));
    const numeric = ((await crossEntropy(shifted(1)))[n] - (await crossEntropy(shifted(-1)))[n]) / (2 * step);
    assert.ok(norm > 1e-3, `photo ${n}: gradient norm ${norm}`);
    assert.ok(Math.abs(numeric - norm) < 0.05 * norm, `photo ${n}: analytic ${norm}, finite difference ${numeric}`);
  }
});

for (const attack of [fgsmAttack('l2', 0.02), pgdAttack('linf', { epsilon: 4 / 255, steps: 3 })]) {
  test(`${attack.name} flips at least one photo's class, within its budget`, async (t) => {
    const { records } = await attack.run({ classifier, images, labels, seed: 0 });
    t.diagnostic(
      JSON.stringify(
        records.map((r) => ({
          from: model.classNames[r.originalLabel],
          to: model.classNames[r.adversarialLabel],
          l2: r.l2PerPixel.toFixed(4),
          linf255: r.linf255.toFixed(2),
        })),
      ),
    );
    for (const record of records) {
      if (attack.budget!.norm === 'l2') assert.ok(record.l2PerPixel <= attack.budget!.epsilon + 1e-6);
      else assert.ok(record.linf255 / 255 <= attack.budget!.epsilon + 1e-6);
    }
    assert.ok(
      records.some((record) => record.success),
      'no photo changed class',
    );
  });
}

test("DeepFool changes every photo's class with a smaller perturbation than the FGSM budget above", async (t) => {
  const { records } = await deepFoolAttack().run({ classifier, images, labels });
  t.diagnostic(JSON.stringify(records.map((r) => ({ to: model.classNames[r.adversarialLabel], l2: r.l2PerPixel.toFixed(5), iterations: r.iterations }))));
  for (const record of records) {
    assert.ok(record.success);
    assert.ok(record.l2PerPixel > 0 && record.l2PerPixel < 0.02, `l2 per pixel ${record.l2PerPixel}`);
  }
});

test('CW-L2 with a short schedule succeeds on at least one photo; a failure leaves its photo untouched', async (t) => {
  const { records } = await carliniWagnerAttack({ steps: 10, binarySteps: 3, initialConst: 1 }).run({
    classifier,
    images: { ...images, count: 1, data: images.data.subarray(0, SIZE * SIZE * 3) },
    labels: labels.slice(0, 1),
  });
  t.diagnostic(
    JSON.stringify(
      records.map((r) => ({ to: model.classNames[r.adversarialLabel], success: r.success, l2: r.l2PerPixel.toFixed(5), iterations: r.iterations })),
    ),
  );
  for (const record of records) assert.ok(record.success ? record.l2PerPixel > 0 : record.l2PerPixel === 0);
  assert.ok(records.some((record) => record.success));
});
