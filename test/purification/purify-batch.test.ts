import { bundlePurificationDefaults } from '../../main/acsr/tuning/purification-defaults.ts';
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadLatentExtractor, type LatentExtractor } from '../../main/acsr/models/latent-extractor.ts';
import { runBatch } from '../../main/acsr/purification/batch-runner.ts';
import { PurificationEngines } from '../../main/acsr/purification/purification-engines.ts';
import { purifyImage } from '../../main/acsr/purification/purify-image.ts';
import { loadReferenceBundle, type ReferenceBundle } from '../../main/acsr/references/bundle-reader.ts';
import { runCli } from '../../main/cli/run-cli.ts';
import { releaseIdleCbpdnArenas } from '../../main/acsr/signal/simd/cbpdn-arena.ts';
import { decodeImage, readImage, writePng } from '../../main/io/image.ts';
import type { ImageArray } from '../../main/acsr/array/image-array.ts';
import { photosDir, repoRoot } from '../support/shared-data.ts';

// Purifying many images, or the tiles of one, at once with the default bundle and the real extractor.
let bundle: ReferenceBundle;
let extractor: LatentExtractor;
let work: string;

before(async () => {
  bundle = await loadReferenceBundle(join(repoRoot, 'models/default-bundle'));
  extractor = await loadLatentExtractor(bundle.manifest.extractor.id);
  work = await mkdtemp(join(tmpdir(), 'acsr-purify-batch-test-'));
});

after(async () => {
  extractor?.dispose();
  await rm(work, { recursive: true, force: true });
});

function crop(image: ImageArray, top: number, left: number, height: number, width: number): ImageArray {
  const c = image.channels;
  const data = new Float64Array(height * width * c);
  for (let y = 0; y < height; y++)
    data.set(image.data.subarray(((top + y) * image.width + left) * c, ((top + y) * image.width + left + width) * c), y * width * c);
  return { height, width, channels: image.channels, data };
}

function psnr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += (a[i] - b[i]) ** 2;
  return 10 * Math.log10(1 / (sum / a.length));
}

test('tiles coded at once, one worker each, give exactly what the same tiles give one after another', async () => {
  const image = crop(await readImage(join(photosDir, 'skimage-coffee.png'), { channels: 'rgb' }), 100, 200, 144, 176);
  const parallel = new PurificationEngines({ threads: 2 });
  const sequential = new PurificationEngines({ threads: 1 });
  assert.deepEqual(parallel.schedule(6), { lanes: 2, threadsPerTile: 1 });
  assert.deepEqual(parallel.schedule(1), { lanes: 1, threadsPerTile: 2 });
  assert.deepEqual(new PurificationEngines({ threads: 2, imagesAtOnce: 2 }).schedule(1), { lanes: 1, threadsPerTile: 1 });
  try {
    const a = await purifyImage({ image, bundle, extractor, options: { tileSize: 72 }, engines: parallel });
    const b = await purifyImage({ image, bundle, extractor, options: { tileSize: 72 }, engines: sequential });
    // the same engines again: workers kept from the first image give the same result
    const c = await purifyImage({ image, bundle, extractor, options: { tileSize: 72 }, engines: parallel });
    assert.equal(a.cbpdn.tiles.length, 6);
    assert.deepEqual(a.purified.data, b.purified.data);
    assert.deepEqual(c.purified.data, a.purified.data);
    assert.deepEqual(
      a.cbpdn.tiles.map((t) => t.iterations),
      b.cbpdn.tiles.map((t) => t.iterations),
    );
    assert.equal(a.backend.cbpdn, 'float32, 1 worker thread, WASM SIMD kernels per tile, 2 tiles at a time');
    assert.equal(b.backend.cbpdn, 'float32, 1 worker thread, WASM SIMD kernels');
  } finally {
    await parallel.dispose();
    await sequential.dispose();
  }
});

test("a lone image's tile memory made ahead, on another thread, is the memory its engine then uses, with the same result as a new one", async () => {
  const image = crop(await readImage(join(photosDir, 'skimage-coffee.png'), { channels: 'rgb' }), 40, 60, 200, 200);
  const dictionary = bundle.clusters[0].dictionary;
  const options = { tileSize: 256, maxIterations: 10 };
  const plain = new PurificationEngines({ threads: 2 });
  const warm = new PurificationEngines({ threads: 2 });
  const batch = new PurificationEngines({ threads: 2, imagesAtOnce: 2 });
  try {
    // tiles coded whole on a worker make their memory on that worker: nothing to make here
    assert.deepEqual(await batch.prewarm(image, dictionary, options), []);
    const expected = await purifyImage({ image, bundle, extractor, options, engines: plain });
    // without the arena the first image gave back, the next engine of this shape would make a new one
    releaseIdleCbpdnArenas();
    const memories = await warm.prewarm(image, dictionary, options);
    assert.equal(memories.length, 1, 'one tile, shared by two workers');
    assert.ok(
      new Uint8Array(memories[0].buffer).every((byte) => byte === 0),
      'the memory is blank',
    );
    const got = await purifyImage({ image, bundle, extractor, options, engines: warm });
    assert.ok(
      new Uint8Array(memories[0].buffer).some((byte) => byte !== 0),
      'the engine coded in the memory made ahead',
    );
    assert.deepEqual(got.purified.data, expected.purified.data);
    assert.equal(got.backend.cbpdn, expected.backend.cbpdn);
  } finally {
    await Promise.all([plain.dispose(), warm.dispose(), batch.dispose()]);
  }
});

