/**
 * The bundled content filter, loaded the way the product loads it (converted into a fresh cache,
 * verified, run on the selected backend), on the real photos. One model (nsfwjs's default
 * MobileNetV2) keeps the suite fast; docs of the other two are in models/registry.json.
 */
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import * as nsfwjs from 'nsfwjs';
import { loadLatentExtractor } from '../../main/acsr/models/latent-extractor.ts';
import { findModelEntry, loadModelRegistry } from '../../main/acsr/models/model-registry.ts';
import { loadTfImageModel, type TfImageModel } from '../../main/acsr/models/tf-image-model.ts';
import { UserInputError } from '../../main/errors/user-input-error.ts';
import { readImage } from '../../main/io/image.ts';
import type { ImageArray } from '../../main/acsr/array/image-array.ts';
import { photosDir } from '../support/shared-data.ts';

const MODEL_ID = 'nsfwjs-mobilenet-v2';
const registry = loadModelRegistry();
const entry = findModelEntry(registry, MODEL_ID);

let cacheDir: string;
let model: TfImageModel;
const photos = new Map<string, ImageArray>();

before(async () => {
  cacheDir = mkdtempSync(path.join(tmpdir(), 'acsr-models-'));
  model = await loadTfImageModel(MODEL_ID, { cacheDir });
  for (const file of readdirSync(photosDir).sort()) {
    photos.set(file, await readImage(path.join(photosDir, file), { precision: 'float32' }));
  }
});

after(() => {
  model?.dispose();
  rmSync(cacheDir, { recursive: true, force: true });
});

function softmax(scores: Float32Array): number[] {
  const max = Math.max(...scores);
  const exps = Array.from(scores, (value) => Math.exp(value - max));
  const total = exps.reduce((a, b) => a + b, 0);
  return exps.map((value) => value / total);
}

function topClass(scores: Float32Array): string {
  const probabilities = softmax(scores);
  return model.classNames[probabilities.indexOf(Math.max(...probabilities))];
}

test('the first load converts the packaged model into the cache; the next reads the cache; both report hash and backend', async () => {
  assert.equal(model.loadReport.converted, true);
  assert.ok(model.loadReport.modelJsonPath.startsWith(cacheDir));
  assert.equal(model.identity.id, MODEL_ID);
  assert.equal(model.identity.weightSha256, entry.weightSha256);
  assert.equal(model.identity.backend, model.loadReport.backend.choice);
  assert.equal(tf.getBackend(), model.loadReport.backend.name);

  const again = await loadTfImageModel(MODEL_ID, { cacheDir });
  try {
    assert.equal(again.loadReport.converted, false);
    const [first, second] = [await model.scores([photos.get('darknet-dog.jpg')!]), await again.scores([photos.get('darknet-dog.jpg')!])];
    assert.deepEqual(first, second);
  } finally {
    again.dispose();
  }
});

test("scores match nsfwjs's own classify() on the same decoded pixels (preprocessing and logits are right)", async () => {
  const reference = await nsfwjs.load('MobileNetV2');
  try {
    for (const file of ['darknet-scream.jpg', 'skimage-rocket.jpg', 'skimage-camera.png', 'darknet-horses.jpg']) {
      const image = photos.get(file)!;
      // nsfwjs takes 0-255 RGB pixels, as a browser canvas gives them; a greyscale file is R = G = B there.
      const pixels = tf.tidy(() => {
        const decoded = tf.tensor3d(image.data as Float32Array, [image.height, image.width, image.channels]);
        const rgb = image.channels === 1 ? tf.tile(decoded, [1, 1, 3]) : decoded;
        return tf.round(tf.mul(rgb, 255)).toInt() as tf.Tensor3D;
      });
      const theirs = tf.tidy(() => reference.infer(pixels) as tf.Tensor).dataSync();
      pixels.dispose();
      const ours = softmax((await model.scores([image]))[0]);
      for (let k = 0; k < ours.length; k++) {
        assert.ok(Math.abs(ours[k] - theirs[k]) < 1e-5, `${file} class ${model.classNames[k]}: ours ${ours[k]} nsfwjs ${theirs[k]}`);
      }
    }
  } finally {
    reference.dispose();
  }
});

test('the real photos: none is classed Porn, Hentai or Sexy, and the everyday photographs are Neutral', async () => {
  const files = [...photos.keys()];
  const scores = await model.scores(files.map((file) => photos.get(file)!));
  const labels = new Map(files.map((file, i) => [file, topClass(scores[i])]));
  for (const [file, label] of labels) assert.ok(['Neutral', 'Drawing'].includes(label), `${file} classed ${label}`);
  for (const file of ['china.jpg', 'darknet-dog.jpg', 'darknet-horses.jpg', 'darknet-person.jpg', 'flower.jpg', 'skimage-coffee.png', 'skimage-astronaut.png']) {
    assert.equal(labels.get(file), 'Neutral', file);
  }
  // Found by running it: this model calls The Scream Neutral (p ~ 0.95); only nsfwjs's InceptionV3
  // calls it Drawing. The rocket photo is its one Drawing.
  assert.equal(labels.get('darknet-scream.jpg'), 'Neutral');
  assert.equal(labels.get('skimage-rocket.jpg'), 'Drawing');
});

