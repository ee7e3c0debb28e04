/**
 * The baseline CNN on real Fashion-MNIST, real tfjs (wasm here): a short seeded training is far
 * above chance on the held-out test images; the saved folder reloads through the registry (by id,
 * from the cache's local registry) with the same logits, its latent has the declared dimension;
 * altered weights are refused; a cancelled training leaves no model folder and no registry entry.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import {
  BASELINE_LATENT_LAYER, buildBaselineCnn, DEFAULT_BASELINE_SHAPE, evaluateBaselineCnn, trainBaselineCnn,
} from '../../main/acsr/models/baseline-cnn.ts';
import { fashionMnistPixels } from '../../main/acsr/models/baseline-cnn-data.ts';
import { saveBaselineModel, type SavedBaselineModel } from '../../main/acsr/models/baseline-cnn-files.ts';
import { FASHION_MNIST_CLASSES } from '../../main/acsr/data/fashion-mnist.ts';
import { loadImageClassifier, loadLatentExtractor } from '../../main/acsr/models/latent-extractor.ts';
import { localRegistryFile, registerLocalModel } from '../../main/acsr/models/local-model-registry.ts';
import { initTfBackend } from '../../main/acsr/models/tf-backend.ts';
import { trainFashionMnistBaseline } from '../../main/acsr/models/train-baseline.ts';
import type { ImageArray } from '../../main/acsr/array/image-array.ts';
import { CancelledError, ProgressReporter } from '../../main/progress/progress.ts';
import { UserInputError } from '../../main/errors/user-input-error.ts';
import { fashionMnistDir } from '../support/shared-data.ts';

const TRAIN_IMAGES = 3000;
/** 1 epoch on 3,000 images measured 72.6% on the 10,000 test images (wasm, seed 0); chance is 10%. */
const MIN_TEST_ACCURACY = 0.6;

const cacheDir = mkdtempSync(path.join(tmpdir(), 'acsr-baseline-cnn-'));
let model: tf.LayersModel;
let saved: SavedBaselineModel;
let testAccuracy: number;
let testImages: ImageArray[];

before(async () => {
  await initTfBackend();
  const train = await fashionMnistPixels(fashionMnistDir, 'train', TRAIN_IMAGES);
  const test = await fashionMnistPixels(fashionMnistDir, 't10k');
  model = buildBaselineCnn(DEFAULT_BASELINE_SHAPE, 0);
  await trainBaselineCnn(model, train, { epochs: 1, batchSize: 64, learningRate: 1e-3, seed: 0 });
  testAccuracy = (await evaluateBaselineCnn(model, test)).accuracy;
  saved = await saveBaselineModel(model, { parent: cacheDir }, { classNames: FASHION_MNIST_CLASSES, summary: 'test model', report: { testAccuracy } });
  await registerLocalModel(saved.entry, saved.modelJsonPath, cacheDir);
  testImages = Array.from({ length: 24 }, (_, i) => ({
    height: 28, width: 28, channels: 1 as const, data: test.pixels.slice(i * 784, (i + 1) * 784),
  }));
});

after(() => {
  model?.dispose();
  rmSync(cacheDir, { recursive: true, force: true });
});

test('one epoch on 3,000 training images is far above chance on the 10,000 test images', (t) => {
  t.diagnostic(`test accuracy ${(100 * testAccuracy).toFixed(2)}%`);
  assert.ok(testAccuracy > MIN_TEST_ACCURACY, `test accuracy ${testAccuracy}`);
});

test('the saved model reloads by id through the local registry with the same logits, latent of the declared size', async () => {
  assert.ok(existsSync(path.join(saved.folder, 'weights.bin')));
  const registered = JSON.parse(readFileSync(localRegistryFile(cacheDir), 'utf8'));
  assert.deepEqual(registered.models.map((m: { id: string }) => m.id), [saved.entry.id]);
  assert.match(saved.entry.id, new RegExp(`^fmnist-baseline-cnn-${saved.entry.weightSha256.slice(0, 12)}$`));

  const classifier = await loadImageClassifier(saved.entry.id, { cacheDir });
  const extractor = await loadLatentExtractor(saved.entry.id, { cacheDir });
  try {
    assert.equal(classifier.identity.weightSha256, saved.entry.weightSha256);
    assert.deepEqual(classifier.classNames, [...FASHION_MNIST_CLASSES]);
    const reloaded = await classifier.scores(testImages);
    const original = tf.tidy(() => model.predict(tf.tensor4d(Float32Array.from(testImages.flatMap((image) => [...image.data])), [testImages.length, 28, 28, 1])) as tf.Tensor2D);
    const expected = original.arraySync();
    original.dispose();
    reloaded.forEach((row, i) => assert.deepEqual([...row], expected[i]));

    assert.equal(extractor.latentDimension, DEFAULT_BASELINE_SHAPE.latentDimension);
    const latents = await extractor.extract(testImages.slice(0, 4));
    const latentModel = tf.model({ inputs: model.inputs, outputs: model.getLayer(BASELINE_LATENT_LAYER).output as tf.SymbolicTensor });
    const direct = tf.tidy(() => latentModel.predict(tf.tensor4d(Float32Array.from(testImages.slice(0, 4).flatMap((image) => [...image.data])), [4, 28, 28, 1])) as tf.Tensor2D);
    const directRows = direct.arraySync();
    direct.dispose();
    latents.forEach((row, i) => {
      assert.equal(row.length, DEFAULT_BASELINE_SHAPE.latentDimension);
      assert.deepEqual([...row], directRows[i]);
    });
  } finally {
    classifier.dispose();
    extractor.dispose();
  }
});

test('a model whose weights file was altered is refused', async () => {
  const copy = path.join(cacheDir, 'altered');
  const registryFolder = mkdtempSync(path.join(tmpdir(), 'acsr-baseline-altered-'));
  try {
    const weights = readFileSync(path.join(saved.folder, 'weights.bin'));
    weights[weights.length >> 1] ^= 0x01;
    // A separate copy of the folder, so the other tests keep the intact model.
    rmSync(copy, { recursive: true, force: true });
    const altered = await saveBaselineModel(model, { folder: copy }, { classNames: FASHION_MNIST_CLASSES, summary: 'copy', report: {} });
    writeFileSync(path.join(altered.folder, 'weights.bin'), weights);
    await registerLocalModel(altered.entry, altered.modelJsonPath, registryFolder);
    await assert.rejects(loadLatentExtractor(altered.entry.id, { cacheDir: registryFolder }), (error: unknown) => {
      assert.ok(error instanceof UserInputError);
      assert.match(error.message, /hash to [0-9a-f]{64}, but the registry expects/);
      return true;
    });
  } finally {
    rmSync(registryFolder, { recursive: true, force: true });
  }
});

test('cancelling the training leaves no model folder and no registry entry', async () => {
  const cancelCache = mkdtempSync(path.join(tmpdir(), 'acsr-baseline-cancel-'));
  try {
    const controller = new AbortController();
    let batches = 0;
    const progress = new ProgressReporter((event) => {
      if (event.stage === 'train' && ++batches === 3) controller.abort();
    });
    await assert.rejects(
      trainFashionMnistBaseline({ dataDir: fashionMnistDir, trainImages: 1000, training: { epochs: 1 }, cacheDir: cancelCache, progress, signal: controller.signal }),
      CancelledError,
    );
    assert.deepEqual(readdirSync(cancelCache), []);
  } finally {
    rmSync(cancelCache, { recursive: true, force: true });
  }
});
