import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assertShape, createNdArray, flatIndex, sizeOfShape, stridesOf, zerosNdArray } from '../../main/io/ndarray.ts';

describe('ndarray', () => {
  it('computes sizes, C-order strides and flat indices', () => {
    assert.equal(sizeOfShape([8, 8, 3, 64]), 12288);
    assert.equal(sizeOfShape([]), 1);
    assert.deepEqual(stridesOf([8, 8, 3, 64]), [1536, 192, 64, 1]);
    assert.equal(flatIndex([8, 8, 3, 64], [1, 2, 1, 5]), 1536 + 384 + 64 + 5);
    assert.ok(zerosNdArray([2, 2], 'float32').data instanceof Float32Array);
  });

  it('refuses data that does not fit the shape', () => {
    assert.throws(() => createNdArray([2, 3], new Float64Array(5)), /needs 6 elements, data has 5/);
    assert.throws(() => createNdArray([2, -3], new Float64Array(0)), /invalid shape/);
  });

  it('checks a loaded array against an expected layout with a user-facing message', () => {
    const dictionary = zerosNdArray([8, 8, 3, 64]);
    assertShape(dictionary, [8, 8, null, null], 'dictionary D.npy');
    assert.throws(() => assertShape(dictionary, [8, 8, null], 'dictionary D.npy'), {
      name: 'UserInputError',
      message: 'dictionary D.npy has shape (8, 8, 3, 64), expected (8, 8, *)',
    });
  });
});
