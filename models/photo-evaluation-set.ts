/**
 * Builds the labelled photo set of the NSFW evaluation from the real
 * photos in ../shared/data/photos: per photo, the largest centred square and its mirror image,
 * and a 70 % centred zoom, each resized to 224 x 224 (the bundled filters' input size, so an
 * attack's budget is spent at the resolution the filter sees) with sharp's Lanczos-3, written
 * as PNG (no new compression). Labels are a person's, not a filter's: The Scream is a painting
 * (nsfwjs's class `Drawing`: safe-for-work drawings), every other photo is `Neutral`. The bundled
 * MobileNetV2 disagrees on two photos (it calls The Scream neutral and the rocket a drawing);
 * that is part of its clean accuracy.
 *
 *   npx node --import tsx models/photo-evaluation-set.ts OUT_DIR [PHOTOS_DIR] [--variants centre,mirror,zoom]
 */
import { mkdir, readdir } from 'node:fs/promises';
import { basename, extname, join, resolve } from 'node:path';
import sharp from 'sharp';

const SIDE = 224;
const ZOOM = 0.7;
const DRAWINGS = new Set(['darknet-scream']);
const VARIANTS = ['centre', 'mirror', 'zoom'] as const;

const args = process.argv.slice(2);
const variantsFlag = args.indexOf('--variants');
const variants = variantsFlag >= 0 ? args.splice(variantsFlag, 2)[1].split(',') : [...VARIANTS];
const [out, photos = resolve(import.meta.dirname, '../../shared/data/photos')] = args;
if (!out || variants.some((v) => !(VARIANTS as readonly string[]).includes(v))) {
  console.error(`usage: photo-evaluation-set.ts OUT_DIR [PHOTOS_DIR] [--variants ${VARIANTS.join(',')}]`);
  process.exit(2);
}
for (const file of (await readdir(photos)).filter((f) => /\.(png|jpe?g)$/i.test(f)).sort()) {
  const stem = basename(file, extname(file));
  const label = DRAWINGS.has(stem) ? 'drawing' : 'neutral';
  await mkdir(join(out, label), { recursive: true });
  const source = sharp(join(photos, file)).removeAlpha().toColourspace('srgb');
  const { width, height } = await source.metadata();
  const square = Math.min(width, height);
  for (const variant of variants) {
    const side = variant === 'zoom' ? Math.round(square * ZOOM) : square;
    const region = { left: (width - side) >> 1, top: (height - side) >> 1, width: side, height: side };
    let image = sharp(join(photos, file)).removeAlpha().toColourspace('srgb').extract(region).resize(SIDE, SIDE, { kernel: 'lanczos3' });
    if (variant === 'mirror') image = image.flop();
    await image.png().toFile(join(out, label, `${stem}-${variant}.png`));
  }
  console.log(`${file}: ${label}`);
}
