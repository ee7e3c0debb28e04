import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createFastRealFft2d } from '../../main/acsr/signal/fft/fast-real-fft2d.ts';
import { JsRealFft2d } from '../../main/acsr/signal/fft/js-real-fft2d.ts';
import { pffftSupportsSize } from '../../main/acsr/signal/fft/pffft-real-fft2d.ts';
import type { RealFft2d } from '../../main/acsr/signal/fft/real-fft2d.ts';

/**
 * Float32 tolerance: the L2 error of a whole batch relative to the L2 norm of the reference.
 * Measured errors are 3e-8 .. 2e-7 (256x256 on PFFFT is the largest); 1e-6 leaves 5x headroom
 * and is still far below what a wrong twiddle, index or scale gives (order 1e-3 and up).
 */
const TOLERANCE = 1e-6;

const SIZES: ReadonlyArray<readonly [number, number, number]> = [
  // [height, width, planes]
  [1, 1, 2],
  [1, 8, 2],
  [5, 7, 3],
  [7, 5, 2],
  [13, 52, 2],
  [24, 30, 2],
  [17, 19, 1],
  // Fashion-MNIST's 28 = 4 x 7, and the unrolled radix-5 and radix-7 butterflies in both passes
  [28, 28, 3],
  [35, 50, 2],
  [49, 70, 1],
  [32, 32, 3],
  [16, 64, 2],
  [48, 96, 1],
  [224, 224, 1],
  [256, 256, 2],
];

interface Spectrum {
  re: Float64Array;
  im: Float64Array;
}

/** Seeded so a failure reproduces. */
function randomArray(length: number, seed: number): Float32Array {
  let state = seed >>> 0 || 1;
  const out = new Float32Array(length);
  for (let i = 0; i < length; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    out[i] = state / 2 ** 32 - 0.5;
  }
  return out;
}

/** Direct O(n^2) complex DFT of n points at re/im[base + j*stride], float64, in place. */
function directDft(re: Float64Array, im: Float64Array, base: number, stride: number, n: number, sign: number): void {
  const inRe = new Float64Array(n);
  const inIm = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    inRe[j] = re[base + j * stride];
    inIm[j] = im[base + j * stride];
  }
  for (let k = 0; k < n; k++) {
    let sumRe = 0;
    let sumIm = 0;
    for (let j = 0; j < n; j++) {
      const angle = (sign * 2 * Math.PI * ((j * k) % n)) / n;
      const c = Math.cos(angle);
      const s = Math.sin(angle);
      sumRe += inRe[j] * c - inIm[j] * s;
      sumIm += inRe[j] * s + inIm[j] * c;
    }
    re[base + k * stride] = sumRe;
    im[base + k * stride] = sumIm;
  }
}

/** numpy.fft.rfftn over axes (0, 1) of one plane. */
function referenceForward(real: Float32Array, offset: number, h: number, w: number): Spectrum {
  const wf = Math.floor(w / 2) + 1;
  const fullRe = new Float64Array(h * w);
  const fullIm = new Float64Array(h * w);
  for (let i = 0; i < h * w; i++) fullRe[i] = real[offset + i];
  for (let y = 0; y < h; y++) directDft(fullRe, fullIm, y * w, 1, w, -1);
  for (let x = 0; x < wf; x++) directDft(fullRe, fullIm, x, w, h, -1);
  const re = new Float64Array(h * wf);
  const im = new Float64Array(h * wf);
  for (let r = 0; r < h; r++) {
    for (let k = 0; k < wf; k++) {
      re[r * wf + k] = fullRe[r * w + k];
      im[r * wf + k] = fullIm[r * w + k];
    }
  }
  return { re, im };
}

/**
 * numpy.fft.irfftn over axes (0, 1) of one plane: complex inverse along the columns, then a real
 * inverse along each row that extends the half spectrum Hermitian-ly and ignores Im of bin 0
 * (and of bin W/2 for even W). Holds for any input, Hermitian-consistent or not.
 */
function referenceInverse(re: Float32Array, im: Float32Array, offset: number, h: number, w: number): Float64Array {
  const wf = Math.floor(w / 2) + 1;
  const planeRe = new Float64Array(h * wf);
  const planeIm = new Float64Array(h * wf);
  for (let i = 0; i < h * wf; i++) {
    planeRe[i] = re[offset + i];
    planeIm[i] = im[offset + i];
  }
  for (let k = 0; k < wf; k++) directDft(planeRe, planeIm, k, wf, h, 1);
  const out = new Float64Array(h * w);
  const rowRe = new Float64Array(w);
  const rowIm = new Float64Array(w);
  for (let y = 0; y < h; y++) {
    for (let k = 0; k < wf; k++) {
      const selfConjugate = k === 0 || 2 * k === w;
      rowRe[k] = planeRe[y * wf + k];
      rowIm[k] = selfConjugate ? 0 : planeIm[y * wf + k];
      if (k > 0 && !selfConjugate) {
        rowRe[w - k] = rowRe[k];
        rowIm[w - k] = -rowIm[k];
      }
    }
    directDft(rowRe, rowIm, 0, 1, w, 1);
    for (let x = 0; x < w; x++) out[y * w + x] = rowRe[x] / (h * w);
  }
  return out;
}

/** Accumulates ||actual - expected||^2 and ||expected||^2 over a batch. */
class RelativeError {
  private errorSquared = 0;
  private normSquared = 0;
  add(actual: ArrayLike<number>, actualOffset: number, expected: ArrayLike<number>): void {
    for (let i = 0; i < expected.length; i++) {
      const diff = actual[actualOffset + i] - expected[i];
      this.errorSquared += diff * diff;
      this.normSquared += expected[i] * expected[i];
    }
  }
  get value(): number {
    return Math.sqrt(this.errorSquared / this.normSquared);
  }
}

