import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadLatentExtractor, type LatentExtractor } from '../../main/acsr/models/latent-extractor.ts';
import { loadReferenceBundle } from '../../main/acsr/references/bundle-reader.ts';
import { writeReferenceBundle, type BundleContent } from '../../main/acsr/references/bundle-writer.ts';
import { labelledFolder } from '../../main/acsr/references/labelled-images.ts';
import { DEFAULT_TRAINING_PARAMETERS, trainReferences } from '../../main/acsr/references/train-references.ts';
import { fastEngineFactory } from '../../main/acsr/signal/parallel/parallel-cbpdn-engine.ts';
import { UserInputError } from '../../main/errors/user-input-error.ts';
import { readImage, writePng } from '../../main/io/image.ts';
import { ProgressReporter } from '../../main/progress/progress.ts';
import { photosDir } from '../support/shared-data.ts';

// Stage i end to end on real photos with the real extractor (nsfwjs MobileNetV2 on wasm):
// two classes of 96x96 crops (textures and scenes), small dictionaries so the file runs in
// seconds. The tests check the bundle's structure and integrity, not learning quality.
const PARAMETERS = {
  ...DEFAULT_TRAINING_PARAMETERS,
  kMax: 3,
  atoms: 4,
  atomSize: 8,
  patchSize: 32,
  patchesPerImage: 1,
  maxPatchesPerCluster: 4,
  cdlIterations: 3,
  seed: 11,
};
const CLASSES = {
  scenes: ['skimage-astronaut.png', 'skimage-chelsea.png', 'skimage-coffee.png'],
  textures: ['skimage-brick.png', 'skimage-grass.png', 'skimage-gravel.png'],
};

let work: string;
let data: string;
let extractor: LatentExtractor;
let content: BundleContent;

before(async () => {
  work = await mkdtemp(join(tmpdir(), 'acsr-bundle-test-'));
  data = join(work, 'data');
  for (const [className, files] of Object.entries(CLASSES)) {
    await mkdir(join(data, className), { recursive: true });
    for (const file of files) {
      const image = await readImage(join(photosDir, file), { channels: 'rgb' });
      for (const [k, [top, left]] of [
        [0, 0],
        [100, 150],
        [200, 40],
      ].entries()) {
        const crop = new Float64Array(96 * 96 * 3);
        for (let y = 0; y < 96; y++) crop.set(image.data.subarray(((top + y) * image.width + left) * 3, ((top + y) * image.width + left + 96) * 3), y * 96 * 3);
        await writePng(join(data, className, `${file.replace('.png', '')}-${k}.png`), { height: 96, width: 96, channels: 3, data: crop });
      }
    }
  }
  extractor = await loadLatentExtractor('nsfwjs-mobilenet-v2');
  content = await train();
});

after(async () => {
  extractor?.dispose();
  await rm(work, { recursive: true, force: true });
});

async function train(options: { signal?: AbortSignal; progress?: ProgressReporter } = {}): Promise<BundleContent> {
  return trainReferences({
    source: await labelledFolder(data, 3),
    extractor,
    parameters: PARAMETERS,
    producer: 'test',
    engine: fastEngineFactory(1),
    ...options,
  });
}

test('a trained bundle records per class the WCSS curve and k, per cluster its members, and loads back verified', async () => {
  const target = join(work, 'bundle');
  const manifest = await writeReferenceBundle(target, content);
  assert.deepEqual(
    manifest.classes.map((c) => c.name),
    ['scenes', 'textures'],
  );
  // 10 % of each class's 9 images held out for validation: 1 each, never trained on
  assert.equal(manifest.formatVersion, 2);
  assert.deepEqual(manifest.validation?.perClass, [
    { className: 'scenes', images: 9, heldOut: 1 },
    { className: 'textures', images: 9, heldOut: 1 },
  ]);
  assert.equal(manifest.trainingData.imageCount, 18, 'the data source as given');
  const members = new Set(manifest.classes.flatMap((c) => c.clusters.flatMap((k) => k.members)));
  assert.equal(members.size, 16);
  for (const cls of manifest.classes) {
    assert.equal(cls.imageCount, 8);
    assert.equal(cls.wcss.length, 3);
    assert.equal(cls.clusters.length, cls.chosenK);
    assert.equal(
      cls.clusters.reduce((n, c) => n + c.sampleCount, 0),
      8,
    );
    for (const cluster of cls.clusters) {
      // every member image's one 32 px crop (patchesPerImage 1) up to the cap of 4 crops
      assert.equal(cluster.dictionary.trainingImages, Math.min(4, cluster.sampleCount));
      assert.equal(cluster.dictionary.trainingPatches, Math.min(4, cluster.sampleCount));
      assert.equal(cluster.dictionary.method, 'batch-admm-pgm');
    }
    assert.ok(cls.clusters.every((c) => c.sampleCount >= PARAMETERS.minClusterSize));
  }
  assert.equal(manifest.extractor.id, 'nsfwjs-mobilenet-v2');
  assert.equal(manifest.extractor.weightSha256, extractor.identity.weightSha256);
  assert.equal(manifest.trainingData.sources.length, 18);
  const listed = Object.keys(manifest.files).sort();
  const onDisk = (await readdir(target, { recursive: true, withFileTypes: true }))
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name).slice(target.length + 1))
    .filter((p) => p !== 'manifest.json')
    .sort();
  assert.deepEqual(listed, onDisk, 'the manifest hashes every file of the bundle');
  assert.ok(listed.includes('specificity/specificity.json') && listed.includes('specificity/specificity.png'));
  const check = JSON.parse(await readFile(join(target, 'specificity/specificity.json'), 'utf8'));
  assert.equal(
    check.rows.length,
    manifest.classes.reduce((n, c) => n + c.chosenK, 0),
  );
  assert.equal(check.summary.images, 2);

  const bundle = await loadReferenceBundle(target);
  assert.equal(
    bundle.clusters.length,
    manifest.classes.reduce((n, c) => n + c.chosenK, 0),
  );
  for (const cluster of bundle.clusters) {
    assert.equal(cluster.distribution.dimension, 1280);
    assert.equal(cluster.dictionary.atoms, 4);
    assert.equal(cluster.dictionary.channels, 3);
    for (let m = 0; m < 4; m++) {
      let norm = 0;
      for (let i = 0; i < 3 * 64; i++) norm += cluster.dictionary.data[m * 192 + i] ** 2;
      assert.ok(Math.abs(Math.sqrt(norm) - 1) < 1e-5, `atom ${m} of ${cluster.id} has norm ${Math.sqrt(norm)}`);
    }
  }
  await assert.rejects(writeReferenceBundle(target, content), UserInputError, 'an existing bundle is never overwritten');
});

