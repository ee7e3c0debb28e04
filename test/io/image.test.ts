import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import sharp from 'sharp';
import { decodeImage, describeDecodeError, readImage, writePng, encodePng, imageToNdArray, ndArrayToImage } from '../../main/io/image.ts';
import { createNdArray } from '../../main/io/ndarray.ts';

const photos = fileURLToPath(new URL('../../../shared/data/photos/', import.meta.url));

let directory: string;
before(async () => {
  directory = await mkdtemp(join(tmpdir(), 'acsr-image-'));
});
after(async () => {
  await rm(directory, { recursive: true, force: true });
});

function inUnitRange(data: ArrayLike<number>): boolean {
  for (let i = 0; i < data.length; i++) if (!(data[i] >= 0 && data[i] <= 1)) return false;
  return true;
}

describe('readImage on real photos', () => {
  it('reads a greyscale PNG as one channel', async () => {
    const image = await readImage(join(photos, 'skimage-camera.png'));
    assert.equal(image.channels, 1);
    assert.deepEqual([image.height, image.width, image.sourceBitDepth, image.sourceFormat], [512, 512, 8, 'png']);
    assert.ok(image.data instanceof Float64Array);
    assert.equal(image.data.length, 512 * 512);
    assert.ok(inUnitRange(image.data));
    assert.deepEqual(image.notes, []);
    // Exactly the stored 8-bit values, scaled.
    const raw = await sharp(join(photos, 'skimage-camera.png')).toColourspace('b-w').raw().toBuffer();
    assert.equal(image.data[1000], raw[1000] / 255);
  });

  it('reads an RGB PNG and a JPEG as three channels, channels last', async () => {
    const astronaut = await readImage(join(photos, 'skimage-astronaut.png'));
    assert.deepEqual([astronaut.height, astronaut.width, astronaut.channels], [512, 512, 3]);
    assert.deepEqual(astronaut.notes, [], 'an sRGB profile is not worth a note');
    const raw = await sharp(join(photos, 'skimage-astronaut.png')).raw().toBuffer();
    const at = (10 * 512 + 20) * 3 + 2; // row 10, column 20, blue
    assert.equal(astronaut.data[at], raw[at] / 255);

    const dog = await readImage(join(photos, 'darknet-dog.jpg'), { precision: 'float32' });
    assert.deepEqual([dog.height, dog.width, dog.channels, dog.sourceFormat], [576, 768, 3, 'jpeg']);
    assert.ok(dog.data instanceof Float32Array);
    assert.ok(inUnitRange(dog.data));
  });

  it('notes an ignored non-sRGB ICC profile', async () => {
    const rocket = await readImage(join(photos, 'skimage-rocket.jpg'));
    assert.ok(
      rocket.notes.some((note) => /ICC profile 'Adobe RGB \(1998\)' ignored/.test(note)),
      rocket.notes.join('; '),
    );
  });

  it('forces greyscale with rgb2gray weights, and RGB by replication', async () => {
    const rgb = await readImage(join(photos, 'skimage-astronaut.png'));
    const grey = await readImage(join(photos, 'skimage-astronaut.png'), { channels: 'gray' });
    assert.equal(grey.channels, 1);
    const pixel = 300 * 512 + 200;
    const expected = 0.2125 * rgb.data[pixel * 3] + 0.7154 * rgb.data[pixel * 3 + 1] + 0.0721 * rgb.data[pixel * 3 + 2];
    assert.ok(Math.abs(grey.data[pixel] - expected) < 1e-12);
    assert.ok(grey.notes.some((note) => /converted RGB to greyscale/.test(note)));

    const camera = await readImage(join(photos, 'skimage-camera.png'), { channels: 'rgb' });
    assert.equal(camera.channels, 3);
    assert.equal(camera.data[3000], camera.data[3001]);
    assert.equal(camera.data[3000], camera.data[3002]);
    assert.ok(camera.notes.some((note) => /replicated/.test(note)));
  });
});

