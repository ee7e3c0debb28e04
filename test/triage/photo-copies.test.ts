// Re-encoded, resized and mirrored copies of the shared photos against a hash list built from the
// originals: every copy matches its own original and nothing else, and the near-duplicate groups
// of originals plus copies are exactly one group per photo. The copies are made with sharp as an
// investigator's evidence would be made by a phone or a website: JPEG quality 70, half size, and
// a horizontal mirror.
//
// PDQ itself misses three copies of periodic textures (the reference implementation gives the
// same hashes): the mirrored brick wall (86 bits from its original over all eight variants), the
// half-size brick wall (58), the mirrored grass (42) and gravel (32), where the 64 x 64 decimation aliases the
// fine pattern differently once it is mirrored or resized. The test pins exactly those misses, so
// any other miss, or a fix, shows up.
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import sharp, { type Sharp } from 'sharp';
import { decodeImageSamples } from '../../main/io/image.ts';
import { computePdqDihedralOfBytes, pdqHammingDistance, type PdqDihedralHashes } from '../../main/pdq/pdq.ts';
import { bytePlaneForPdq } from '../../main/pdq/pdq-input.ts';
import { nearDuplicateGroups } from '../../main/triage/near-duplicate-groups.ts';
import { matchPdqList, packDihedralHashes } from '../../main/triage/pdq-matching.ts';
import { readHashList } from '../../main/triage/read-hash-list.ts';
import { photosDir } from '../support/shared-data.ts';

const COPIES = {
  'jpeg-q70': (image: Sharp) => image.jpeg({ quality: 70 }),
  'half-size': (image: Sharp, width: number) => image.resize({ width: Math.round(width / 2) }).png(),
  mirrored: (image: Sharp) => image.flop().png(),
} as const;

/** Copies no other copy of their photo links in either. */
const KNOWN_GROUP_MISSES = ['skimage-brick.png#half-size', 'skimage-brick.png#mirrored', 'skimage-grass.png#mirrored'];
/** The mirrored gravel is 32 bits from its original, but within 31 of its own re-encoded copy. */
const KNOWN_PDQ_MISSES = [...KNOWN_GROUP_MISSES, 'skimage-gravel.png#mirrored'];
/** Bits between each missed copy (its closest dihedral variant) and its original, as measured. */
const MEASURED_MISS_DISTANCES: Record<string, number> = {
  'skimage-brick.png#half-size': 58,
  'skimage-brick.png#mirrored': 86,
  'skimage-grass.png#mirrored': 42,
  'skimage-gravel.png#mirrored': 32,
};

interface Photo {
  name: string;
  original: PdqDihedralHashes;
  copies: Record<keyof typeof COPIES, PdqDihedralHashes>;
}

async function hashBytes(bytes: Uint8Array): Promise<PdqDihedralHashes> {
  return computePdqDihedralOfBytes(bytePlaneForPdq(await decodeImageSamples(bytes), { overwriteSamples: true }));
}

