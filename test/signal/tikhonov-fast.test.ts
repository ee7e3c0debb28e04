import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import type { ImageArray } from '../../main/acsr/array/image-array.ts';
import sharp from 'sharp';
import { DEFAULT_TIKHONOV_PADDING, tikhonovSplit } from '../../main/acsr/signal/tikhonov.ts';
import { tikhonovLowPassFast, tikhonovSplitFast } from '../../main/acsr/signal/tikhonov-fast.ts';
import { decodeImage, readImage } from '../../main/io/image.ts';
import { photosDir } from '../support/shared-data.ts';

// The fast split (float32, padding widened to a PFFFT grid) against the float64 reference on real
// photos of awkward sizes: within 5e-4 absolute on pixels in [0, 1] (an 8-bit step is 3.9e-3;
// measured 1.7e-4 .. 2.4e-4, mostly where the widened padding wraps near the borders).
const TOLERANCE = 5e-4;

for (const name of ['skimage-chelsea.png', 'darknet-dog.jpg', 'skimage-camera.png']) {
  test(`fast Tikhonov split agrees with the reference split: ${name}`, async (t) => {
    const image = (await readImage(path.join(photosDir, name), { precision: 'float64' })) as ImageArray<Float64Array>;
    const reference = tikhonovSplit(image, 5);
    const fast = await tikhonovSplitFast(image, 5);
    let maxError = 0;
    for (let i = 0; i < image.data.length; i++) {
      maxError = Math.max(maxError, Math.abs(fast.low.data[i] - reference.low.data[i]), Math.abs(fast.high.data[i] - reference.high.data[i]));
    }
    t.diagnostic(`${name} (${image.height}x${image.width}x${image.channels}): max abs difference ${maxError.toExponential(2)}`);
    assert.ok(maxError < TOLERANCE, `differs by ${maxError}`);
  });
}

// A large photo's x_low is computed in bands of rows (each a window of the global grid, margins of
// 64 rows): the same as the one-grid result but for float32 rounding, since the filter's kernel has
// decayed to ~1e-12 64 px away. Forced here on a 1000-row photo by a zero threshold.
test('banded fast Tikhonov low pass agrees with the one-grid low pass', async (t) => {
  const bytes = await sharp(path.join(photosDir, 'china.jpg')).resize(1400, 1000, { fit: 'cover' }).png().toBuffer();
  const image = await decodeImage(new Uint8Array(bytes), { channels: 'rgb', precision: 'float32' });
  const whole = await tikhonovLowPassFast(image, 5);
  const banded = await tikhonovLowPassFast(image, 5, DEFAULT_TIKHONOV_PADDING, 0);
  let maxError = 0;
  for (let i = 0; i < image.data.length; i++) maxError = Math.max(maxError, Math.abs(banded.data[i] - whole.data[i]));
  t.diagnostic(`china.jpg at 1400x1000: max abs difference ${maxError.toExponential(2)}`);
  assert.ok(maxError < 1e-5, `differs by ${maxError}`);
  assert.ok(maxError > 0, 'the bands ran (a forced band path that fell back to one grid would agree exactly)');
});
