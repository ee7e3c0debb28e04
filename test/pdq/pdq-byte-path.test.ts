// PDQ from 8-bit samples (computePdqOfFile, and the case import through examineEvidenceImage)
// against the float path it replaced (decodeImage as float32 RGB, 16-bit samples requantised to
// their high byte, computePdq): identical hashes and qualities on every shared photo and
// reference image, and on the layouts the byte path treats differently (grey kept as one
// channel, alpha bands, 16-bit samples, EXIF rotation, CMYK, pictures big enough for reduce()).
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import sharp, { type Sharp } from 'sharp';
import { examineEvidenceImage } from '../../main/case/evidence-image.ts';
import { readImage } from '../../main/io/image.ts';
import { computePdq, computePdqDihedral, computePdqDihedralOfFile, computePdqOfFile, type PdqHash } from '../../main/pdq/pdq.ts';
import { pdqReferenceDir, photosDir } from '../support/shared-data.ts';

/** The float path as computePdqOfFile ran it before the byte path. */
async function floatPathRaster(file: string) {
  const image = await readImage(file, { channels: 'rgb', precision: 'float32' });
  if (image.sourceBitDepth > 8) {
    for (let i = 0; i < image.data.length; i++) image.data[i] = Math.floor(Math.round(image.data[i] * 65535) / 256) / 255;
  }
  return image;
}

async function assertSameAsFloatPath(file: string): Promise<PdqHash> {
  const expected = computePdq(await floatPathRaster(file));
  assert.deepEqual(await computePdqOfFile(file), expected, path.basename(file));
  const facts = await examineEvidenceImage(readFileSync(file), { source: path.basename(file) });
  assert.deepEqual({ hash: facts.pdqHash, quality: facts.pdqQuality }, expected, `${path.basename(file)} imported`);
  return expected;
}

describe('PDQ from 8-bit samples', () => {
  let folder: string;
  before(() => (folder = mkdtempSync(path.join(tmpdir(), 'pdq-byte-path-'))));
  after(() => rmSync(folder, { recursive: true, force: true }));

  it('hashes every shared photo and reference image exactly as the float path', async () => {
    const files = [
      ...readdirSync(photosDir)
        .filter((name) => /\.(png|jpe?g)$/i.test(name))
        .map((name) => path.join(photosDir, name)),
      ...readdirSync(path.join(pdqReferenceDir, 'images')).map((name) => path.join(pdqReferenceDir, 'images', name)),
    ];
    assert.ok(files.length >= 38);
    for (const file of files) await assertSameAsFloatPath(file);
  });

  it('gives the same dihedral variants', async () => {
    const file = path.join(photosDir, 'skimage-chelsea.png');
    assert.deepEqual(await computePdqDihedralOfFile(file), computePdqDihedral(await floatPathRaster(file)));
  });

  it('treats grey, alpha, 16-bit, rotated, CMYK and large pictures as the float path does', async () => {
    const photo = path.join(photosDir, 'darknet-horses.jpg');
    const { width = 0, height = 0 } = await sharp(photo).metadata();
    const rgb = await sharp(photo).removeAlpha().raw().toBuffer();
    const write = async (name: string, image: Sharp) => {
      const file = path.join(folder, name);
      writeFileSync(file, await image.toBuffer());
      return file;
    };
    const files = [
      await write('grey.png', sharp(photo).toColourspace('b-w').png()),
      await write('grey-alpha.png', sharp(photo).toColourspace('b-w').ensureAlpha(0.6).png()),
      await write('rgba.png', sharp(photo).ensureAlpha(0.4).png()),
      await write('grey16.png', sharp(photo).toColourspace('grey16').png()),
      await write('grey16-alpha.png', sharp(photo).toColourspace('grey16').ensureAlpha(0.5).png()),
      await write('rgb16.png', sharp(photo).toColourspace('rgb16').png()),
      await write('rgba16.png', sharp(photo).toColourspace('rgb16').ensureAlpha(0.5).png()),
      await write(
        'rotated.jpg',
        sharp(rgb, { raw: { width, height, channels: 3 } })
          .jpeg({ quality: 90 })
          .withMetadata({ orientation: 6 }),
      ),
      await write('cmyk.jpg', sharp(photo).toColourspace('cmyk').jpeg({ quality: 90 })),
      await write('large.jpg', sharp(photo).resize(4100, 2700, { fit: 'fill' }).jpeg({ quality: 90 })),
      await write('tall.png', sharp(photo).resize(300, 2300, { fit: 'fill' }).png()),
      await write('small.png', sharp(photo).resize(200, 130).png()),
      await write('tiny.png', sharp(photo).resize(4, 9, { fit: 'fill' }).png()),
    ];
    const qualities: number[] = [];
    for (const file of files) qualities.push((await assertSameAsFloatPath(file)).quality);
    assert.ok(
      qualities.slice(0, -1).every((quality) => quality > 49),
      `qualities ${qualities}`,
    );
  });

  it('keeps the import notes the float path gave, without the RGB replication of grey', async () => {
    const file = path.join(folder, 'notes-grey-alpha.png');
    writeFileSync(file, await sharp(path.join(photosDir, 'skimage-camera.png')).ensureAlpha(0.5).png().toBuffer());
    const facts = await examineEvidenceImage(readFileSync(file), { source: 'notes-grey-alpha.png' });
    const floatNotes = (await readImage(file, { channels: 'rgb', precision: 'float32' })).notes;
    assert.deepEqual(
      facts.decodeNotes,
      floatNotes.filter((note) => !note.startsWith('greyscale replicated')),
    );
    assert.ok(facts.decodeNotes.some((note) => note.startsWith('alpha channel dropped')));
  });
});
