import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { createDefense, DEFENSE_NAMES } from '../../main/acsr/defenses/create-defense.ts';
import { loadLatentExtractor, type LatentExtractor } from '../../main/acsr/models/latent-extractor.ts';
import { bundlePurificationDefaults } from '../../main/acsr/tuning/purification-defaults.ts';
import { selectCluster } from '../../main/acsr/purification/cluster-selection.ts';
import { purifyImage } from '../../main/acsr/purification/purify-image.ts';
import { loadReferenceBundle, type ReferenceBundle } from '../../main/acsr/references/bundle-reader.ts';
import { UserInputError } from '../../main/errors/user-input-error.ts';
import { repoRoot } from '../support/shared-data.ts';
import { assertSameShapeInUnitRange, fashionMnistImages, photoCrop } from './test-images.ts';

// acsr with models/default-bundle and the real extractor, and the factory over every name.

let bundle: ReferenceBundle;
let extractor: LatentExtractor;

before(async () => {
  bundle = await loadReferenceBundle(join(repoRoot, 'models/default-bundle'));
  extractor = await loadLatentExtractor(bundle.manifest.extractor.id);
});

after(() => extractor?.dispose());

test('acsr returns the image and the cluster purifyImage chooses with the default bundle and its tuned settings', async () => {
  const image = await photoCrop('skimage-chelsea.png', 60, 150, 64, 64);
  const defense = await createDefense('acsr', { bundle, extractor });
  assert.equal(defense.randomized, false);
  const out = await defense.purify(image);
  // the defense purifies with the settings the bundle was tuned to, as acsr purify does
  const expected = await purifyImage({ image, bundle, extractor, options: bundlePurificationDefaults(bundle.manifest) });
  assert.equal(out.clusterId, expected.cluster.id);
  assert.deepEqual(Array.from(out.image.data), Array.from(expected.purified.data));
  assertSameShapeInUnitRange(out.image, image, 'acsr');
  // and that cluster is the nearest by Mahalanobis distance, computed here apart from purifyImage
  const [latent] = await extractor.extract([image]);
  assert.equal(out.clusterId, selectCluster(bundle, latent).nearest.id);
  assert.ok(out.seconds > 0);
  await defense.dispose(); // the caller's extractor stays usable
  assert.equal((await extractor.extract([image]))[0].length, bundle.manifest.extractor.latentDimension);
});

test('every defense by name keeps size and [0, 1] on a small real photo; the cheap ones on Fashion-MNIST too', async () => {
  const photo = await photoCrop('darknet-dog.jpg', 120, 160, 32, 32);
  const [mnist] = await fashionMnistImages(1);
  assert.deepEqual([...DEFENSE_NAMES], ['none', 'jpeg75', 'jpeg50', 'median3', 'bits4', 'tvm', 'lowpass', 'single-dict', 'acsr']);
  const context = { bundle, extractor, singleDictionary: bundle.clusters[1].dictionary, purification: { maxIterations: 50 } };
  for (const name of DEFENSE_NAMES) {
    const defense = await createDefense(name, context);
    assert.equal(defense.name, name);
    assert.ok(defense.description.length > 10);
    const out = await defense.purify(photo, { seed: 3 });
    assertSameShapeInUnitRange(out.image, photo, name);
    assert.equal(out.clusterId !== undefined, name === 'acsr', name);
    if (name !== 'single-dict' && name !== 'acsr')
      assertSameShapeInUnitRange((await defense.purify(mnist, { seed: 3 })).image, mnist, `${name} on Fashion-MNIST`);
    await defense.dispose();
  }
  // the RGB bundle refuses a greyscale image, saying why
  const acsr = await createDefense('acsr', { bundle, extractor });
  await assert.rejects(acsr.purify(mnist), /1 channel\(s\) but bundle .* has 3-channel dictionaries/);
  await acsr.dispose();
});

test('the factory names what is wrong: an unknown defense, a missing bundle or dictionary, a fixed cluster', async () => {
  await assert.rejects(
    createDefense('jpeg90'),
    (error: Error) => error instanceof UserInputError && /unknown defense 'jpeg90'; the defenses are none, jpeg75, .*acsr/.test(error.message),
  );
  await assert.rejects(createDefense('acsr'), (error: Error) => error instanceof UserInputError && /'acsr' needs a reference bundle/.test(error.message));
  await assert.rejects(
    createDefense('single-dict', { bundle }),
    (error: Error) => error instanceof UserInputError && /'single-dict' needs its dictionary/.test(error.message),
  );
  await assert.rejects(createDefense('acsr', { bundle, extractor, purification: { clusterOverride: 'porn:0' } }), /may not fix a cluster/);
});
