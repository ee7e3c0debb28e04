// The SIMD resampling kernels (main/pdq/pil-resample.wat) against the plain JavaScript
// transcription of Pillow's Resample.c they replaced: identical bytes for every channel count,
// shrinking and enlarging, whole-picture and fractional boxes (as after Image.reduce), edges
// included; and the embedded WASM is the assembled .wat.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assemblePilResample } from '../../build/wasm/build-pil-resample.ts';
import { PIL_RESAMPLE_WASM_BASE64 } from '../../main/pdq/pil-resample-wasm.ts';
import { pilReduce, pilResampleBicubic, type BytePlane } from '../../main/pdq/pil-thumbnail.ts';
import { referenceReduce, referenceResampleBicubic } from '../support/pil-resample-reference.ts';

/** Deterministic texture with hard edges (0/255 runs), so that clipping at both ends happens. */
function texturedPlane(rows: number, cols: number, channels: number, seed: number): BytePlane {
  const data = new Uint8Array(rows * cols * channels);
  let state = seed;
  for (let i = 0; i < data.length; i++) {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    const pixel = Math.floor(i / channels);
    const stripe = (Math.floor(pixel / 7) + Math.floor(pixel / cols / 5)) % 3;
    data[i] = stripe === 0 ? 0 : stripe === 1 ? 255 : state >>> 24;
  }
  return { rows, cols, channels, data };
}

describe('SIMD bicubic resampling', () => {
  it('gives the same bytes as the JavaScript transcription of Pillow for 1 to 4 channels', () => {
    const cases: [rows: number, cols: number, width: number, height: number][] = [
      [341, 1500, 512, 117], // a 1.5-megapixel-like shrink, both passes
      [1000, 1499, 512, 342],
      [97, 61, 17, 29], // odd sizes, rows not a multiple of 16 bytes
      [40, 30, 90, 7], // enlarging horizontally, shrinking vertically
      [23, 50, 50, 11], // vertical pass only
      [50, 23, 11, 50], // horizontal pass only
      [5, 5, 1, 1],
    ];
    for (const channels of [1, 2, 3, 4]) {
      for (const [index, [rows, cols, width, height]] of cases.entries()) {
        const plane = texturedPlane(rows, cols, channels, 17 + index);
        const box: [number, number, number, number] = [0, 0, cols, rows];
        const actual = pilResampleBicubic(plane, width, height, box);
        const expected = referenceResampleBicubic(plane, width, height, box);
        assert.deepEqual(
          { ...actual, data: Buffer.from(actual.data) },
          { ...expected, data: Buffer.from(expected.data) },
          `${rows}x${cols}x${channels} -> ${height}x${width}`,
        );
      }
    }
  });

  it('handles the fractional boxes that follow Image.reduce', () => {
    const plane = texturedPlane(337, 501, 3, 5);
    for (const box of [
      [0, 0, 500.5, 336.6666564941406],
      [0, 0, 501, 337],
      [0.25, 1.5, 480, 300],
    ] as [number, number, number, number][]) {
      const actual = pilResampleBicubic(plane, 160, 107, box);
      assert.deepEqual(Buffer.from(actual.data), Buffer.from(referenceResampleBicubic(plane, 160, 107, box).data), `box ${box}`);
    }
  });

  it('reuses its memory across pictures of different sizes without leaking one into the next', () => {
    const large = texturedPlane(900, 1200, 3, 1);
    const small = texturedPlane(60, 80, 3, 2);
    const first = pilResampleBicubic(small, 30, 20, [0, 0, 80, 60]);
    pilResampleBicubic(large, 512, 384, [0, 0, 1200, 900]);
    assert.deepEqual(Buffer.from(pilResampleBicubic(small, 30, 20, [0, 0, 80, 60]).data), Buffer.from(first.data));
  });

  it('reduces by whole factors to the same bytes as the block-by-block transcription of Image.reduce', () => {
    const cases: [rows: number, cols: number, factorX: number, factorY: number][] = [
      [3024, 403, 3, 3], // whole blocks only
      [301, 1000, 3, 2], // partial blocks at the right and the bottom
      [77, 53, 5, 7],
      [40, 33, 1, 4],
      [33, 40, 4, 1],
      [600, 7, 2, 300], // taller than the WASM band: the JavaScript fallback
      [9, 9, 9, 9],
    ];
    for (const channels of [1, 2, 3, 4]) {
      for (const [index, [rows, cols, factorX, factorY]] of cases.entries()) {
        const plane = texturedPlane(rows, cols, channels, 101 + index);
        const actual = pilReduce(plane, factorX, factorY);
        const expected = referenceReduce(plane, factorX, factorY);
        assert.deepEqual(
          { ...actual, data: Buffer.from(actual.data) },
          { ...expected, data: Buffer.from(expected.data) },
          `${rows}x${cols}x${channels} / ${factorX}x${factorY}`,
        );
      }
    }
  });

  it('averages a white picture to white and a black one to black at every factor', () => {
    for (const value of [0, 255]) {
      const plane: BytePlane = { rows: 300, cols: 301, channels: 3, data: new Uint8Array(300 * 301 * 3).fill(value) };
      for (const factor of [2, 3, 7, 257])
        assert.ok(
          pilReduce(plane, factor, factor).data.every((v) => v === value),
          `${value} / ${factor}`,
        );
    }
  });

  it('embeds the WASM assembled from pil-resample.wat (run build/wasm/build-pil-resample.ts after editing it)', async () => {
    assert.equal(PIL_RESAMPLE_WASM_BASE64, Buffer.from(await assemblePilResample()).toString('base64'));
  });
});