function sharedFloat32(length: number): Float32Array {
  return new Float32Array(new SharedArrayBuffer(4 * length));
}

function checkForward(fft: RealFft2d<Float32Array>, h: number, w: number, planes: number, seed: number): number {
  const wf = fft.spectrumWidth;
  const real = randomArray(planes * h * w, seed);
  const re = sharedFloat32(planes * h * wf);
  const im = sharedFloat32(planes * h * wf);
  const realCopy = real.slice();
  fft.forward(real, re, im, planes);
  assert.deepEqual(real, realCopy, 'forward must not modify its input');
  const error = new RelativeError();
  for (let p = 0; p < planes; p++) {
    const expected = referenceForward(real, p * h * w, h, w);
    error.add(re, p * h * wf, expected.re);
    error.add(im, p * h * wf, expected.im);
  }
  return error.value;
}

/** Arbitrary (not Hermitian-consistent) spectra, so the DC/Nyquist handling is checked too. */
function checkInverse(fft: RealFft2d<Float32Array>, h: number, w: number, planes: number, seed: number): number {
  const wf = fft.spectrumWidth;
  const re = randomArray(planes * h * wf, seed);
  const im = randomArray(planes * h * wf, seed + 1);
  const real = sharedFloat32(planes * h * w);
  const reCopy = re.slice();
  const imCopy = im.slice();
  fft.inverse(re, im, real, planes);
  assert.deepEqual(re, reCopy, 'inverse must not modify its input');
  assert.deepEqual(im, imCopy, 'inverse must not modify its input');
  const error = new RelativeError();
  for (let p = 0; p < planes; p++) error.add(real, p * h * w, referenceInverse(re, im, p * h * wf, h, w));
  return error.value;
}

function checkRoundTrip(fft: RealFft2d<Float32Array>, h: number, w: number, planes: number, seed: number): number {
  const wf = fft.spectrumWidth;
  const real = randomArray(planes * h * w, seed);
  const re = new Float32Array(planes * h * wf);
  const im = new Float32Array(planes * h * wf);
  const back = new Float32Array(planes * h * w);
  fft.forward(real, re, im, planes);
  fft.inverse(re, im, back, planes);
  const error = new RelativeError();
  error.add(back, 0, real);
  return error.value;
}

/** Asserts all three errors are within TOLERANCE; returns them as text for the test log. */
function checkAll(label: string, fft: RealFft2d<Float32Array>, h: number, w: number, planes: number): string {
  assert.equal(fft.height, h);
  assert.equal(fft.width, w);
  assert.equal(fft.spectrumWidth, Math.floor(w / 2) + 1);
  const seed = 1000 * h + w;
  const forward = checkForward(fft, h, w, planes, seed);
  const inverse = checkInverse(fft, h, w, planes, seed + 7);
  const roundTrip = checkRoundTrip(fft, h, w, planes, seed + 13);
  const detail = `${label} ${h}x${w}: forward ${forward.toExponential(2)}, inverse ${inverse.toExponential(2)}, round trip ${roundTrip.toExponential(2)}`;
  assert.ok(forward < TOLERANCE && inverse < TOLERANCE && roundTrip < TOLERANCE, detail);
  return detail;
}

for (const [h, w, planes] of SIZES) {
  const path = pffftSupportsSize(h, w) ? 'pffft' : 'js';
  test(`createFastRealFft2d ${h}x${w} (${path}) matches a float64 DFT`, async (t) => {
    t.diagnostic(checkAll('fast', await createFastRealFft2d(h, w), h, w, planes));
  });
  if (path === 'pffft' && h <= 64) {
    test(`JS fallback ${h}x${w} matches a float64 DFT`, (t) => {
      t.diagnostic(checkAll('js', new JsRealFft2d(h, w), h, w, planes));
    });
  }
}

test('fast path is used for the product sizes except 224', () => {
  for (const n of [64, 128, 256, 512]) assert.ok(pffftSupportsSize(n, n), `${n}x${n}`);
  assert.ok(!pffftSupportsSize(224, 224));
});

test('instances are independent: interleaved use of two instances gives the same result as one', async () => {
  const [a, b] = await Promise.all([createFastRealFft2d(32, 64), createFastRealFft2d(32, 64)]);
  const x = randomArray(32 * 64, 1);
  const y = randomArray(32 * 64, 2);
  const size = 32 * 33;
  const [reA, imA, reB, imB, reRef, imRef] = Array.from({ length: 6 }, () => new Float32Array(size));
  a.forward(x, reA, imA, 1);
  b.forward(y, reB, imB, 1);
  a.forward(y, reRef, imRef, 1);
  assert.deepEqual(reB, reRef);
  assert.deepEqual(imB, imRef);
});

test('rejects sizes below 1 and non-integers', async () => {
  await assert.rejects(createFastRealFft2d(0, 8), RangeError);
  await assert.rejects(createFastRealFft2d(8, 2.5), RangeError);
});

test('the embedded layout kernels are the WASM assembled from layout-kernels.wat (run build/wasm/build-layout-kernels.ts after editing it)', async () => {
  const { assembleLayoutKernels } = await import('../../build/wasm/build-layout-kernels.ts');
  const { LAYOUT_KERNELS_WASM_BASE64 } = await import('../../main/acsr/signal/fft/layout-kernels-wasm.ts');
  assert.equal(LAYOUT_KERNELS_WASM_BASE64, Buffer.from(await assembleLayoutKernels()).toString('base64'));
});
