/**
 * Stage ii learns only from images stage i trained on: the bundle's validation images (which the
 * tuning step later measures on) are taken out of the robust training set, by name, with their
 * pixels and labels, on real Fashion-MNIST images and the real validation split.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fashionMnistPixels } from '../../main/acsr/models/baseline-cnn-data.ts';
import { type RobustTrainingSet, pixelBlock, withoutImages } from '../../main/acsr/robust/robust-training-set.ts';
import { fashionMnistSource } from '../../main/acsr/references/labelled-images.ts';
import { splitValidation } from '../../main/acsr/references/validation-split.ts';
import { fashionMnistDir } from '../support/shared-data.ts';

test('the validation split of the bundle is removed from the robust training set, rows intact', async () => {
  const count = 300;
  const pixels = await fashionMnistPixels(fashionMnistDir, 'train', count);
  const set: RobustTrainingSet = {
    count,
    height: 28,
    width: 28,
    channels: 1,
    pixels: pixels.pixels,
    labels: Int32Array.from(pixels.labels),
    names: Array.from({ length: count }, (_, i) => `train[${i}]`),
    description: `first ${count}`,
    sha256: 'unused',
  };
  const split = splitValidation(await fashionMnistSource(fashionMnistDir, count, 1), 0.1, 0, 2);
  const excluded = new Set(split.validation.map((image) => image.name));
  assert.ok(excluded.size >= 25 && excluded.size <= 35, `about a tenth held out, got ${excluded.size}`);

  const kept = withoutImages(set, excluded);
  assert.equal(kept.count, count - excluded.size);
  assert.ok(kept.names.every((name) => !excluded.has(name)));
  assert.match(kept.description, new RegExp(`less ${excluded.size} validation images`));
  // every kept row is the original row of that name: pixels and label
  const size = 28 * 28;
  for (const [row, name] of kept.names.entries()) {
    const original = Number(/\d+/.exec(name)![0]);
    assert.equal(kept.labels[row], set.labels[original]);
    assert.deepEqual(kept.pixels.subarray(row * size, (row + 1) * size), pixelBlock(set, [original]));
  }
  assert.equal(withoutImages(set, new Set()), set, 'nothing to exclude: the same set');
});
