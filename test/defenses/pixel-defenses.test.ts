import { test } from 'node:test';
import assert from 'node:assert/strict';
import sharp from 'sharp';
import { createBitDepthDefense, reduceBitDepth } from '../../main/acsr/defenses/bit-depth-defense.ts';
import { createIdentityDefense } from '../../main/acsr/defenses/identity-defense.ts';
import { createJpegDefense } from '../../main/acsr/defenses/jpeg-defense.ts';
import { createMedianFilterDefense, medianFilter3x3 } from '../../main/acsr/defenses/median-filter-defense.ts';
import { decodeImage, encodePng } from '../../main/io/image.ts';
import type { ImageArray } from '../../main/acsr/array/image-array.ts';
import { assertSameShapeInUnitRange, fashionMnistImages, meanSquaredDifference, photoCrop } from './test-images.ts';

// none, jpeg75, jpeg50, median3, bits4 on real photos (RGB and greyscale) and Fashion-MNIST.

async function testImages(): Promise<[string, ImageArray][]> {
  const [mnist] = await fashionMnistImages(1);
  return [
    ['chelsea RGB 96x80', await photoCrop('skimage-chelsea.png', 50, 140, 96, 80)],
    ['camera grey 64x64', await photoCrop('skimage-camera.png', 100, 200, 64, 64, 'gray')],
    ['Fashion-MNIST 28x28', mnist],
  ];
}

test('none returns an equal copy, not the input array', async () => {
  for (const [what, image] of await testImages()) {
    const out = await createIdentityDefense().purify(image);
    assert.deepEqual(Array.from(out.image.data), Array.from(image.data), what);
    assert.notEqual(out.image.data, image.data);
    assert.ok(out.seconds >= 0 && out.clusterId === undefined);
  }
});

test('jpeg75 and jpeg50 equal an independent sharp round trip (PNG -> JPEG -> decode), keep size, range and channels', async () => {
  for (const [what, image] of await testImages()) {
    for (const quality of [75, 50]) {
      const defense = createJpegDefense(quality);
      assert.equal(defense.name, `jpeg${quality}`);
      const out = await defense.purify(image);
      assertSameShapeInUnitRange(out.image, image, `${what} jpeg${quality}`);
      // a greyscale image is coded as a one-channel JPEG (libvips would make it RGB unless told)
      const png = sharp(await encodePng(image));
      const jpeg = await (image.channels === 1 ? png.toColourspace('b-w') : png).jpeg({ quality }).toBuffer();
      assert.equal((await sharp(jpeg).metadata()).channels, image.channels);
      const expected = await decodeImage(jpeg, { channels: image.channels === 1 ? 'gray' : 'rgb' });
      assert.deepEqual(Array.from(out.image.data), Array.from(expected.data), `${what} jpeg${quality}`);
      // it is a lossy transform, not a copy: 8-bit levels and changed values
      assert.ok(out.image.data.every((v) => Math.abs(v * 255 - Math.round(v * 255)) < 1e-9));
      assert.ok(
        out.image.data.some((v, i) => Math.abs(v - image.data[i]) > 2 / 255),
        `${what} jpeg${quality} changed nothing`,
      );
    }
  }
  // lower quality, larger error
  const [, photo] = (await testImages())[0];
  const error = async (q: number) => meanSquaredDifference((await createJpegDefense(q).purify(photo)).image.data, photo.data);
  assert.ok((await error(50)) > (await error(75)));
});

function bruteForceMedian(image: ImageArray): Float64Array {
  const { height: H, width: W, channels: C, data } = image;
  const out = new Float64Array(data.length);
  for (let y = 0; y < H; y++)
    for (let x = 0; x < W; x++)
      for (let c = 0; c < C; c++) {
        const values: number[] = [];
        for (let dy = -1; dy <= 1; dy++)
          for (let dx = -1; dx <= 1; dx++) {
            const yy = Math.min(H - 1, Math.max(0, y + dy));
            const xx = Math.min(W - 1, Math.max(0, x + dx));
            values.push(data[(yy * W + xx) * C + c]);
          }
        values.sort((a, b) => a - b);
        out[(y * W + x) * C + c] = values[4];
      }
  return out;
}

