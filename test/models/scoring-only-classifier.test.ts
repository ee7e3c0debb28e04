/**
 * The content filter as the import loads it: folded for scoring (batch norms and capped ReLUs in
 * the convolutions, each convolution one fused kernel) and run on a worker thread. On the real
 * photos it must give the logits of the model as registered, up to float32 rounding.
 */
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import type { ImageArray } from '../../main/acsr/array/image-array.ts';
import { foldBatchNorms } from '../../main/acsr/models/batch-norm-folding.ts';
import { loadVerifiedModelFiles } from '../../main/acsr/models/model-files.ts';
import { findModelEntry, loadModelRegistry } from '../../main/acsr/models/model-registry.ts';
import { loadTfImageModel, type TfImageModel } from '../../main/acsr/models/tf-image-model.ts';
import { loadImageClassifierInWorker } from '../../main/acsr/models/worker-image-classifier.ts';
import type { ImageClassifier } from '../../main/acsr/models/model-contracts.ts';
import { UserInputError } from '../../main/errors/user-input-error.ts';
import { readImage } from '../../main/io/image.ts';
import { photosDir } from '../support/shared-data.ts';

const MODEL_ID = 'nsfwjs-mobilenet-v2';
/** Largest logit difference allowed: float32 rounding of reordered sums (observed ~5e-6). */
const LOGIT_TOLERANCE = 1e-3;

let registered: TfImageModel;
let folded: TfImageModel;
let inWorker: ImageClassifier;
const photos: ImageArray[] = [];

before(async () => {
  registered = await loadTfImageModel(MODEL_ID);
  folded = await loadTfImageModel(MODEL_ID, { scoringOnly: true });
  inWorker = await loadImageClassifierInWorker(MODEL_ID, { scoringOnly: true });
  for (const file of readdirSync(photosDir).sort()) photos.push(await readImage(path.join(photosDir, file), { precision: 'float32' }));
});

after(() => {
  registered?.dispose();
  folded?.dispose();
  inWorker?.dispose();
});

function largestDifference(a: Float32Array[], b: Float32Array[]): number {
  assert.equal(a.length, b.length);
  let largest = 0;
  a.forEach((row, i) => row.forEach((value, k) => (largest = Math.max(largest, Math.abs(value - b[i][k])))));
  return largest;
}

test('folding removes every batch norm and capped ReLU of MobileNetV2 and keeps the scores and latent layers', async () => {
  const entry = findModelEntry(loadModelRegistry(), MODEL_ID);
  const { artifacts } = await loadVerifiedModelFiles(entry, loadModelRegistry());
  const report = await foldBatchNorms(artifacts, [entry.scores.node, entry.latent.node]);
  assert.equal(report.foldedBatchNorms, 52);
  assert.equal(report.mergedRelus, 35);
  const layers = (report.artifacts.modelTopology as any).model_config.config.layers as { class_name: string; name: string }[];
  assert.deepEqual(layers.filter((layer) => ['BatchNormalization', 'ReLU'].includes(layer.class_name)), []);
  for (const name of [entry.scores.node, entry.latent.node]) assert.ok(layers.some((layer) => layer.name === name), name);
});

test('the folded model gives the registered model\'s logits and latents on every shared photo', async () => {
  const expected = await registered.scoresAndLatents(photos);
  const got = await folded.scoresAndLatents(photos);
  const logitShift = largestDifference(
    expected.map((row) => row.scores),
    got.map((row) => row.scores),
  );
  const latentShift = largestDifference(
    expected.map((row) => row.latent),
    got.map((row) => row.latent),
  );
  assert.ok(logitShift < LOGIT_TOLERANCE, `largest logit difference ${logitShift}`);
  assert.ok(latentShift < LOGIT_TOLERANCE, `largest latent difference ${latentShift}`);
  // Not the same network run twice: the folded one really runs other kernels.
  const kernels = async (model: TfImageModel) => new Set((await tf.profile(() => model.scores(photos.slice(0, 1)))).kernelNames);
  assert.ok((await kernels(registered)).has('FusedBatchNorm'));
  assert.ok(!(await kernels(folded)).has('FusedBatchNorm'));
});

test('on its worker thread it gives the same scores as on this one, and reports the same identity', async () => {
  assert.deepEqual(inWorker.identity, folded.identity);
  assert.deepEqual(inWorker.classNames, folded.classNames);
  assert.deepEqual(inWorker.inputSize, folded.inputSize);
  const here = await folded.scores(photos);
  const there = await inWorker.scores(photos);
  // The caller keeps its images (copied to the worker, not handed over).
  assert.equal(photos[0].data.length, photos[0].height * photos[0].width * photos[0].channels);
  assert.ok(largestDifference(here, there) < 1e-6, `largest difference ${largestDifference(here, there)}`);
});

test('an unknown filter id is refused before a thread starts', async () => {
  await assert.rejects(loadImageClassifierInWorker('no-such-filter'), UserInputError);
});
