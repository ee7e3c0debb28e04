import assert from 'node:assert/strict';
import { test } from 'node:test';
import { wilsonProportion } from '../../main/acsr/evaluation/confidence-interval.ts';

// Reference values: Wilson's closed form evaluated independently in Python (z = 1.959963984540054);
// 8/10 -> [0.490, 0.943] is also the textbook example (Agresti & Coull 1998).
test('Wilson intervals match the published formula on textbook cases', () => {
  const cases: [number, number, number, number][] = [
    [8, 10, 0.4901624, 0.9433178],
    [0, 20, 0, 0.1611252],
    [20, 20, 0.8388748, 1],
    [875, 1000, 0.8530562, 0.8940738],
  ];
  for (const [k, n, lo, hi] of cases) {
    const p = wilsonProportion(k, n);
    assert.equal(p.value, k / n);
    assert.ok(Math.abs(p.ci95[0] - lo) < 1e-6, `${k}/${n} lower ${p.ci95[0]} vs ${lo}`);
    assert.ok(Math.abs(p.ci95[1] - hi) < 1e-6, `${k}/${n} upper ${p.ci95[1]} vs ${hi}`);
  }
});

test('an empty cell has no value and the whole interval; impossible counts are refused', () => {
  const empty = wilsonProportion(0, 0);
  assert.ok(Number.isNaN(empty.value));
  assert.deepEqual(empty.ci95, [0, 1]);
  assert.throws(() => wilsonProportion(3, 2), RangeError);
  assert.throws(() => wilsonProportion(-1, 2), RangeError);
  assert.throws(() => wilsonProportion(0.5, 2), RangeError);
});