test('latents: registered dimension, non-negative (pooled ReLU6), deterministic, independent of batching, distinct per photo', async () => {
  const extractor = model;
  const dog = photos.get('darknet-dog.jpg')!;
  const grass = photos.get('skimage-grass.png')!;
  const scream = photos.get('darknet-scream.jpg')!;
  const [a, b, c] = await extractor.extract([dog, grass, scream]);
  assert.equal(extractor.latentDimension, 1280);
  for (const latent of [a, b, c]) {
    assert.equal(latent.length, 1280);
    assert.ok(latent.every((value) => Number.isFinite(value) && value >= 0 && value <= 6));
  }
  const [aAgain] = await extractor.extract([dog]);
  const [cAlone] = await extractor.extract([scream]);
  assert.deepEqual(aAgain, (await extractor.extract([dog]))[0], 'repeat runs are bit-identical');
  for (let i = 0; i < 1280; i++) {
    assert.ok(Math.abs(aAgain[i] - a[i]) < 1e-5, 'same latent alone or in a batch');
    assert.ok(Math.abs(cAlone[i] - c[i]) < 1e-5, 'same latent alone or in a batch');
  }
  const distance = (x: Float32Array, y: Float32Array) => Math.hypot(...Array.from(x, (value, i) => value - y[i]));
  assert.ok(distance(a, b) > 1 && distance(a, c) > 1 && distance(b, c) > 1, 'different photos, different latents');
});

test('a greyscale photo is seen as R = G = B, and size is handled by the model’s own resize', async () => {
  const camera = photos.get('skimage-camera.png')!;
  assert.equal(camera.channels, 1);
  const rgbData = new Float32Array(camera.height * camera.width * 3);
  for (let i = 0; i < camera.height * camera.width; i++) rgbData.fill(camera.data[i], 3 * i, 3 * i + 3);
  const [grey, rgb] = await model.extract([camera, { height: camera.height, width: camera.width, channels: 3, data: rgbData }]);
  assert.deepEqual(grey, rgb);
});

test('loadLatentExtractor gives R(x) through the contract, reading the cache', async () => {
  const extractor = await loadLatentExtractor(MODEL_ID, { cacheDir });
  try {
    assert.deepEqual(extractor.inputSize, { height: 224, width: 224, channels: 3 });
    assert.deepEqual(await extractor.extract([photos.get('flower.jpg')!]), await model.extract([photos.get('flower.jpg')!]));
  } finally {
    extractor.dispose();
  }
});

test('a cached weight file that no longer matches the registered SHA-256 is refused', async () => {
  const corruptCache = mkdtempSync(path.join(tmpdir(), 'acsr-models-corrupt-'));
  try {
    const folder = path.dirname(model.loadReport.modelJsonPath);
    const copy = path.join(corruptCache, path.basename(folder));
    cpSync(folder, copy, { recursive: true });
    const weights = readFileSync(path.join(copy, 'weights.bin'));
    weights[weights.length >> 1] ^= 0x01; // one bit of one quantised weight
    writeFileSync(path.join(copy, 'weights.bin'), weights);
    await assert.rejects(loadTfImageModel(MODEL_ID, { cacheDir: corruptCache }), (error: unknown) => {
      assert.ok(error instanceof UserInputError);
      assert.match(error.message, /hash to [0-9a-f]{64}, but the registry expects 8e7dddbb/);
      return true;
    });
  } finally {
    rmSync(corruptCache, { recursive: true, force: true });
  }
});

test("a team's own tfjs model registers with the same entry shape (source 'tfjs-files') and gives the same outputs", async () => {
  const folder = mkdtempSync(path.join(tmpdir(), 'acsr-registry-'));
  try {
    const registryFile = path.join(folder, 'registry.json');
    const teamEntry = {
      ...entry,
      id: 'team-filter',
      source: { kind: 'tfjs-files', modelJson: path.relative(folder, model.loadReport.modelJsonPath) },
    };
    writeFileSync(registryFile, JSON.stringify({ registryVersion: 1, models: [teamEntry] }));
    const team = await loadTfImageModel('team-filter', { registry: loadModelRegistry(registryFile) });
    try {
      assert.equal(team.identity.weightSha256, entry.weightSha256);
      const image = photos.get('skimage-chelsea.png')!;
      assert.deepEqual(await team.scores([image]), await model.scores([image]));
    } finally {
      team.dispose();
    }
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
});
