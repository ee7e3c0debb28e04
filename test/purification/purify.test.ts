import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { loadLatentExtractor, type LatentExtractor } from '../../main/acsr/models/latent-extractor.ts';
import { selectCluster } from '../../main/acsr/purification/cluster-selection.ts';
import { keptComponents } from '../../main/acsr/purification/purification-parts.ts';
import { purifyImage } from '../../main/acsr/purification/purify-image.ts';
import { planTiles } from '../../main/acsr/purification/tiling.ts';
import { loadReferenceBundle, type ReferenceBundle } from '../../main/acsr/references/bundle-reader.ts';
import { sha256Hex } from '../../main/io/hashing.ts';
import { pffftSupportsSize } from '../../main/acsr/signal/fft/pffft-real-fft2d.ts';
import { runCli } from '../../main/cli/run-cli.ts';
import { decodeImage, readImage, writePng } from '../../main/io/image.ts';
import type { ImageArray } from '../../main/acsr/array/image-array.ts';
import { photosDir, repoRoot } from '../support/shared-data.ts';

// Stage iii with the shipped default bundle (models/default-bundle) and the real extractor.
let bundle: ReferenceBundle;
let extractor: LatentExtractor;
let work: string;

before(async () => {
  bundle = await loadReferenceBundle(join(repoRoot, 'models/default-bundle'));
  extractor = await loadLatentExtractor(bundle.manifest.extractor.id);
  work = await mkdtemp(join(tmpdir(), 'acsr-purify-test-'));
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

test('purifying clean photos keeps PSNR >= 30 dB and reports a converged CBPDN', async () => {
  for (const [file, top, left] of [
    ['skimage-chelsea.png', 60, 150],
    ['skimage-astronaut.png', 40, 180],
  ] as const) {
    const image = crop(await readImage(join(photosDir, file), { channels: 'rgb' }), top, left, 128, 128);
    const result = await purifyImage({ image, bundle, extractor });
    const quality = psnr(result.purified.data, image.data);
    assert.ok(quality >= 30, `${file}: PSNR ${quality.toFixed(2)} dB`);
    assert.ok(result.cbpdn.converged && result.cbpdn.iterations > 1);
    assert.ok(result.cbpdn.objective > 0);
    assert.equal(result.distances.length, bundle.clusters.length);
    // x_pur = clip(x_low + recon) and the components add up, to the float32 rounding they are kept in
    // (half a float32 step at 1 is 6e-8)
    const c = keptComponents(result.components);
    const high = c.high();
    const difference = c.difference();
    for (let i = 0; i < image.data.length; i += 97) {
      assert.ok(Math.abs(c.low.data[i] + high.data[i] - image.data[i]) < 1e-7);
      assert.ok(Math.abs(Math.min(1, Math.max(0, c.low.data[i] + c.reconstructedHigh.data[i])) - result.purified.data[i]) < 1e-7);
      assert.ok(Math.abs(result.purified.data[i] - image.data[i] - difference.data[i]) < 1e-7);
    }
  }
});

test('the selected cluster is the same for every clean photo and its JPEG (quality 90) re-encode', async () => {
  const changed: string[] = [];
  for (const file of (await readdir(photosDir)).sort()) {
    const bytes = await readFile(join(photosDir, file));
    const jpeg = await sharp(bytes).toColourspace('srgb').jpeg({ quality: 90 }).toBuffer();
    const [clean, reencoded] = await extractor.extract([await decodeImage(bytes, { channels: 'rgb' }), await decodeImage(jpeg, { channels: 'rgb' })]);
    const a = selectCluster(bundle, clean);
    const b = selectCluster(bundle, reencoded);
    if (a.selected.id !== b.selected.id) changed.push(`${file}: ${a.selected.id} -> ${b.selected.id}`);
  }
  assert.deepEqual(changed, []);
});

test('tiles cover the image exactly once with fast-FFT sizes, and tiled purification matches one-tile purification', async () => {
  for (const [h, w, size] of [
    [768, 1024, 256],
    [300, 451, 256],
    [97, 61, 40],
  ]) {
    const tiles = planTiles(h, w, size, 16);
    const covered = new Uint8Array(h * w);
    for (const t of tiles) {
      assert.ok(t.height <= size && t.width <= size && t.marginTop >= 16 && t.marginLeft >= 16);
      assert.ok(t.paddedHeight - t.height - t.marginTop >= 16 && t.paddedWidth - t.width - t.marginLeft >= 16);
      assert.ok(pffftSupportsSize(t.paddedHeight, t.paddedWidth), `${t.paddedHeight}x${t.paddedWidth}`);
      for (let y = t.top; y < t.top + t.height; y++) for (let x = t.left; x < t.left + t.width; x++) covered[y * w + x]++;
    }
    assert.ok(covered.every((n) => n === 1));
  }
  const image = crop(await readImage(join(photosDir, 'skimage-coffee.png'), { channels: 'rgb' }), 100, 200, 144, 176);
  const whole = await purifyImage({ image, bundle, extractor, options: { tileSize: 256 } });
  const tiled = await purifyImage({ image, bundle, extractor, options: { tileSize: 72 } });
  assert.equal(whole.cbpdn.tiles.length, 1);
  assert.equal(tiled.cbpdn.tiles.length, 6);
  // each tile stops at its own tolerance 1e-3, so they agree to that order, not exactly; seams would show as far less
  const agreement = psnr(tiled.purified.data, whole.purified.data);
  assert.ok(agreement >= 40, `tiled vs whole: ${agreement.toFixed(1)} dB`);
});

test('without the parts kept, x_pur written over x_low tile by tile is the same x_pur, to the bit', async () => {
  // 48-px cores with 16-px margins widened to the FFT grid: every tile's window reaches into its
  // neighbours' cores, so an x_low core overwritten before a neighbour had read it would show here
  const image = crop(await readImage(join(photosDir, 'skimage-coffee.png'), { channels: 'rgb', precision: 'float32' }), 100, 200, 144, 176);
  const options = { tileSize: 48, maxIterations: 20 };
  const kept = await purifyImage({ image, bundle, extractor, options });
  const overLow = await purifyImage({ image, bundle, extractor, options, keepComponents: false });
  assert.equal(overLow.cbpdn.tiles.length, 12);
  assert.equal(overLow.components, null);
  assert.ok(kept.components !== null);
  assert.deepEqual(overLow.purified.data, kept.purified.data);
});

test('acsr purify writes the purified PNG, its JSON (hashes, distances, override) and the components', async () => {
  const input = join(work, 'in.png');
  await writePng(input, crop(await readImage(join(photosDir, 'flower.jpg'), { channels: 'rgb' }), 100, 200, 64, 96));
  const out = join(work, 'out');
  const lines: string[] = [];
  const code = await runCli(
    ['purify', '--bundle', join(repoRoot, 'models/default-bundle'), '--in', input, '--out', out, '--cluster', 'sexy:1', '--save-components', '--quiet'],
    {
      stdout: { write: (chunk: string) => lines.push(chunk) },
      stderr: { write: () => true, isTTY: false } as never,
    },
  );
  assert.equal(code, 0, lines.join(''));
  const files = (await readdir(out)).sort();
  assert.deepEqual(files, ['in.difference.png', 'in.high.png', 'in.low.png', 'in.purification.json', 'in.purified.png', 'in.recon-high.png']);
  const report = JSON.parse(await readFile(join(out, 'in.purification.json'), 'utf8'));
  assert.equal(report.input.sha256, sha256Hex(await readFile(input)));
  assert.equal(report.output.sha256, sha256Hex(await readFile(join(out, 'in.purified.png'))));
  assert.equal(report.cluster.id, 'sexy:1');
  assert.equal(report.cluster.selectedBy, 'override');
  assert.equal(report.distances.length, bundle.clusters.length);
  assert.ok(report.distances.every((d: { distance: number }) => d.distance > 0));
  assert.equal(typeof report.backend.extractor, 'string');
  assert.ok(report.cbpdn.iterations >= 1 && report.timingsMs.total > 0);
});