describe('readImage on constructed files', () => {
  it('drops alpha with a note, for RGBA and grey+alpha', async () => {
    const rgba = join(directory, 'alpha.png');
    const pixels = Uint8Array.from({ length: 4 * 3 * 4 }, (_, i) => (i % 4 === 3 ? (i < 8 ? 0 : 255) : i * 5));
    await sharp(pixels, { raw: { width: 4, height: 3, channels: 4 } })
      .png()
      .toFile(rgba);
    const image = await readImage(rgba);
    assert.equal(image.channels, 3);
    assert.deepEqual(
      Array.from(image.data.subarray(0, 6), (v) => Math.round(v * 255)),
      [0, 5, 10, 20, 25, 30],
    );
    assert.ok(
      image.notes.some((note) => /alpha channel dropped: 2 partly or fully transparent pixels/.test(note)),
      image.notes.join('; '),
    );

    const greyAlpha = join(directory, 'grey-alpha.png');
    await sharp(Uint8Array.from([10, 255, 20, 255]), { raw: { width: 2, height: 1, channels: 2 } })
      .toColourspace('b-w')
      .png()
      .toFile(greyAlpha);
    const grey = await readImage(greyAlpha);
    assert.equal(grey.channels, 1);
    assert.deepEqual(
      Array.from(grey.data, (v) => Math.round(v * 255)),
      [10, 20],
    );
    assert.ok(
      grey.notes.some((note) => /fully opaque/.test(note)),
      grey.notes.join('; '),
    );

    const greyAlpha16 = join(directory, 'grey-alpha-16.png');
    await sharp(Uint16Array.from([1000, 65535, 20000, 30000]), { raw: { width: 2, height: 1, channels: 2 } })
      .toColourspace('grey16')
      .png()
      .toFile(greyAlpha16);
    const grey16 = await readImage(greyAlpha16);
    assert.deepEqual([grey16.channels, grey16.sourceBitDepth], [1, 16]);
    assert.deepEqual(Array.from(grey16.data), [1000 / 65535, 20000 / 65535]);
    assert.ok(
      grey16.notes.some((note) => /1 partly or fully transparent/.test(note)),
      grey16.notes.join('; '),
    );
  });

  it('reads 16-bit PNGs at full precision', async () => {
    const path = join(directory, 'sixteen.png');
    const samples = Uint16Array.from({ length: 5 * 2 * 3 }, (_, i) => i * 2000 + 1);
    await sharp(samples, { raw: { width: 5, height: 2, channels: 3 } })
      .toColourspace('rgb16')
      .png()
      .toFile(path);
    const image = await readImage(path);
    assert.equal(image.sourceBitDepth, 16);
    assert.deepEqual(
      Array.from(image.data),
      Array.from(samples, (v) => v / 65535),
    );

    const greyPath = join(directory, 'sixteen-grey.png');
    await sharp(Uint16Array.of(0, 1, 65534, 65535), { raw: { width: 2, height: 2, channels: 1 } })
      .toColourspace('grey16')
      .png()
      .toFile(greyPath);
    const grey = await readImage(greyPath);
    assert.deepEqual([grey.channels, grey.sourceBitDepth], [1, 16]);
    assert.deepEqual(Array.from(grey.data), [0, 1 / 65535, 65534 / 65535, 1]);
  });

  it('applies EXIF orientation', async () => {
    // Stored 40 wide x 20 high, left half black, right half white; orientation 6 = rotate 90 degrees clockwise.
    const stored = Uint8Array.from({ length: 40 * 20 * 3 }, (_, i) => (Math.floor(i / 3) % 40 < 20 ? 0 : 255));
    const path = join(directory, 'rotated.jpg');
    await sharp(stored, { raw: { width: 40, height: 20, channels: 3 } })
      .jpeg({ quality: 95 })
      .withMetadata({ orientation: 6 })
      .toFile(path);
    assert.equal((await sharp(path).metadata()).orientation, 6);
    const image = await readImage(path);
    assert.deepEqual([image.width, image.height, image.channels], [20, 40, 3]);
    // Clockwise rotation moves the stored left edge to the top.
    assert.ok(image.data[(5 * 20 + 10) * 3] < 0.1, 'top is black');
    assert.ok(image.data[(35 * 20 + 10) * 3] > 0.9, 'bottom is white');
    assert.ok(image.notes.some((note) => /EXIF orientation 6 applied/.test(note)));
  });

  it('reads WebP and TIFF', async () => {
    const pixels = Uint8Array.from({ length: 4 * 4 * 3 }, (_, i) => i * 4);
    for (const format of ['webp', 'tiff'] as const) {
      const path = join(directory, `small.${format}`);
      await sharp(pixels, { raw: { width: 4, height: 4, channels: 3 } })
        .toFormat(format, { lossless: true })
        .toFile(path);
      const image = await readImage(path);
      assert.deepEqual([image.width, image.height, image.channels, image.sourceFormat], [4, 4, 3, format]);
    }
  });
});

