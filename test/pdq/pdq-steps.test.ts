// The steps before the hash: the Jarosz filter, PIL's thumbnail, the picture-level behaviour
// (dihedral variants against really rotated pixels, small and grey pictures, file errors).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { UserInputError } from '../../main/errors/user-input-error.ts';
import { readImage, writePng } from '../../main/io/image.ts';
import type { ImageArray } from '../../main/acsr/array/image-array.ts';
import { DIHEDRAL_NAMES, type DihedralName } from '../../main/pdq/dihedral.ts';
import { boxFilter1D, boxFilterColumns, jaroszWindowSize } from '../../main/pdq/jarosz-filter.ts';
import { computePdq, computePdqDihedral, computePdqOfFile, PDQ_MATCH_THRESHOLD, pdqHammingDistance } from '../../main/pdq/pdq.ts';
import { pilReduce, pilThumbnail, thumbnailSize, type BytePlane } from '../../main/pdq/pil-thumbnail.ts';
import { photosDir } from '../support/shared-data.ts';

describe('Jarosz box filter', () => {
  it('sizes windows to half a target pixel, rounded up', () => {
    assert.equal(jaroszWindowSize(1024, 64), 8);
    assert.equal(jaroszWindowSize(512, 64), 4);
    assert.equal(jaroszWindowSize(321, 64), 3);
    assert.equal(jaroszWindowSize(64, 64), 1);
    assert.equal(jaroszWindowSize(5, 64), 1);
  });

  it('reproduces the worked examples in the reference source (windows 7 and 8 over 0..15)', () => {
    const input = Float64Array.from({ length: 16 }, (_, i) => i);
    const cases: [number, number[], number[]][] = [
      [7, [6, 10, 15, 21, 28, 35, 42, 49, 56, 63, 70, 77, 84, 75, 65, 54], [4, 5, 6, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 6, 5, 4]],
      [8, [10, 15, 21, 28, 36, 44, 52, 60, 68, 76, 84, 92, 84, 75, 65, 54], [5, 6, 7, 8, 8, 8, 8, 8, 8, 8, 8, 8, 7, 6, 5, 4]],
    ];
    for (const [window, sums, counts] of cases) {
      const output = new Float64Array(16);
      boxFilter1D(input, output, 0, 16, 1, window);
      assert.deepEqual(
        Array.from(output),
        sums.map((sum, i) => sum / counts[i]),
        `window ${window}`,
      );
    }
  });

  it('walks a column with a stride without touching other columns', () => {
    const input = Float64Array.from({ length: 12 }, (_, i) => i); // 4 rows x 3 columns
    const output = new Float64Array(12).fill(-1);
    boxFilter1D(input, output, 1, 4, 3, 3);
    assert.deepEqual(Array.from(output), [-1, 2.5, -1, -1, 4, -1, -1, 7, -1, -1, 8.5, -1]);
  });

  it('filters all columns at once to exactly the values of the column-by-column walk', () => {
    for (const [rows, cols, window] of [
      [341, 512, 3],
      [512, 341, 4],
      [16, 5, 7],
      [16, 3, 8],
      [5, 9, 1],
      [1000, 7, 8],
    ]) {
      // Values with long binary expansions, so that any change in the order of additions shows.
      const input = Float64Array.from({ length: rows * cols }, (_, i) => ((i * 7919) % 1009) * 0.299 + (i % 13) * 0.587);
      const expected = new Float64Array(rows * cols);
      for (let j = 0; j < cols; j++) boxFilter1D(input, expected, j, rows, cols, window);
      const actual = new Float64Array(rows * cols);
      boxFilterColumns(input, actual, rows, cols, window, new Float64Array(cols));
      assert.deepEqual(actual, expected, `${rows} x ${cols}, window ${window}`);
    }
  });
});

describe("PIL's thumbnail (the Python reference's resize)", () => {
  it("keeps the aspect ratio with Pillow's rounding of the short side", () => {
    assert.deepEqual(thumbnailSize(1600, 1004, 512, 512), [512, 321]);
    assert.deepEqual(thumbnailSize(1004, 1600, 512, 512), [321, 512]);
    assert.deepEqual(thumbnailSize(1432, 812, 512, 512), [512, 290]);
    assert.deepEqual(thumbnailSize(5000, 3, 512, 512), [512, 1]);
    assert.equal(thumbnailSize(512, 300, 512, 512), null);
    assert.equal(thumbnailSize(224, 399, 512, 512), null);
  });

  it('averages blocks in fixed point, rounding to nearest, partial edge blocks included', () => {
    const plane: BytePlane = { rows: 3, cols: 4, channels: 1, data: Uint8Array.of(1, 2, 3, 10, 4, 5, 6, 20, 7, 8, 9, 31) };
    const reduced = pilReduce(plane, 3, 3);
    assert.equal(reduced.cols, 2);
    assert.equal(reduced.rows, 1);
    assert.deepEqual(Array.from(reduced.data), [5, 20]); // 45 / 9 = 5, 61 / 3 = 20.33
  });

  it('keeps a flat picture flat through reduce and bicubic resampling', () => {
    const plane: BytePlane = { rows: 90, cols: 200, channels: 3, data: new Uint8Array(90 * 200 * 3).fill(77) };
    const small = pilThumbnail(plane, 40); // 200 -> 40 is five times: a reduce by 2, then bicubic
    assert.deepEqual([small.cols, small.rows, small.channels], [40, 18, 3]);
    assert.ok(small.data.every((value) => value === 77));
  });

  it('does not touch pictures that already fit', () => {
    const plane: BytePlane = { rows: 10, cols: 12, channels: 1, data: new Uint8Array(120) };
    assert.equal(pilThumbnail(plane, 512), plane);
  });
});