describe('hash-list matching of copies of the shared photos', () => {
  const photos: Photo[] = [];

  before(async () => {
    const names = readdirSync(photosDir)
      .filter((name) => /\.(png|jpe?g)$/i.test(name))
      .sort();
    assert.equal(names.length, 20);
    for (const name of names) {
      const file = path.join(photosDir, name);
      // The pixels as decoded (EXIF orientation applied), so every copy starts from the same picture.
      const { data, info } = await sharp(file).rotate().removeAlpha().raw().toBuffer({ resolveWithObject: true });
      const raw = () => sharp(data, { raw: { width: info.width, height: info.height, channels: info.channels } });
      const copies = {} as Photo['copies'];
      for (const [copy, make] of Object.entries(COPIES) as Array<[keyof typeof COPIES, (typeof COPIES)[keyof typeof COPIES]]>) {
        copies[copy] = await hashBytes(await make(raw(), info.width).toBuffer());
      }
      photos.push({ name, original: await hashBytes(await raw().png({ compressionLevel: 1 }).toBuffer()), copies });
    }
  });

  it('keeps different photos far apart (the premise of the no-false-match check)', () => {
    let closest = Infinity;
    for (const a of photos) {
      for (const b of photos) {
        if (a === b) continue;
        for (const variant of Object.values(a.original)) closest = Math.min(closest, pdqHammingDistance(variant.hash, b.original.original.hash));
      }
    }
    // Measured: 88 bits between the closest pair (any variant of one against the other).
    assert.ok(closest > 60, `closest different photos are ${closest} bits apart`);
  });

  it('matches every copy to its original in a list of the originals, and to nothing else', async () => {
    const listText = ['pdq,category,source', ...photos.map((photo) => `${photo.original.original.hash},known,${photo.name}`)].join('\n');
    const list = await readHashList([Buffer.from(listText)], { name: 'originals.csv' });
    assert.equal(list.counts.pdq, 20);
    const items = photos.flatMap((photo) => [photo.original, photo.copies['jpeg-q70'], photo.copies['half-size'], photo.copies.mirrored]);
    const matches = matchPdqList(packDihedralHashes(items), list.pdq);
    const found = matches.map((match) => ({
      photo: photos[Math.floor(match.item / 4)].name,
      copy: ['original', 'jpeg-q70', 'half-size', 'mirrored'][match.item % 4],
      listed: list.entry(list.pdq.entryOfRow[match.row]).source,
    }));
    const expected = photos
      .flatMap((photo) => ['original', 'jpeg-q70', 'half-size', 'mirrored'].map((copy) => ({ photo: photo.name, copy, listed: photo.name })))
      .filter((copy) => !KNOWN_PDQ_MISSES.includes(`${copy.photo}#${copy.copy}`));
    assert.deepEqual(found, expected);
    for (const match of matches) assert.ok(match.distance <= 31);
    // The mirror is found through a mirrored variant, the others through the picture as it is.
    for (const match of matches) if (match.item % 4 === 3) assert.notEqual(match.variant, 'original');
  });

  it('misses only the texture copies, at the distances documented above', () => {
    // The closest of the copy's eight variants to the original as listed, per copy; the misses
    // are pinned to the measured distances so a change in decoding or hashing shows up here.
    const closest = (photo: Photo, copy: keyof typeof COPIES) =>
      Math.min(...Object.values(photo.copies[copy]).map((variant) => pdqHammingDistance(variant.hash, photo.original.original.hash)));
    const misses: Record<string, number> = {};
    let farthestMatch = 0;
    for (const photo of photos) {
      for (const copy of Object.keys(COPIES) as Array<keyof typeof COPIES>) {
        const distance = closest(photo, copy);
        if (distance > 31) misses[`${photo.name}#${copy}`] = distance;
        else farthestMatch = Math.max(farthestMatch, distance);
      }
    }
    assert.deepEqual(misses, MEASURED_MISS_DISTANCES);
    // Every other copy lies well inside the threshold.
    assert.ok(farthestMatch <= 31, `farthest matching copy ${farthestMatch}`);
  });

  it('groups each photo with its copies, one group per photo', () => {
    const items = photos.flatMap((photo) => [
      { id: `${photo.name}#mirrored`, pdq: photo.copies.mirrored },
      { id: `${photo.name}#original`, pdq: photo.original },
      { id: `${photo.name}#jpeg-q70`, pdq: photo.copies['jpeg-q70'] },
      { id: `${photo.name}#half-size`, pdq: photo.copies['half-size'] },
    ]);
    const groups = nearDuplicateGroups(items);
    // One group per photo, except that a missed copy stays on its own (when no other copy of
    // its photo links it in).
    const expected = photos.flatMap((photo) => {
      const copies = ['mirrored', 'original', 'jpeg-q70', 'half-size'].map((copy) => `${photo.name}#${copy}`);
      const alone = copies.filter((id) => KNOWN_GROUP_MISSES.includes(id));
      const together = copies.filter((id) => !alone.includes(id));
      return [together, ...alone.map((id) => [id])].sort((a, b) => copies.indexOf(a[0]) - copies.indexOf(b[0]));
    });
    assert.deepEqual(
      groups.map((group) => group.members),
      expected,
    );
    for (const group of groups) {
      assert.equal(group.id, group.representative);
      assert.ok(group.members.includes(group.representative));
    }
    // Deterministic: the same items give the same groups.
    assert.deepEqual(nearDuplicateGroups(items), groups);
  });
});