describe('readImage errors', () => {
  const rejectsWith = (promise: Promise<unknown>, message: RegExp) =>
    assert.rejects(promise, (error: Error) => {
      assert.equal(error.name, 'UserInputError');
      assert.match(error.message, message);
      assert.ok(!error.message.includes('\n'), 'one-line message');
      return true;
    });

  it('names missing, empty, directory and non-image inputs', async () => {
    await rejectsWith(readImage(join(directory, 'nope.png')), /nope\.png: file not found/);
    const empty = join(directory, 'empty.png');
    await writeFile(empty, '');
    await rejectsWith(readImage(empty), /empty\.png: file is empty \(0 bytes\)/);
    const text = join(directory, 'text.png');
    await writeFile(text, 'this is not a picture\n');
    await rejectsWith(readImage(text), /text\.png: not a recognised image file \(supported: PNG, JPEG, WebP, TIFF\)/);
    await mkdir(join(directory, 'folder.png'));
    await rejectsWith(readImage(join(directory, 'folder.png')), /folder\.png: is a directory/);
  });

  it('names truncated files', async () => {
    const jpeg = await readFile(join(photos, 'darknet-dog.jpg'));
    const truncatedJpeg = join(directory, 'truncated.jpg');
    await writeFile(truncatedJpeg, jpeg.subarray(0, Math.floor(jpeg.length * 0.6)));
    await rejectsWith(readImage(truncatedJpeg), /truncated\.jpg: image file is truncated or damaged/);
    const png = await readFile(join(photos, 'skimage-camera.png'));
    await rejectsWith(decodeImage(png.subarray(0, png.length - 100), { source: 'cut.png' }), /cut\.png: image file is truncated or damaged/);
    await rejectsWith(decodeImage(jpeg.subarray(0, 200), { source: 'header-only.jpg' }), /header-only\.jpg: /);
  });

  it('names truncated files when libvips lost its message (several decodes at once), from the file and from bytes', async () => {
    // what sharp reports when another thread's decode cleared libvips' error buffer
    const lost = new Error('Unknown error');
    const jpeg = await readFile(join(photos, 'darknet-dog.jpg'));
    const png = await readFile(join(photos, 'skimage-camera.png'));
    const cutJpeg = join(directory, 'cut-lost.jpg');
    await writeFile(cutJpeg, jpeg.subarray(0, Math.floor(jpeg.length * 0.6)));
    assert.match((await describeDecodeError(lost, 'cut-lost.jpg', cutJpeg)).message, /cut-lost\.jpg: image file is truncated or damaged/);
    assert.match((await describeDecodeError(lost, 'cut.png', png.subarray(0, png.length - 100))).message, /cut\.png: image file is truncated or damaged/);
    // whole files that failed for some other reason are not called truncated
    assert.match((await describeDecodeError(lost, 'whole.jpg', jpeg)).message, /^whole\.jpg: cannot decode image \(Unknown error\)$/);
    assert.match((await describeDecodeError(lost, 'whole.png', join(photos, 'skimage-camera.png'))).message, /^whole\.png: cannot decode image/);
    assert.match((await describeDecodeError(lost, 'gone.jpg', join(directory, 'no-such-file.jpg'))).message, /^gone\.jpg: cannot decode image/);
  });

  it('refuses images above the pixel cap before decoding them', async () => {
    await rejectsWith(readImage(join(photos, 'skimage-camera.png'), { maxPixels: 1000 }), /image is 512 x 512 = 262144 pixels, above the limit of 1000/);
  });

  it('refuses formats outside PNG, JPEG, WebP and TIFF', async () => {
    const gif = await sharp({ create: { width: 2, height: 2, channels: 3, background: 'red' } })
      .gif()
      .toBuffer();
    await rejectsWith(decodeImage(gif, { source: 'a.gif' }), /a\.gif: unsupported image format 'gif'/);
  });
});

