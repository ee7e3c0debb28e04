// Conformance with the reference suite's hashes (facebook/ThreatExchange pdq_test.py), decoding
// the reference images with our own decoder (sharp). The reference accepts distance <= 16 for
// implementations whose decoder differs; the PDQ README asks for <= 10 where quality >= 80.
// Measured: 0 everywhere except q0003.jpg (10 bits, quality 3: a near-flat picture whose bits sit
// on decoder rounding; Pillow 9.4 with libjpeg-turbo gives exactly our hash for it).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { computePdqDihedralOfFile, computePdqOfFile, pdqHammingDistance, type PdqDihedralHashes } from '../../main/pdq/pdq.ts';
import { pdqReferenceDir } from '../support/shared-data.ts';

interface PdqExpected {
  tolerance: string;
  match_threshold: number;
  quality_discard_at_or_below: number;
  hashes: Record<string, string>;
}

const expected: PdqExpected = JSON.parse(readFileSync(path.join(pdqReferenceDir, 'expected.json'), 'utf8'));
const imagePath = (name: string) => path.join(pdqReferenceDir, 'images', name);

const SUITE_TOLERANCE = 16;
const README_TOLERANCE_AT_GOOD_QUALITY = 10;
const GOOD_QUALITY = 80;

describe('PDQ conformance with the reference hashes', () => {
  it('hashes every reference image within the reference tolerance', async (t) => {
    const names = Object.keys(expected.hashes);
    assert.ok(names.length >= 18, 'expected.json lists the reference suite');
    const rows: string[] = [];
    const failures: string[] = [];
    for (const name of names) {
      const { hash, quality } = await computePdqOfFile(imagePath(name));
      assert.match(hash, /^[0-9a-f]{64}$/);
      assert.ok(Number.isInteger(quality) && quality >= 0 && quality <= 100, `${name}: quality ${quality}`);
      const distance = pdqHammingDistance(hash, expected.hashes[name]);
      rows.push(`${name}: distance ${distance}, quality ${quality}`);
      const limit = quality >= GOOD_QUALITY ? README_TOLERANCE_AT_GOOD_QUALITY : SUITE_TOLERANCE;
      if (distance > limit) failures.push(`${name}: distance ${distance} > ${limit} (quality ${quality})`);
    }
    t.diagnostic(rows.join('; '));
    assert.deepEqual(failures, []);
  });

  it('gives the dihedral variants of bridge-1 close to the hashes of the rotated and flipped files', async (t) => {
    const files: Record<keyof PdqDihedralHashes, string> = {
      original: 'bridge-1-original.jpg',
      rotate90: 'bridge-2-rotate-90.jpg',
      rotate180: 'bridge-3-rotate-180.jpg',
      rotate270: 'bridge-4-rotate-270.jpg',
      flipX: 'bridge-5-flipx.jpg',
      flipY: 'bridge-6-flipy.jpg',
      flipPlus1: 'bridge-7-flip-plus-1.jpg',
      flipMinus1: 'bridge-8-flip-minus-1.jpg',
    };
    const variants = await computePdqDihedralOfFile(imagePath(files.original));
    const original = await computePdqOfFile(imagePath(files.original));
    assert.deepEqual(variants.original, original, 'the original variant is the plain hash');
    const rows: string[] = [];
    for (const [variant, file] of Object.entries(files) as [keyof PdqDihedralHashes, string][]) {
      assert.equal(variants[variant].quality, original.quality);
      const own = pdqHammingDistance(variants[variant].hash, expected.hashes[file]);
      rows.push(`${variant} vs ${file}: ${own}`);
      // Computed from the DCT the way the reference does, the variants that mirror left-right
      // land 16 to 18 bits from the files' hashes (the even-width box filter and the decimation
      // grid are not mirror-symmetric), so the bound that matters is the match threshold; every
      // other file must stay far away.
      assert.ok(own <= expected.match_threshold, `${variant} vs ${file}: distance ${own} > ${expected.match_threshold}`);
      for (const [otherVariant, otherFile] of Object.entries(files)) {
        if (otherVariant === variant) continue;
        const other = pdqHammingDistance(variants[variant].hash, expected.hashes[otherFile]);
        assert.ok(other > 3 * expected.match_threshold, `${variant} also matches ${otherFile} (distance ${other})`);
      }
    }
    t.diagnostic(rows.join('; '));
  });

  it('marks the near-flat reference images as below the quality threshold and the photographs above it', async () => {
    // Not values from the reference (it publishes none), but what its metric must say about
    // pictures this different: q0003 / q0004 are almost uniform, the bridge is a detailed photo.
    for (const name of ['q0003.jpg', 'q0004.jpg']) {
      assert.ok((await computePdqOfFile(imagePath(name))).quality <= expected.quality_discard_at_or_below, name);
    }
    for (const name of ['bridge-1-original.jpg', 'q0122.jpg', 'c.png']) {
      assert.ok((await computePdqOfFile(imagePath(name))).quality > expected.quality_discard_at_or_below, name);
    }
  });
});