test('a batch runs its items at most n at once, keeps their order, and holds back items that exceed the pixel budget', async () => {
  let running = 0;
  let most = 0;
  const together: string[] = [];
  const items = [
    ['a', 10],
    ['b', 10],
    ['big', 100],
    ['c', 10],
    ['d', 10],
  ] as const;
  const results = await runBatch(items, { imagesAtOnce: 2, pixelBudget: 50 }, async ([name, pixels], index, admit) => {
    const leave = await admit(pixels);
    running++;
    most = Math.max(most, running);
    if (running > 1 && name === 'big') together.push(name);
    await new Promise((resolve) => setTimeout(resolve, 20 + 10 * (index % 2)));
    if (running > 1 && name === 'big') together.push(name);
    running--;
    leave();
    return name.toUpperCase();
  });
  assert.deepEqual(results, ['A', 'B', 'BIG', 'C', 'D']);
  assert.equal(most, 2);
  assert.deepEqual(together, [], 'the image over the budget ran alone');
  const started: string[] = [];
  await assert.rejects(
    runBatch(['x', 'fails', 'y', 'z'], { imagesAtOnce: 1 }, async (name) => {
      started.push(name);
      if (name === 'fails') throw new Error('cannot decode');
      return name;
    }),
    /cannot decode/,
  );
  assert.deepEqual(started, ['x', 'fails'], 'no item starts after a failure');
});

test('acsr purify DIR purifies every image with one worker per image, matches a lone run, and reports images per minute', async () => {
  const input = join(work, 'in');
  await mkdir(input);
  const sources = [
    ['flower.jpg', 100, 200],
    ['skimage-chelsea.png', 60, 150],
    ['skimage-astronaut.png', 40, 180],
  ] as const;
  const images: ImageArray[] = [];
  for (const [file, top, left] of sources) {
    const image = crop(await readImage(join(photosDir, file), { channels: 'rgb' }), top, left, 64, 96);
    await writePng(join(input, file.replace(/\.\w+$/, '.png')), image);
    images.push(image);
  }
  const out = join(work, 'out');
  const lines: string[] = [];
  const code = await runCli(
    ['purify', '--bundle', join(repoRoot, 'models/default-bundle'), '--in', input, '--out', out, '--threads', '2', '--json', '--quiet'],
    {
      stdout: { write: (chunk: string) => lines.push(chunk) },
      stderr: { write: () => true, isTTY: false } as never,
    },
  );
  assert.equal(code, 0, lines.join(''));
  const summary = JSON.parse(lines.join('').trim().split('\n').at(-1)!);
  assert.equal(summary.images.length, 3);
  assert.ok(summary.imagesPerMinute > 0 && summary.seconds > 0);
  assert.ok(Math.abs(summary.imagesPerMinute - (60 * 3) / summary.seconds) < 1e-9);
  assert.equal((await readdir(out)).filter((name) => name.endsWith('.purified.png')).length, 3);
  for (const [i, [file]] of sources.entries()) {
    const stem = file.replace(/\.\w+$/, '');
    const report = JSON.parse(await readFile(join(out, `${stem}.purification.json`), 'utf8'));
    assert.equal(report.backend.cbpdn, 'float32, 1 worker thread, WASM SIMD kernels');
    // alone (with the bundle's tuned settings, as acsr purify uses), the image's one tile gets both workers; the results agree to the solver's tolerance
    const alone = await purifyImage({ image: images[i], bundle, extractor, options: { ...bundlePurificationDefaults(bundle.manifest), threads: 2 } });
    assert.equal(alone.backend.cbpdn, 'float32, 2 worker threads, WASM SIMD kernels');
    const batched = await decodeImage(await readFile(join(out, `${stem}.purified.png`)), { channels: 'rgb' });
    const agreement = psnr(batched.data, alone.purified.data);
    assert.ok(agreement >= 45, `${file}: batch vs lone run ${agreement.toFixed(1)} dB`);
  }
});
