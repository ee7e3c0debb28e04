import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cropImage, type ImageArray } from '../../main/acsr/array/image-array.ts';
import { createDefense } from '../../main/acsr/defenses/create-defense.ts';
import { learnSingleDictionary, loadSingleDictionary, saveSingleDictionary, type SingleDictionary } from '../../main/acsr/defenses/single-dictionary.ts';
import { keptComponents } from '../../main/acsr/purification/purification-parts.ts';
import { purifyWithDictionary } from '../../main/acsr/purification/purify-with-dictionary.ts';
import { loadReferenceBundle, type ReferenceBundle } from '../../main/acsr/references/bundle-reader.ts';
import { fashionMnistSource } from '../../main/acsr/references/labelled-images.ts';
import { DEFAULT_TRAINING_PARAMETERS } from '../../main/acsr/references/train-references.ts';
import { sparseCodeImage, mirrorExtend } from '../../main/acsr/signal/sparse-code-image.ts';
import { tikhonovSplit } from '../../main/acsr/signal/tikhonov.ts';

import { fashionMnistDir, repoRoot } from '../support/shared-data.ts';
import { assertSameShapeInUnitRange, fashionMnistImages, meanSquaredDifference, photoCrop, psnr } from './test-images.ts';

// single-dict and lowpass: ACSR's signal path with one dictionary, and its low-pass alone.

let bundle: ReferenceBundle;
let work: string;
let mnistSingle: SingleDictionary;

// a small but real CDL run: 8 atoms, 10 iterations, 8 crops of the pool
const SMALL_CDL = { ...DEFAULT_TRAINING_PARAMETERS, atoms: 8, cdlIterations: 10, maxPatchesPerCluster: 8 };

before(async () => {
  bundle = await loadReferenceBundle(join(repoRoot, 'models/default-bundle'));
  work = await mkdtemp(join(tmpdir(), 'acsr-defenses-test-'));
});

after(async () => {
  await rm(work, { recursive: true, force: true });
});

test('learnSingleDictionary pools the crops of every class, learns with the given CDL parameters, is reproducible, and saves/loads as .npy', async () => {
  const source = await fashionMnistSource(fashionMnistDir, 24, 1);
  assert.ok(source.classNames.length >= 5, 'several classes in the pool');
  mnistSingle = await learnSingleDictionary({ source, parameters: SMALL_CDL, channels: 1 });
  const { dictionary, provenance } = mnistSingle;
  assert.deepEqual([dictionary.atomHeight, dictionary.atomWidth, dictionary.channels, dictionary.atoms], [8, 8, 1, 8]);
  for (let m = 0; m < 8; m++) {
    const norm = Math.hypot(...dictionary.data.subarray(m * 64, (m + 1) * 64));
    assert.ok(Math.abs(norm - 1) < 1e-5, `atom ${m} norm ${norm}`);
  }
  assert.equal(provenance.pooledPatches, 24, 'a 28x28 image gives one crop, itself');
  assert.equal(provenance.trainingPatches, 8);
  assert.equal(provenance.patchSize, 28);
  assert.equal(provenance.objective.length, 10);
  assert.ok(provenance.objective[9]! < provenance.objective[0]!, `CDL objective ${provenance.objective[0]} -> ${provenance.objective[9]}`);

  const again = await learnSingleDictionary({ source, parameters: SMALL_CDL, channels: 1 });
  assert.deepEqual(Array.from(again.dictionary.data), Array.from(dictionary.data));
  const otherSeed = await learnSingleDictionary({ source, parameters: { ...SMALL_CDL, seed: 1 }, channels: 1 });
  assert.notDeepEqual(Array.from(otherSeed.dictionary.data), Array.from(dictionary.data));

  const path = join(work, 'single.npy');
  await saveSingleDictionary(path, mnistSingle);
  const loaded = await loadSingleDictionary(path);
  assert.deepEqual(Array.from(loaded.dictionary.data), Array.from(dictionary.data));
  assert.deepEqual(loaded.provenance, JSON.parse(JSON.stringify(provenance)));
  await assert.rejects(loadSingleDictionary(join(work, 'missing.npy')), /missing\.npy/);
});

/** The path computed independently: float64 reference split, float64 reference CBPDN on the mirrored high part, crop, add, clip. */
async function referencePath(image: ImageArray, dictionary: ReferenceBundle['clusters'][number]['dictionary']): Promise<Float64Array> {
  const x: ImageArray<Float64Array> = { ...image, data: Float64Array.from(image.data) };
  const { low, high } = tikhonovSplit(x, 5);
  const margin = 16;
  // mirror on all four sides: flip, extend at the bottom/right, flip back
  const flip = (a: ImageArray<Float64Array>): ImageArray<Float64Array> => {
    const data = new Float64Array(a.data.length);
    for (let y = 0; y < a.height; y++)
      for (let xx = 0; xx < a.width; xx++)
        for (let c = 0; c < a.channels; c++) {
          data[(y * a.width + xx) * a.channels + c] = a.data[((a.height - 1 - y) * a.width + (a.width - 1 - xx)) * a.channels + c];
        }
    return { ...a, data };
  };
  const padded = flip(mirrorExtend(flip(mirrorExtend(high, high.height + margin, high.width + margin)), high.height + 2 * margin, high.width + 2 * margin));
  const coded = await sparseCodeImage({
    dictionary,
    image: padded,
    lambda: 0.1,
    options: { relativeTolerance: 1e-3, maxIterations: 200 },
    precision: 'float64',
  });
  const core = cropImage(coded.reconstruction, margin, margin, image.height, image.width);
  return low.data.map((v, i) => Math.min(1, Math.max(0, v + core.data[i])));
}

