import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tikhonovSplit } from '../../main/acsr/signal/tikhonov.ts';
import { loadSporcoReference, relativeMaxError } from '../support/shared-data.ts';

// float64 against SPORCO's tikhonov_filter: agreement to 1e-10 relative (observed ~1e-15).
const TOLERANCE = 1e-10;

for (const name of ['tikhonov_gray', 'tikhonov_rgb']) {
  test(`Tikhonov split matches SPORCO: ${name}`, () => {
    const ref = loadSporcoReference(name);
    const s = ref.arrays.s;
    const [height, width, channels = 1] = s.shape;
    const { low, high } = tikhonovSplit({ height, width, channels, data: s.data }, ref.params.lmbda, ref.params.npd);
    const lowErr = relativeMaxError(low.data, ref.arrays.sl.data);
    const highErr = relativeMaxError(high.data, ref.arrays.sh.data);
    assert.ok(lowErr < TOLERANCE, `low part off by ${lowErr}`);
    assert.ok(highErr < TOLERANCE, `high part off by ${highErr}`);
  });
}

test('Tikhonov split: a constant image is all low frequency', () => {
  const data = new Float64Array(10 * 12).fill(0.37);
  const { low, high } = tikhonovSplit({ height: 10, width: 12, channels: 1, data }, 5);
  for (let i = 0; i < data.length; i++) {
    assert.ok(Math.abs(low.data[i] - 0.37) < 1e-12);
    assert.ok(Math.abs(high.data[i]) < 1e-12);
  }
});

test('Tikhonov split rejects a negative lambda', () => {
  const data = new Float64Array(4);
  assert.throws(() => tikhonovSplit({ height: 2, width: 2, channels: 1, data }, -1), /lambda/);
});
