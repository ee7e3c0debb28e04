/**
 * Builds the labelled training folder of the default bundle (models/default-bundle) from the 36
 * photographs of Debian's wallpaper packages listed in default-bundle-photos.ts, never from
 * ../shared/data/photos (the photo evaluation set): a bundle must not be evaluated on what it
 * learned from.
 *
 * Each photograph gives seven 224 x 224 images (the bundled filters' input size, so dictionaries
 * learn detail at the scale purification later sees): the largest centred square, its mirror
 * image, a 70 % centred zoom (the three variants the evaluation set uses), and the four 70 %
 * corner crops of the square; resized with sharp's Lanczos-3 and written as PNG (no new
 * compression). The class is the one the bundled content filter (nsfwjs MobileNetV2) gives the
 * centred square, lower-cased, as stage i clusters the filter's own classes.
 *
 *   npx node --import tsx models/default-bundle-training-set.ts OUT_DIR [--debs DIR]
 *
 * The packages are fetched with `apt-get download` into --debs (default /tmp/acsr-wallpaper-debs)
 * and unpacked there with dpkg-deb; nothing is installed.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import sharp from 'sharp';
import { loadImageClassifier } from '../main/acsr/models/latent-extractor.ts';
import { sha256Hex } from '../main/io/hashing.ts';
import { DEFAULT_BUNDLE_PHOTOS } from './default-bundle-photos.ts';

const SIDE = 224;
const PART = 0.7;

const args = process.argv.slice(2);
const debsFlag = args.indexOf('--debs');
const debs = debsFlag >= 0 ? args.splice(debsFlag, 2)[1] : '/tmp/acsr-wallpaper-debs';
const [out] = args;
if (!out) {
  console.error('usage: default-bundle-training-set.ts OUT_DIR [--debs DIR]');
  process.exit(2);
}

const unpacked = await unpackPackages([...new Set(DEFAULT_BUNDLE_PHOTOS.map((p) => p.debianPackage))], debs);
const classifier = await loadImageClassifier('nsfwjs-mobilenet-v2');
const sources: Record<string, unknown>[] = [];
for (const photo of DEFAULT_BUNDLE_PHOTOS) {
  const file = join(unpacked.get(photo.debianPackage)!, photo.path);
  const bytes = await readFile(file);
  const stem = stemOf(photo.path);
  const { width = 0, height = 0 } = await sharp(bytes).metadata();
  const square = Math.min(width, height);
  const part = Math.round(square * PART);
  const left = (width - square) >> 1;
  const top = (height - square) >> 1;
  const regions: [string, { left: number; top: number; width: number; height: number }, boolean][] = [
    ['centre', { left, top, width: square, height: square }, false],
    ['mirror', { left, top, width: square, height: square }, true],
    ['zoom', { left: (width - part) >> 1, top: (height - part) >> 1, width: part, height: part }, false],
    ['top-left', { left, top, width: part, height: part }, false],
    ['top-right', { left: left + square - part, top, width: part, height: part }, false],
    ['bottom-left', { left, top: top + square - part, width: part, height: part }, false],
    ['bottom-right', { left: left + square - part, top: top + square - part, width: part, height: part }, false],
  ];
  const pngs = await Promise.all(regions.map(async ([, region, mirror]) => {
    let image = sharp(bytes).removeAlpha().toColourspace('srgb').extract(region).resize(SIDE, SIDE, { kernel: 'lanczos3' });
    if (mirror) image = image.flop();
    return image.png().toBuffer();
  }));
  const centre = await sharp(pngs[0]).raw().toBuffer();
  const [scores] = await classifier.scores([{ height: SIDE, width: SIDE, channels: 3, data: Float64Array.from(centre, (v) => v / 255) }]);
  const label = classifier.classNames[scores.indexOf(Math.max(...scores))].toLowerCase();
  await mkdir(join(out, label), { recursive: true });
  await Promise.all(regions.map(([name], i) => writeFile(join(out, label, `${stem}-${name}.png`), pngs[i])));
  sources.push({ ...photo, sha256: sha256Hex(bytes), label });
  console.log(`${photo.debianPackage}/${basename(photo.path)}: ${label}`);
}
classifier.dispose();
await writeFile(join(out, '..', `${basename(out)}-sources.json`), `${JSON.stringify(sources, null, 2)}\n`);

/** apt-get download + dpkg-deb -x of each package into DIR/<package>/ (kept for the next run). */
async function unpackPackages(packages: string[], dir: string): Promise<Map<string, string>> {
  await mkdir(dir, { recursive: true });
  const folders = new Map<string, string>();
  for (const name of packages) {
    const folder = join(dir, name);
    if (!existsSync(folder)) {
      let deb = (await readdir(dir)).find((f) => f.startsWith(`${name}_`) && f.endsWith('.deb'));
      if (!deb) {
        execFileSync('apt-get', ['download', name], { cwd: dir, stdio: 'inherit' });
        deb = (await readdir(dir)).find((f) => f.startsWith(`${name}_`) && f.endsWith('.deb'));
        if (!deb) throw new Error(`apt-get download ${name} left no .deb in ${dir}`);
      }
      execFileSync('dpkg-deb', ['-x', join(dir, deb), folder]);
    }
    folders.set(name, folder);
  }
  return folders;
}

function stemOf(path: string): string {
  const file = basename(path, extname(path));
  // plasma's photos are all named by their size: their folder names them
  return /^\d+x\d+$/.test(file) ? path.split('/').at(-4)! : file;
}
