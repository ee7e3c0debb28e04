import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import type { ImageArray } from '../../main/acsr/array/image-array.ts';
import { seededRandom } from '../../main/acsr/random/seeded-random.ts';
import { normaliseAtoms } from '../../main/acsr/signal/conv-dictionary.ts';
import { randomDictionary } from '../../main/acsr/signal/dictionary-training-set.ts';
import { cropImage } from '../../main/acsr/array/image-array.ts';
import { fastFftSize } from '../../main/acsr/signal/fft/fast-fft-size.ts';
import { mirrorExtend, sparseCodeImage } from '../../main/acsr/signal/sparse-code-image.ts';
import { tikhonovSplit } from '../../main/acsr/signal/tikhonov.ts';
import { readImage } from '../../main/io/image.ts';
import { photosDir } from '../support/shared-data.ts';

test('fastFftSize picks the next PFFFT grid (heights: multiples of 16, widths: of 32, both 2^a 3^b 5^c)', () => {
  assert.deepEqual(fastFftSize(224, 224), { height: 240, width: 256 });
  assert.deepEqual(fastFftSize(256, 256), { height: 256, width: 256 });
  assert.deepEqual(fastFftSize(300, 451), { height: 320, width: 480 });
  assert.deepEqual(fastFftSize(7, 7), { height: 16, width: 32 });
});

test('mirrorExtend repeats the edge pixel and reflects, wider than the image too', () => {
  const image = { height: 1, width: 3, channels: 1, data: Float64Array.from([1, 2, 3]) };
  assert.deepEqual([...mirrorExtend(image, 1, 10).data], [1, 2, 3, 3, 2, 1, 1, 2, 3, 3]);
});

test('padding to a fast FFT grid: same-size outputs, and the same reconstruction away from the borders', async () => {
  const photo = await readImage(path.join(photosDir, 'skimage-chelsea.png'), { channels: 'rgb', precision: 'float64' });
  const crop = cropImage(photo as ImageArray<Float64Array>, 60, 150, 100, 90);
  const high = tikhonovSplit(crop, 5).high;
  const dictionary = randomDictionary(8, 3, 16, seededRandom(5));
  normaliseAtoms(dictionary, false);
  const options = { maxIterations: 60 };
  const plain = await sparseCodeImage({ dictionary, image: high, lambda: 0.05, options, threads: 1 });
  const padded = await sparseCodeImage({ dictionary, image: high, lambda: 0.05, options, threads: 1, padToFastFftSize: true });
  assert.deepEqual(padded.coefficients.shape, [100, 90, 1, 1, 16]);
  assert.equal(padded.reconstruction.data.length, high.data.length);
  let interiorDifference = 0;
  let signal = 0;
  for (let y = 12; y < 88; y++) {
    for (let x = 12; x < 78; x++) {
      for (let c = 0; c < 3; c++) {
        const i = (y * 90 + x) * 3 + c;
        interiorDifference += (plain.reconstruction.data[i] - padded.reconstruction.data[i]) ** 2;
        signal += high.data[i] ** 2;
      }
    }
  }
  // Both solve to tolerance 1e-3 from different boundary conditions: agreement at the 1e-2 level.
  const relative = Math.sqrt(interiorDifference / signal);
  assert.ok(relative < 0.05, `interior reconstructions differ by ${relative.toExponential(2)} of the signal`);
});