function remap(image: ImageArray, width: number, height: number, source: (x: number, y: number) => [number, number]): ImageArray {
  const { channels } = image;
  const data = new Float32Array(width * height * channels);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const [sx, sy] = source(x, y);
      for (let c = 0; c < channels; c++) data[(y * width + x) * channels + c] = image.data[(sy * image.width + sx) * channels + c];
    }
  }
  return { width, height, channels, data };
}

/** The pixel transforms the reference's dihedral names stand for. */
function transformed(image: ImageArray, name: DihedralName): ImageArray {
  const { width: w, height: h } = image;
  switch (name) {
    case 'original':
      return image;
    case 'rotate90':
      return remap(image, h, w, (x, y) => [w - 1 - y, x]); // counter-clockwise
    case 'rotate180':
      return remap(image, w, h, (x, y) => [w - 1 - x, h - 1 - y]);
    case 'rotate270':
      return remap(image, h, w, (x, y) => [y, h - 1 - x]);
    case 'flipX':
      return remap(image, w, h, (x, y) => [x, h - 1 - y]); // upside down
    case 'flipY':
      return remap(image, w, h, (x, y) => [w - 1 - x, y]); // left-right
    case 'flipPlus1':
      return remap(image, h, w, (x, y) => [y, x]); // about the main diagonal
    case 'flipMinus1':
      return remap(image, h, w, (x, y) => [w - 1 - y, h - 1 - x]);
  }
}

describe('PDQ of whole pictures', () => {
  it('gives dihedral variants that match the hash of the really transformed pixels, and only that one', async () => {
    const image = await readImage(path.join(photosDir, 'china.jpg'), { channels: 'rgb', precision: 'float32' });
    const variants = computePdqDihedral(image);
    for (const name of DIHEDRAL_NAMES) {
      const actual = computePdq(transformed(image, name));
      assert.equal(actual.quality, variants[name].quality, name);
      for (const other of DIHEDRAL_NAMES) {
        const distance = pdqHammingDistance(actual.hash, variants[other].hash);
        if (other === name) assert.ok(distance <= PDQ_MATCH_THRESHOLD, `${name}: distance ${distance}`);
        else assert.ok(distance > 3 * PDQ_MATCH_THRESHOLD, `${name} also matches variant ${other} (distance ${distance})`);
      }
    }
  });

  it('hashes a greyscale raster like the same grey replicated to RGB', async () => {
    const grey = await readImage(path.join(photosDir, 'skimage-camera.png'), { channels: 'gray', precision: 'float32' });
    const rgb: ImageArray = { ...grey, channels: 3, data: new Float32Array(grey.data.length * 3).map((_, i) => grey.data[Math.floor(i / 3)]) };
    assert.deepEqual(computePdq(grey), computePdq(rgb));
    assert.ok(computePdq(grey).quality > 49);
  });

  it('gives pictures smaller than 5 pixels a side the zero hash and quality 0, and flat ones quality 0', () => {
    const tiny: ImageArray = { width: 4, height: 30, channels: 1, data: new Float32Array(120).map((_, i) => (i % 7) / 7) };
    assert.deepEqual(computePdq(tiny), { hash: '0'.repeat(64), quality: 0 });
    assert.equal(computePdqDihedral(tiny).rotate90.hash, '0'.repeat(64));
    const flat: ImageArray = { width: 40, height: 30, channels: 3, data: new Float32Array(3600).fill(0.5) };
    assert.equal(computePdq(flat).quality, 0);
  });

  it('reads 16-bit PNG samples as their high byte, as the Python reference (PIL) does', async () => {
    const folder = mkdtempSync(path.join(tmpdir(), 'pdq-test-'));
    after(() => rmSync(folder, { recursive: true, force: true }));
    const photo = await readImage(path.join(photosDir, 'skimage-coffee.png'), { channels: 'rgb', precision: 'float64' });
    const bytes = photo.data.map((v) => Math.round(v * 255));
    // Low bytes of 255 push round(x / 257) up by one for most samples; the high byte ignores them.
    await writePng(path.join(folder, 'deep.png'), { ...photo, data: bytes.map((b) => (b * 256 + 255) / 65535) }, { bitDepth: 16 });
    await writePng(path.join(folder, 'plain.png'), { ...photo, data: bytes.map((b) => b / 255) });
    assert.deepEqual(await computePdqOfFile(path.join(folder, 'deep.png')), await computePdqOfFile(path.join(folder, 'plain.png')));
  });

  it('says what is wrong with a missing or non-image file, as a UserInputError', async () => {
    const folder = mkdtempSync(path.join(tmpdir(), 'pdq-test-'));
    after(() => rmSync(folder, { recursive: true, force: true }));
    const notImage = path.join(folder, 'notes.jpg');
    writeFileSync(notImage, 'not a picture');
    await assert.rejects(
      computePdqOfFile(path.join(folder, 'missing.png')),
      (error: unknown) => error instanceof UserInputError && error.message.includes('missing.png'),
    );
    await assert.rejects(computePdqOfFile(notImage), (error: unknown) => error instanceof UserInputError && error.message.includes('notes.jpg'));
  });
});
