import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, cp, readFile, writeFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { toPlanes } from '../../main/acsr/array/image-array.ts';
import { loadFashionMnist } from '../../main/acsr/data/fashion-mnist.ts';
import { seededRandom } from '../../main/acsr/random/seeded-random.ts';
import { loadReferenceBundle } from '../../main/acsr/references/bundle-reader.ts';
import { fashionMnistSource } from '../../main/acsr/references/labelled-images.ts';
import { distinctHighFrequencyPatches } from '../../main/acsr/references/training-patches.ts';
import { imageListSha256, splitValidation, validationImagesOf } from '../../main/acsr/references/validation-split.ts';
import { tikhonovSplit } from '../../main/acsr/signal/tikhonov.ts';
import { UserInputError } from '../../main/errors/user-input-error.ts';
import { readImage } from '../../main/io/image.ts';
import { fashionMnistDir, photosDir, repoRoot } from '../support/shared-data.ts';

test('a 28x28 image gives exactly one training crop: its own whole high-frequency part', async () => {
  const { images } = await loadFashionMnist(fashionMnistDir, 'train', 1);
  const image = images[0];
  const patches = distinctHighFrequencyPatches(image, 28, 4, 5, seededRandom(1));
  assert.equal(patches.length, 1, 'asking for 4 crops of an image of the crop size still gives one');
  const high = toPlanes(tikhonovSplit({ ...image, data: Float64Array.from(image.data) }, 5).high);
  assert.ok(patches[0].every((v, i) => Math.abs(v - high[i]) < 1e-6));
});

test('a larger image gives distinct, non-overlapping crops, never more than it has tiles', async () => {
  const photo = await readImage(join(photosDir, 'skimage-chelsea.png'), { channels: 'gray' });
  // 300 x 451 px: 4 x 7 tiles of 64 px
  const patches = distinctHighFrequencyPatches(photo, 64, 6, 5, seededRandom(2));
  assert.equal(patches.length, 6);
  const keys = new Set(patches.map((p) => Buffer.from(p.buffer).toString('base64')));
  assert.equal(keys.size, 6, 'no crop repeated');
  assert.equal(distinctHighFrequencyPatches(photo, 64, 100, 5, seededRandom(2)).length, Math.floor(photo.height / 64) * Math.floor(photo.width / 64));
});

test('the validation split holds out a seeded share of each class, reproducibly, and a later step gets the same images back', async () => {
  const source = await fashionMnistSource(fashionMnistDir, 2000, 1);
  const a = splitValidation(source, 0.1, 7, 2);
  const b = splitValidation(source, 0.1, 7, 2);
  assert.deepEqual(a.validationIndex, b.validationIndex);
  assert.notDeepEqual(splitValidation(source, 0.1, 8, 2).validationIndex, a.validationIndex, 'another seed, another split');
  for (const cls of a.record.perClass) assert.equal(cls.heldOut, Math.round(0.1 * cls.images));
  assert.equal(a.record.imageCount + a.record.trainingImageCount, 2000);
  const trained = new Set(a.trainingIndex);
  assert.ok(a.validationIndex.every((i) => !trained.has(i)));
  assert.ok(
    a.training.images.every((image) => image.name.startsWith('train[')),
    'only the train split is ever split',
  );

  const manifest = {
    parameters: { minClusterSize: 2 },
    validation: a.record,
    trainingData: { datasetSha256: imageListSha256(source.images), description: 'x', imageCount: 2000 },
  };
  const back = validationImagesOf(manifest as never, source);
  assert.deepEqual(back.sourceIndex, [...a.validationIndex]);
  const other = await fashionMnistSource(fashionMnistDir, 1999, 1);
  assert.throws(() => validationImagesOf(manifest as never, other), UserInputError, 'another data source is refused');
});

test('version 1 bundles still load; a newer format version is refused with a clear message', async () => {
  const shipped = await loadReferenceBundle(join(repoRoot, 'models/fashion-mnist-bundle'));
  assert.ok(shipped.manifest.formatVersion === 1 || shipped.manifest.formatVersion === 2);
  const work = await mkdtemp(join(tmpdir(), 'acsr-format-test-'));
  try {
    const copy = join(work, 'bundle');
    await cp(join(repoRoot, 'models/fashion-mnist-bundle'), copy, { recursive: true });
    const manifest = JSON.parse(await readFile(join(copy, 'manifest.json'), 'utf8'));
    await writeFile(join(copy, 'manifest.json'), JSON.stringify({ ...manifest, formatVersion: 3 }));
    await assert.rejects(
      loadReferenceBundle(copy),
      (error: Error) => error instanceof UserInputError && /format version 3 is not supported.*reads versions 1 and 2/.test(error.message),
    );
  } finally {
    await rm(work, { recursive: true, force: true });
  }
});
