import { test } from 'node:test';
import assert from 'node:assert/strict';
import { seededRandom } from '../../main/acsr/random/seeded-random.ts';
import { cbpdnObjectives } from '../../main/acsr/references/dictionary-objectives.ts';
import { fashionMnistSource } from '../../main/acsr/references/labelled-images.ts';
import { initialAtoms } from '../../main/acsr/references/learn-patch-dictionary.ts';
import { cbpdnObjectivesForDictionaries } from '../../main/acsr/references/objective-worker-pool.ts';
import { imagePatchSource } from '../../main/acsr/references/patch-source.ts';
import { fastEngineFactory } from '../../main/acsr/signal/parallel/parallel-cbpdn-engine.ts';
import { fashionMnistDir } from '../support/shared-data.ts';

// The specificity check codes every held-out image with every cluster's dictionary on worker
// threads, block by block, with engines reused between blocks. Its numbers must be exactly those
// of the plain serial path (one fresh one-thread engine per block, dictionary after dictionary),
// whatever the number of threads. Real Fashion-MNIST x_high images, blocks of 16 with a short
// last block, three different dictionaries.
const IMAGES = 37;
const SETTINGS = { lambda: 0.1, maxIterations: 20, tolerance: 1e-3, block: 16 };

async function fixture() {
  const source = await fashionMnistSource(fashionMnistDir, IMAGES, 1);
  const index = source.images.map((_, i) => i);
  const crops = imagePatchSource(source.images, index, { patchSize: 28, patchesPerImage: 1, tikhonovLambda: 5, seed: 0 });
  const signals = await Promise.all(index.map(async (i) => (await crops.patchesOf(i))[0]));
  const dictionaries = [1, 2, 3].map((seed) => initialAtoms(signals, 28, 1, { atoms: 8, atomSize: 8 }, seededRandom(seed)));
  return { signals, dictionaries };
}

test('objectives on worker threads equal the serial path bit for bit', async () => {
  const { signals, dictionaries } = await fixture();
  const serial: number[][] = [];
  for (const dictionary of dictionaries) serial.push(await cbpdnObjectives(dictionary, signals, 28, 1, SETTINGS, fastEngineFactory(1)));
  assert.equal(serial[0].length, IMAGES);
  assert.ok(serial.flat().every((v) => Number.isFinite(v) && v > 0));
  // the dictionaries differ, so a mix-up of blocks or dictionaries could not go unnoticed
  assert.notDeepEqual(serial[0], serial[1]);

  let blocks = 0;
  const pooled = await cbpdnObjectivesForDictionaries(dictionaries, signals, 28, 1, SETTINGS, { threads: 2, onBlock: () => blocks++ });
  assert.equal(blocks, 3 * Math.ceil(IMAGES / SETTINGS.block));
  assert.deepEqual(pooled, serial);
  const inThread = await cbpdnObjectivesForDictionaries(dictionaries, signals, 28, 1, SETTINGS, { threads: 1 });
  assert.deepEqual(inThread, serial);
});

test('a cancelled check stops with the cancellation', async () => {
  const { signals, dictionaries } = await fixture();
  const controller = new AbortController();
  const run = cbpdnObjectivesForDictionaries(dictionaries, signals, 28, 1, SETTINGS, {
    threads: 2,
    signal: controller.signal,
    onBlock: (done) => {
      if (done === 1) controller.abort();
    },
  });
  await assert.rejects(run, { name: 'CancelledError' });
});
