import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { findModelEntry, loadModelRegistry } from '../../main/acsr/models/model-registry.ts';
import { UserInputError } from '../../main/errors/user-input-error.ts';

test('the shipped registry names the three nsfwjs models and the Fashion-MNIST baseline with their input sizes, classes and latent nodes', () => {
  const registry = loadModelRegistry();
  assert.deepEqual(
    registry.models.map((model) => [model.id, model.format, model.input.height, model.latent.dimension]),
    [
      ['nsfwjs-mobilenet-v2', 'layers', 224, 1280],
      ['nsfwjs-mobilenet-v2-mid', 'graph', 224, 1792],
      ['nsfwjs-inception-v3', 'layers', 299, 2048],
      ['fmnist-baseline-cnn-b25dc5da0ce9', 'layers', 28, 128],
    ],
  );
  for (const model of registry.models.filter((m) => m.source.kind === 'nsfwjs')) {
    assert.deepEqual(model.classNames, ['Drawing', 'Hentai', 'Neutral', 'Porn', 'Sexy']);
  }
  const baseline = findModelEntry(registry, 'fmnist-baseline-cnn-b25dc5da0ce9');
  assert.deepEqual(baseline.classNames, ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot']);
  assert.deepEqual(baseline.source, { kind: 'tfjs-files', modelJson: 'fashion-mnist-baseline/model.json' });
});

test('an unknown id is a user error that lists the registered ids', () => {
  assert.throws(() => findModelEntry(loadModelRegistry(), 'vgg16'), (error: unknown) => {
    assert.ok(error instanceof UserInputError);
    assert.match(error.message, /unknown model 'vgg16'.*nsfwjs-mobilenet-v2/);
    return true;
  });
});

test('a registry entry without a valid weight hash, or with a duplicate id, is refused', () => {
  const folder = mkdtempSync(path.join(tmpdir(), 'acsr-registry-'));
  try {
    const good = loadModelRegistry().models[0];
    const file = path.join(folder, 'registry.json');
    writeFileSync(file, JSON.stringify({ registryVersion: 1, models: [{ ...good, weightSha256: 'abc' }] }));
    assert.throws(() => loadModelRegistry(file), /models\.0\.weightSha256/);
    writeFileSync(file, JSON.stringify({ registryVersion: 1, models: [good, good] }));
    assert.throws(() => loadModelRegistry(file), /duplicate id 'nsfwjs-mobilenet-v2'/);
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
});