test('median3 equals a brute-force sorted 3x3 median with replicated borders', async () => {
  for (const [what, image] of await testImages()) {
    const out = await createMedianFilterDefense().purify(image);
    assertSameShapeInUnitRange(out.image, image, what);
    assert.deepEqual(Array.from(out.image.data), Array.from(bruteForceMedian(image)), what);
  }
});

test('median3 removes an isolated salt pixel and a pepper pixel, in one channel only', async () => {
  const image = await photoCrop('skimage-coffee.png', 200, 300, 32, 32);
  const salted = { ...image, data: Float64Array.from(image.data) };
  const salt = (10 * 32 + 12) * 3 + 1; // green of pixel (10, 12)
  const pepper = (20 * 32 + 5) * 3 + 0; // red of pixel (20, 5)
  salted.data[salt] = 1;
  salted.data[pepper] = 0;
  const out = medianFilter3x3(salted);
  // the outlier cannot be the median of its window: the output lies within its 8 clean neighbours
  const neighbours = (flat: number) => {
    const c = flat % 3;
    const pixel = (flat - c) / 3;
    const y = Math.floor(pixel / 32);
    const x = pixel % 32;
    const values: number[] = [];
    for (let dy = -1; dy <= 1; dy++) for (let dx = -1; dx <= 1; dx++) if (dy || dx) values.push(image.data[((y + dy) * 32 + x + dx) * 3 + c]);
    return { low: Math.min(...values), high: Math.max(...values) };
  };
  for (const flat of [salt, pepper]) {
    const { low, high } = neighbours(flat);
    assert.ok(out.data[flat] >= low && out.data[flat] <= high, `${out.data[flat]} not within [${low}, ${high}]`);
  }
  assert.ok(out.data[salt] < 0.9 && out.data[pepper] > 0.05, 'the outliers are gone');
  // the other channels of those pixels never see the outliers
  const clean = medianFilter3x3(image);
  assert.equal(out.data[salt - 1], clean.data[salt - 1]);
});

test('bits4 leaves at most 16 levels per channel, each value rounded to the nearest level', async () => {
  for (const [what, image] of await testImages()) {
    const defense = createBitDepthDefense(4);
    assert.equal(defense.name, 'bits4');
    const out = await defense.purify(image);
    assertSameShapeInUnitRange(out.image, image, what);
    for (let c = 0; c < image.channels; c++) {
      const levels = new Set<number>();
      for (let i = c; i < out.image.data.length; i += image.channels) levels.add(out.image.data[i]);
      assert.ok(levels.size <= 16, `${what}: ${levels.size} levels`);
      assert.ok(levels.size >= 4, `${what}: a real image keeps several levels (${levels.size})`);
    }
    out.image.data.forEach((v, i) => {
      assert.ok(Math.abs(v - image.data[i]) <= 1 / 30 + 1e-12);
      assert.equal(v, Math.round(v * 15) / 15);
    });
  }
  // 8 bits of an 8-bit image is the identity
  const [, grey] = (await testImages())[1];
  assert.deepEqual(
    Array.from(reduceBitDepth(grey, 8).data).map((v) => Math.round(v * 255)),
    Array.from(grey.data).map((v) => Math.round(v * 255)),
  );
});

test('a NaN or a wrong-sized image is refused with a clear error', async () => {
  const [[, image]] = await testImages();
  const broken = { ...image, data: Float64Array.from(image.data) };
  broken.data[7] = Number.NaN;
  await assert.rejects(createMedianFilterDefense().purify(broken), /median3: pixel value at flat index 7 is NaN/);
  await assert.rejects(createJpegDefense(75).purify({ ...image, height: image.height + 1 }), /jpeg75: the image has \d+ values/);
});
