/**
 * The BPDA attacker's view of an ACSR defense that is not pooled on worker threads (an evaluation
 * with --threads other than 1, or on a one-core machine): its purify() shares one CBPDN solver
 * between calls, so the attacker's batch must go through it one image at a time (all at once, the
 * calls never finished or came back as NaN). Real data: the
 * shipped Fashion-MNIST bundle and CNN, Fashion-MNIST test images.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, it } from 'node:test';
import { attackableImageModel } from '../../main/acsr/attacks/tf-image-model-classifier.ts';
import { loadFashionMnist } from '../../main/acsr/data/fashion-mnist.ts';
import { createDefense } from '../../main/acsr/defenses/create-defense.ts';
import type { Defense } from '../../main/acsr/defenses/defense.ts';
import { BpdaClassifier } from '../../main/acsr/evaluation/bpda-classifier.ts';
import { batchFromImages } from '../../main/acsr/evaluation/image-batch.ts';
import { loadTfImageModel, type TfImageModel } from '../../main/acsr/models/tf-image-model.ts';
import { loadReferenceBundle } from '../../main/acsr/references/bundle-reader.ts';
import { fashionMnistDir, repoRoot } from '../support/shared-data.ts';

const MODEL = 'fmnist-baseline-cnn-b25dc5da0ce9';
const BUNDLE = path.join(repoRoot, 'models/fashion-mnist-bundle');
const IMAGES = 4;

let model: TfImageModel;
let defense: Defense;

before(async () => {
  model = await loadTfImageModel(MODEL);
  defense = await createDefense('acsr', { bundle: await loadReferenceBundle(BUNDLE), extractor: model, purification: { maxIterations: 10 } });
});

after(async () => {
  await defense.dispose();
  model.dispose();
});

it('an unpooled ACSR defense gives the attacker the scores of each image purified on its own', { timeout: 120_000 }, async () => {
  const test = await loadFashionMnist(fashionMnistDir, 't10k', IMAGES);
  const classifier = attackableImageModel(model);
  const defended = new BpdaClassifier(classifier, defense, { eotSamples: 1, seed: 7, concurrent: false });
  const batch = batchFromImages(test.images);
  const scores = await defended.scores(batch);
  assert.ok(scores.every(Number.isFinite), 'every score is a number');

  // the same images purified one by one, outside the attacker's view
  for (let i = 0; i < IMAGES; i++) {
    const purified = await defense.purify(test.images[i], { seed: 0 });
    const alone = await classifier.scores(batchFromImages([purified.image]));
    const fromBatch = scores.subarray(i * classifier.classCount, (i + 1) * classifier.classCount);
    for (let c = 0; c < classifier.classCount; c++)
      assert.ok(Math.abs(alone[c] - fromBatch[c]) < 1e-4, `image ${i} class ${c}: ${alone[c]} vs ${fromBatch[c]}`);
  }
  // d (true-class score) / dx, through the identity backward pass
  const trueClass = (rows: Float32Array) =>
    rows.map((_, index) => (index % classifier.classCount === test.labels[Math.floor(index / classifier.classCount)] ? 1 : 0));
  const { gradient } = await defended.scoresAndGradient(batch, trueClass);
  assert.ok(gradient.every(Number.isFinite), 'every gradient entry is a number');
});
