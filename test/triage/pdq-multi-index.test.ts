// The multi-index against a brute-force scan on 100,000 random list hashes with near neighbours
// planted around 1,000 queries (seeded): the same answers, with the same distances, at the
// reference threshold and at thresholds on either side of each slot-radius step, including the
// adversarial case where the flipped bits are spread evenly over all sixteen slots.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PDQ_WORDS, packedDistance, packPdqHex, unpackPdqHex } from '../../main/triage/packed-pdq.ts';
import { PdqMultiIndex } from '../../main/triage/pdq-multi-index.ts';
import { forEachPdqPairWithin, matchPdqList, type PackedPdqSet } from '../../main/triage/pdq-matching.ts';
import { DIHEDRAL_NAMES } from '../../main/pdq/dihedral.ts';
import { pdqHammingDistance } from '../../main/pdq/pdq.ts';
import { flipPositions, plantNear, randomHashes, seededRandom, type FlipSpread } from './random-pdq.ts';

const LIST_SIZE = 100_000;
const QUERIES = 1_000;
const PLANTED_DISTANCES = [0, 1, 2, 15, 16, 17, 29, 30, 31, 32, 33, 40, 47, 48, 63, 64];
const SPREADS: FlipSpread[] = ['anywhere', 'even', 'crowded'];
const THRESHOLDS = [0, 15, 16, 31, 32, 47, 63, 70];

function fixture() {
  const random = seededRandom(20240613);
  const list = randomHashes(LIST_SIZE, random);
  const queries = randomHashes(QUERIES, random);
  // Around each query, four list hashes at planted distances: 4,000 near neighbours in all.
  for (let q = 0; q < QUERIES; q++) {
    for (let k = 0; k < 4; k++) {
      const distance = PLANTED_DISTANCES[Math.floor(random() * PLANTED_DISTANCES.length)];
      const spread = SPREADS[Math.floor(random() * SPREADS.length)];
      plantNear(queries, q, list, (q * 97 + k * 24_999 + 11) % LIST_SIZE, flipPositions(distance, spread, random));
    }
  }
  return { list, queries };
}

describe('PDQ multi-index', () => {
  const { list, queries } = fixture();
  const index = new PdqMultiIndex(list);
  // Brute force once: every (query, list hash) within the largest threshold tested.
  const near: Array<Array<[number, number]>> = [];
  for (let q = 0; q < QUERIES; q++) {
    const found: Array<[number, number]> = [];
    for (let entry = 0; entry < LIST_SIZE; entry++) {
      const distance = packedDistance(list, entry * PDQ_WORDS, queries, q * PDQ_WORDS);
      if (distance <= 70) found.push([entry, distance]);
    }
    near.push(found);
  }

  for (const threshold of THRESHOLDS) {
    it(`returns exactly the brute-force answers at threshold ${threshold}`, () => {
      let total = 0;
      for (let q = 0; q < QUERIES; q++) {
        const got: Array<[number, number]> = [];
        index.forEachWithin(queries, q * PDQ_WORDS, threshold, (entry, distance) => got.push([entry, distance]));
        got.sort((a, b) => a[0] - b[0]);
        assert.deepEqual(
          got,
          near[q].filter(([, distance]) => distance <= threshold),
          `query ${q}`,
        );
        total += got.length;
      }
      // The planted neighbours make every threshold's answer non-trivial.
      if (threshold >= 15) assert.ok(total > 500, `${total} matches at ${threshold}`);
    });
  }

  // The batch join (two-level pigeonhole: a half within t/16 bits inside a word within t/8) on
  // the first 300 queries, which carry 1,200 planted neighbours, in both orders of the batches.
  const small: PackedPdqSet = { words: queries.slice(0, 300 * PDQ_WORDS), count: 300 };
  const large: PackedPdqSet = { words: list, count: LIST_SIZE };
  const pairs = (a: PackedPdqSet, b: PackedPdqSet, threshold: number) => {
    const found: string[] = [];
    forEachPdqPairWithin(a, b, threshold, (x, y, distance) => found.push(a === small ? `${x}:${y}:${distance}` : `${y}:${x}:${distance}`));
    return found.sort();
  };
  for (const threshold of THRESHOLDS) {
    it(`joins two batches to exactly the brute-force pairs, in either order, at threshold ${threshold}`, () => {
      const expected = near
        .slice(0, 300)
        .flatMap((found, q) => found.filter(([, d]) => d <= threshold).map(([entry, d]) => `${q}:${entry}:${d}`))
        .sort();
      const got = pairs(small, large, threshold);
      assert.deepEqual(got, expected);
      assert.deepEqual(pairs(large, small, threshold), got);
      if (threshold >= 15) assert.ok(got.length > 100, `${got.length} pairs at ${threshold}`);
    });
  }

  it('matches items over their eight variants with the closest distance, as brute force', () => {
    // 100 "items" of 8 variants each (queries 0..799); each list row's match is its closest variant.
    const items: PackedPdqSet = { words: queries.slice(0, 800 * PDQ_WORDS), count: 800 };
    const got = matchPdqList(items, large, 31).map((m) => `${m.item}:${m.row}:${m.distance}:${DIHEDRAL_NAMES.indexOf(m.variant)}`);
    const expected: string[] = [];
    for (let item = 0; item < 100; item++) {
      const best = new Map<number, [number, number]>();
      for (let v = 0; v < 8; v++) {
        for (const [entry, d] of near[item * 8 + v]) {
          const previous = best.get(entry);
          if (d <= 31 && (previous === undefined || d < previous[0])) best.set(entry, [d, v]);
        }
      }
      for (const [entry, [d, v]] of [...best].sort((x, y) => x[0] - y[0])) expected.push(`${item}:${entry}:${d}:${v}`);
    }
    assert.deepEqual(got, expected);
    assert.ok(got.length > 200, `${got.length} item matches`);
  });

  it('packs hex the way the PDQ reference prints hashes', () => {
    const a = 'f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22';
    const b = 'f8f8f0cee0f4a84f06370a32038f63f0b36e2ed596621e1d33e6b39c4e9c9b2f';
    const words = new Uint32Array(16);
    assert.ok(packPdqHex(a, words, 0) && packPdqHex(b.toUpperCase(), words, 8));
    assert.equal(unpackPdqHex(words, 0), a);
    assert.equal(packedDistance(words, 0, words, 8), pdqHammingDistance(a, b));
    assert.equal(packPdqHex(a.slice(1) + 'g', words, 0), false);
    assert.deepEqual(new PdqMultiIndex(words).within(a, 31), [
      { entry: 0, distance: 0 },
      { entry: 1, distance: 4 },
    ]);
  });
});