test('training is deterministic given the seed: the same data give byte-identical bundle files', async () => {
  const again = await train();
  const a = await writeReferenceBundle(join(work, 'det-a'), content);
  const b = await writeReferenceBundle(join(work, 'det-b'), again);
  assert.deepEqual(a.files, b.files);
});

test('a bundle with one byte changed in an .npy, or a file missing, is refused', async () => {
  const target = join(work, 'corrupt');
  const manifest = await writeReferenceBundle(target, content);
  const victim = Object.keys(manifest.files).find((f) => f.endsWith('dictionary.npy'))!;
  const bytes = await readFile(join(target, victim));
  bytes[bytes.length - 3] ^= 0x01;
  await writeFile(join(target, victim), bytes);
  await assert.rejects(
    loadReferenceBundle(target),
    (error: Error) => error instanceof UserInputError && error.message.includes(victim) && /SHA-256/.test(error.message),
  );
  bytes[bytes.length - 3] ^= 0x01;
  await writeFile(join(target, victim), bytes);
  await loadReferenceBundle(target); // restored: accepted again
  await writeFile(join(target, 'specificity/specificity.json'), '{}\n');
  await assert.rejects(
    loadReferenceBundle(target),
    (error: Error) => error instanceof UserInputError && /specificity\.json/.test(error.message),
    'the check is hashed like the arrays',
  );
  await rm(join(target, victim));
  await assert.rejects(loadReferenceBundle(target), (error: Error) => error instanceof UserInputError && /missing/.test(error.message));
  await assert.rejects(loadReferenceBundle(join(work, 'data')), UserInputError, 'a folder without a manifest');
});

test('cancelling training or writing leaves no bundle and no partial folder', async () => {
  const controller = new AbortController();
  const progress = new ProgressReporter((event) => {
    if (event.stage.includes('cdl')) controller.abort();
  });
  await assert.rejects(train({ signal: controller.signal, progress }));
  const aborted = new AbortController();
  aborted.abort();
  const target = join(work, 'cancelled');
  await assert.rejects(writeReferenceBundle(target, content, aborted.signal));
  const left = (await readdir(work)).filter((name) => name.startsWith('cancelled') || name.startsWith('.cancelled'));
  assert.deepEqual(left, []);
});

test('acsr train writes a loadable bundle with a fixed k and the pseudo-inverse, and refuses an existing --out', async () => {
  const { runCli } = await import('../../main/cli/run-cli.ts');
  const out = join(work, 'cli-bundle');
  const stdout: string[] = [];
  const io = { stdout: { write: (chunk: string) => stdout.push(chunk) }, stderr: { write: () => true, isTTY: false } as never };
  const args = [
    'train',
    '--data',
    data,
    '--extractor',
    'nsfwjs-mobilenet-v2',
    '--out',
    out,
    '--k',
    '1',
    '--covariance',
    'pinv',
    '--atoms',
    '4',
    '--patch-size',
    '32',
    '--patches-per-image',
    '1',
    '--max-patches-per-cluster',
    '2',
    '--cdl-iterations',
    '2',
    '--seed',
    '3',
    '--json',
    '--quiet',
  ];
  assert.equal(await runCli(args, io), 0, stdout.join(''));
  const summary = JSON.parse(stdout.join('').trim().split('\n').at(-1)!);
  assert.equal(summary.ok, true);
  assert.deepEqual(
    summary.classes.map((c: { k: number }) => c.k),
    [1, 1],
  );
  const bundle = await loadReferenceBundle(out);
  assert.equal(bundle.manifest.parameters.covariance, 'pinv');
  assert.equal(bundle.manifest.parameters.fixedK, 1);
  assert.ok(bundle.clusters.every((c) => c.distribution.complementPrecision === 0 && c.sampleCount === 8));
  assert.equal(bundle.manifest.specificity?.images, 2, 'the specificity check ran on the held-out images');
  assert.equal(await runCli(args, io), 2, 'an existing bundle is a user error');
});