test('single-dict is the purification path with its dictionary: equal to purifyWithDictionary, close to an independent float64 run, and it strips an added high-frequency perturbation', async (t) => {
  const dictionary = bundle.clusters[0].dictionary;
  const defense = await createDefense('single-dict', { singleDictionary: dictionary });
  assert.equal(defense.randomized, false);
  const image = await photoCrop('skimage-astronaut.png', 60, 200, 48, 48);
  const out = await defense.purify(image);
  assertSameShapeInUnitRange(out.image, image, 'single-dict');
  assert.equal(out.clusterId, undefined);
  const direct = await purifyWithDictionary({ image, dictionary });
  assert.deepEqual(Array.from(out.image.data), Array.from(direct.purified.data));
  const agreement = psnr(out.image.data, await referencePath(image, dictionary));
  t.diagnostic(`float32 tiled path vs float64 reference: ${agreement.toFixed(1)} dB`);
  assert.ok(agreement > 40, `float32 tiled path vs float64 reference: ${agreement.toFixed(1)} dB`);

  // a +-4/255 checkerboard, the highest frequency there is: at least 80 % of its energy must go (measured: 90 %)
  const delta = image.data.map((_, i) => {
    const pixel = Math.floor(i / 3);
    return (((pixel % 48) + Math.floor(pixel / 48)) % 2 ? 1 : -1) * (4 / 255);
  });
  const attacked = { ...image, data: image.data.map((v, i) => Math.min(1, Math.max(0, v + delta[i]))) };
  const applied = attacked.data.map((v, i) => v - image.data[i]);
  const purifiedAttacked = await defense.purify(attacked);
  const kept = meanSquaredDifference(purifiedAttacked.image.data, out.image.data) / meanSquaredDifference(applied, new Float64Array(applied.length));
  t.diagnostic(`perturbation energy left: ${(100 * kept).toFixed(2)} %`);
  assert.ok(kept < 0.2, `energy of the perturbation left after purification: ${(100 * kept).toFixed(1)} %`);
  // the engine kept from image to image starts each one afresh: the first output again
  assert.deepEqual(Array.from((await defense.purify(image)).image.data), Array.from(out.image.data));
  await defense.dispose();
});

test('single-dict with a learned one-channel dictionary on Fashion-MNIST; lowpass is the purification x_low', async () => {
  assert.ok(mnistSingle, 'needs the dictionary of the first test');
  const images = await fashionMnistImages(3);
  const singleDict = await createDefense('single-dict', { singleDictionary: mnistSingle.dictionary });
  const lowpass = await createDefense('lowpass');
  for (const image of images) {
    const out = await singleDict.purify(image);
    assertSameShapeInUnitRange(out.image, image, 'single-dict on Fashion-MNIST');
    const direct = await purifyWithDictionary({ image, dictionary: mnistSingle.dictionary });
    assert.deepEqual(Array.from(out.image.data), Array.from(direct.purified.data));
    assert.ok(psnr(out.image.data, image.data) > 20, `a purification, not a destruction: ${psnr(out.image.data, image.data).toFixed(1)} dB`);

    const low = await lowpass.purify(image);
    assertSameShapeInUnitRange(low.image, image, 'lowpass');
    assert.deepEqual(Array.from(low.image.data), Array.from(keptComponents(direct.components).low.data.map((v) => Math.min(1, Math.max(0, v)))));
    // and the float64 reference split agrees within the fast split's stated bound
    const reference = tikhonovSplit({ ...image, data: Float64Array.from(image.data) }, 5).low.data;
    assert.ok(low.image.data.every((v, i) => Math.abs(v - Math.min(1, Math.max(0, reference[i]))) < 5e-4));
    assert.ok(psnr(low.image.data, image.data) < psnr(out.image.data, image.data), 'the dictionary adds detail back');
  }
  // an RGB photo through lowpass, and the purification options reaching it
  const photo = await photoCrop('flower.jpg', 100, 100, 40, 56);
  const softer = await createDefense('lowpass', { purification: { tikhonovLambda: 20 } });
  const a = await lowpass.purify(photo);
  const b = await softer.purify(photo);
  assertSameShapeInUnitRange(a.image, photo, 'lowpass RGB');
  assert.ok(psnr(b.image.data, photo.data) < psnr(a.image.data, photo.data), 'lambda 20 smooths more than 5');
  // a 3-channel dictionary refuses a greyscale image
  const rgbDefense = await createDefense('single-dict', { singleDictionary: bundle.clusters[0].dictionary });
  await assert.rejects(rgbDefense.purify(images[0]), /1 channel\(s\) but the dictionary has 3-channel atoms/);
  // single-dict keeps CBPDN worker threads between images: without dispose() they would keep the process alive
  for (const defense of [singleDict, lowpass, softer, rgbDefense]) await defense.dispose();
});
