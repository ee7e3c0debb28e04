/**
 * Builds the labelled training folder of the default bundle (models/default-bundle) from the real
 * photos in ../shared/data/photos: each photo and its five crops at 70 % of each side (the four
 * corners and the centre) become six images of one class, the class the bundled content filter
 * (nsfwjs MobileNetV2) gives the whole photo, lower-cased. The crops give every class enough
 * samples for a covariance (the filter calls only one photo 'Drawing').
 *
 *   npx node --import tsx models/default-bundle-training-set.ts OUT_DIR [PHOTOS_DIR]
 *
 * PNG output, so the crops carry no new compression.
 */
import { mkdir, readdir } from 'node:fs/promises';
import { basename, extname, join, resolve } from 'node:path';
import { readImage, writePng, type RasterImage } from '../main/io/image.ts';
import { loadImageClassifier } from '../main/acsr/models/latent-extractor.ts';

const CROP_FRACTION = 0.7;

const [out, photos = resolve(import.meta.dirname, '../../shared/data/photos')] = process.argv.slice(2);
if (!out) {
  console.error('usage: default-bundle-training-set.ts OUT_DIR [PHOTOS_DIR]');
  process.exit(2);
}
const classifier = await loadImageClassifier('nsfwjs-mobilenet-v2');
const files = (await readdir(photos)).filter((f) => /\.(png|jpe?g)$/i.test(f)).sort();
for (const file of files) {
  const image = await readImage(join(photos, file), { channels: 'rgb' });
  const [scores] = await classifier.scores([image]);
  const label = classifier.classNames[scores.indexOf(Math.max(...scores))].toLowerCase();
  await mkdir(join(out, label), { recursive: true });
  const stem = basename(file, extname(file));
  const h = Math.round(image.height * CROP_FRACTION);
  const w = Math.round(image.width * CROP_FRACTION);
  const corners: [string, number, number][] = [
    ['full', -1, -1], ['top-left', 0, 0], ['top-right', 0, image.width - w], ['bottom-left', image.height - h, 0],
    ['bottom-right', image.height - h, image.width - w], ['centre', (image.height - h) >> 1, (image.width - w) >> 1],
  ];
  for (const [name, top, left] of corners) {
    const part = top < 0 ? image : crop(image, top, left, h, w);
    await writePng(join(out, label, `${stem}-${name}.png`), part);
  }
  console.log(`${file}: ${label}`);
}
classifier.dispose();

function crop(image: RasterImage, top: number, left: number, height: number, width: number): RasterImage {
  const c = image.channels;
  const data = new Float64Array(height * width * c);
  for (let y = 0; y < height; y++) {
    const from = ((top + y) * image.width + left) * c;
    data.set(image.data.subarray(from, from + width * c), y * width * c);
  }
  return { height, width, channels: image.channels, data };
}
