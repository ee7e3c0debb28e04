/** McNemar's exact test against values computed by hand and by scipy.stats.binomtest. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mcNemarExact } from '../../main/acsr/evaluation/mcnemar-test.ts';

const close = (actual: number, expected: number, tolerance = 1e-12) =>
  assert.ok(Math.abs(actual - expected) <= tolerance * Math.max(1, expected), `${actual} vs ${expected}`);

test('b = 10, c = 2: exact two-sided p = 2 (1 + 12 + 66) / 4096 = 0.0386, mid-p = (158 - 66) / 4096 = 0.0225', () => {
  const result = mcNemarExact(10, 2);
  close(result.exactP, 158 / 4096);
  assert.equal(result.exactP.toFixed(4), '0.0386');
  close(result.midP, 92 / 4096);
  assert.deepEqual([result.b, result.c], [10, 2]);
});

test('symmetric in b and c; small cases by hand', () => {
  assert.deepEqual(mcNemarExact(2, 10).exactP, mcNemarExact(10, 2).exactP);
  close(mcNemarExact(3, 0).exactP, 0.25); // 2 / 2^3
  close(mcNemarExact(3, 0).midP, 0.125);
  close(mcNemarExact(7, 0).exactP, 2 / 128);
  close(mcNemarExact(1, 0).exactP, 1); // one discordant pair can never be significant
  assert.deepEqual([mcNemarExact(0, 0).exactP, mcNemarExact(0, 0).midP], [1, 1]);
  assert.deepEqual([mcNemarExact(5, 5).exactP, mcNemarExact(5, 5).midP], [1, 1]);
});

test('large counts agree with scipy.stats.binomtest (two-sided)', () => {
  // scipy.stats.binomtest(60, 100, 0.5).pvalue and binomtest(500, 950, 0.5).pvalue
  close(mcNemarExact(60, 40).exactP, 0.05688793364098089, 1e-10);
  close(mcNemarExact(500, 450).exactP, 0.11183864514157894, 1e-10);
  const huge = mcNemarExact(5000, 4600);
  assert.ok(huge.exactP > 0 && huge.exactP < 0.01 && huge.midP < huge.exactP);
});

test('refuses counts that are not non-negative integers', () => {
  for (const [b, c] of [
    [-1, 2],
    [1.5, 2],
    [Number.NaN, 0],
  ])
    assert.throws(() => mcNemarExact(b, c), RangeError);
});
