import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import type { ImageArray } from '../../main/acsr/array/image-array.ts';
import { tikhonovSplit } from '../../main/acsr/signal/tikhonov.ts';
import { tikhonovSplitFast } from '../../main/acsr/signal/tikhonov-fast.ts';
import { readImage } from '../../main/io/image.ts';
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
