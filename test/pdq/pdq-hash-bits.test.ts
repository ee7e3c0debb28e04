// The hash's bit layout, text form and distance, and the median that sets the bits.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { UserInputError } from '../../main/errors/user-input-error.ts';
import { formatHashWords, hashWordsFromDct, parseHashHex } from '../../main/pdq/hash-bits.ts';
import { pdqHammingDistance } from '../../main/pdq/pdq.ts';
import { torbenMedian } from '../../main/pdq/torben-median.ts';

/** A DCT block where only coefficient k is above all the others (and so above the median). */
function blockWithOnly(k: number): Float64Array {
  const block = new Float64Array(256).fill(-1);
  block[k] = 1;
  return block;
}

function randomValues(count: number, seed: number): Float64Array {
  let state = seed;
  const values = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    values[i] = (state / 2 ** 32) * 200 - 100;
  }
  return values;
}

describe('PDQ hash text form', () => {
  it('prints bit k in 16-bit word k >> 4, words from 15 down to 0, as the reference does', () => {
    assert.equal(formatHashWords(hashWordsFromDct(blockWithOnly(0))), '0'.repeat(63) + '1');
    assert.equal(formatHashWords(hashWordsFromDct(blockWithOnly(15))), '0'.repeat(60) + '8000');
    assert.equal(formatHashWords(hashWordsFromDct(blockWithOnly(16))), '0'.repeat(59) + '1' + '0000');
    assert.equal(formatHashWords(hashWordsFromDct(blockWithOnly(255))), '8' + '0'.repeat(63));
  });

  it('sets exactly the coefficients above the median: half of distinct values', () => {
    const block = randomValues(256, 7);
    const words = hashWordsFromDct(block);
    const hex = formatHashWords(words);
    assert.equal(pdqHammingDistance(hex, '0'.repeat(64)), 128);
    const median = torbenMedian(block);
    for (let k = 0; k < 256; k++) assert.equal(((words[k >> 4] >> (k & 15)) & 1) === 1, block[k] > median, `bit ${k}`);
  });

  it('parses what it prints, upper case too', () => {
    const hex = formatHashWords(hashWordsFromDct(randomValues(256, 11)));
    assert.equal(formatHashWords(parseHashHex(hex)), hex);
    assert.equal(formatHashWords(parseHashHex(hex.toUpperCase())), hex);
  });
});

describe('pdqHammingDistance', () => {
  it('counts differing bits', () => {
    const zero = '0'.repeat(64);
    assert.equal(pdqHammingDistance(zero, zero), 0);
    assert.equal(pdqHammingDistance(zero, 'f'.repeat(64)), 256);
    assert.equal(pdqHammingDistance(zero, '0'.repeat(63) + '1'), 1);
    assert.equal(pdqHammingDistance(zero, '8' + '0'.repeat(62) + '3'), 3);
    assert.equal(pdqHammingDistance('a'.repeat(64), '5'.repeat(64)), 256);
    assert.equal(pdqHammingDistance('F'.repeat(64), 'f'.repeat(64)), 0);
  });

  it('is symmetric and obeys the triangle inequality', () => {
    const hashes = [3, 5, 9].map((seed) => formatHashWords(hashWordsFromDct(randomValues(256, seed))));
    const [a, b, c] = hashes;
    assert.equal(pdqHammingDistance(a, b), pdqHammingDistance(b, a));
    assert.ok(pdqHammingDistance(a, c) <= pdqHammingDistance(a, b) + pdqHammingDistance(b, c));
  });

  it('refuses malformed hashes with a UserInputError naming them', () => {
    const good = '0'.repeat(64);
    for (const bad of ['', '0'.repeat(63), '0'.repeat(65), 'g' + '0'.repeat(63), ' ' + '0'.repeat(63)]) {
      assert.throws(
        () => pdqHammingDistance(good, bad),
        (error: unknown) => error instanceof UserInputError && error.message.includes('not a PDQ hash'),
      );
    }
  });
});

describe('torbenMedian', () => {
  it('returns the lower median, as the reference does, with and without ties', () => {
    for (const seed of [1, 2, 3]) {
      const values = randomValues(256, seed);
      const sorted = Float64Array.from(values).sort();
      assert.equal(torbenMedian(values), sorted[127]);
    }
    const ties = new Float64Array(256).map((_, i) => Math.floor(i / 64));
    assert.equal(torbenMedian(ties), 1);
    assert.equal(torbenMedian(Float64Array.of(5, 1, 3)), 3);
    assert.equal(torbenMedian(Float64Array.of(4, 4, 4, 4)), 4);
  });
});