describe('writePng', () => {
  it('round-trips 8-bit to within quantisation and clips out-of-range values', async () => {
    const data = Float64Array.of(-0.5, 0, 0.2, 0.5, 0.999, 1.7);
    const path = join(directory, 'out8.png');
    await writePng(path, { height: 2, width: 1, channels: 3, data });
    const back = await readImage(path);
    assert.deepEqual([back.height, back.width, back.channels, back.sourceBitDepth], [2, 1, 3, 8]);
    assert.deepEqual(
      Array.from(back.data, (v) => Math.round(v * 255)),
      [0, 0, 51, 128, 255, 255],
    );
  });

  it('writes greyscale as a one-channel PNG and 16-bit on request', async () => {
    const data = Float32Array.from({ length: 12 }, (_, i) => i / 11);
    const path = join(directory, 'out16.png');
    await writePng(path, { height: 3, width: 4, channels: 1, data }, { bitDepth: 16 });
    const metadata = await sharp(path).metadata();
    assert.deepEqual([metadata.channels, metadata.depth], [1, 'ushort']);
    const back = await readImage(path);
    assert.equal(back.channels, 1);
    back.data.forEach((value, i) => assert.ok(Math.abs(value - data[i]) <= 0.5 / 65535 + 1e-7));
  });

  it('writes signed values around mid-grey with an offset, as the shifted copy would be written', async () => {
    const data = Float32Array.of(-0.6, -0.25, -1e-5, 0, 1e-5, 0.25, 0.49, 0.7);
    const shifted = Float64Array.from(data, (v) => v + 0.5);
    const image = { height: 2, width: 4, channels: 1 as const };
    const withOffset = await encodePng({ ...image, data }, { bitDepth: 16, offset: 0.5 });
    assert.ok(withOffset.equals(await encodePng({ ...image, data: shifted }, { bitDepth: 16 })));
    const back = await decodeImage(new Uint8Array(withOffset));
    assert.equal(back.data[0], 0, 'below -0.5 clips to black');
    assert.equal(back.data[7], 1, 'above 0.5 clips to white');
  });

  it('refuses NaN and mismatched sizes', async () => {
    await assert.rejects(encodePng({ height: 1, width: 2, channels: 1, data: Float64Array.of(0, Number.NaN) }), /index 1 is NaN/);
    await assert.rejects(encodePng({ height: 2, width: 2, channels: 1, data: new Float64Array(3) }), /needs 4 values/);
  });

  it('converts between images and (H, W, C) arrays', () => {
    const image = { height: 2, width: 3, channels: 1 as const, data: new Float64Array(6) };
    assert.deepEqual(imageToNdArray(image).shape, [2, 3, 1]);
    assert.equal(ndArrayToImage(createNdArray([2, 3], new Float64Array(6)), 'x').channels, 1);
    assert.throws(() => ndArrayToImage(createNdArray([2, 3, 2], new Float64Array(12)), 'coefficients'), /coefficients has shape \(2, 3, 2\)/);
  });
});
