import { test } from 'node:test';
import assert from 'node:assert/strict';
import { type CbpdnBuffers, type CbpdnLayout, type UpdateSums, addSums, dictSignalKernel } from '../../main/acsr/signal/cbpdn-kernels.ts';
import { allocateCbpdnBuffers } from '../../main/acsr/signal/cbpdn-engine.ts';
import { ScalarIterationKernels } from '../../main/acsr/signal/iteration-kernels.ts';
import { SIMD_BLOCK, createCbpdnArena } from '../../main/acsr/signal/simd/cbpdn-arena.ts';
import { woodburyF32, yuStepF32 } from '../../main/acsr/signal/simd/cbpdn-f32-kernels.ts';
import { SimdIterationKernels } from '../../main/acsr/signal/simd/simd-iteration-kernels.ts';
import { xStepFactorsKernel } from '../../main/acsr/signal/x-step.ts';
import { seededRandom } from '../../main/acsr/random/seeded-random.ts';

/**
 * The WebAssembly SIMD kernels compute in float32 lanes where the work is (cbpdn-simd.wat):
 * - against their JS mirror (cbpdn-f32-kernels.ts), which the kernels use for the tails of
 *   ranges: X-hat, Y and U bit for bit, the residual sums and the data fidelity to 1e-12;
 * - against the float64 JS kernels, which differ by float32 rounding: X-hat and Y, U within
 *   1e-5 of the largest value, the sums within 1e-5.
 * Odd plane sizes and odd frequency ranges exercise the tails. The end-to-end agreement with
 * SPORCO is cbpdn-float32-conformance.test.ts.
 */
function layoutOf(height: number, width: number, dictChannels: number, groups: number): CbpdnLayout {
  return { groups, dictChannels, atoms: 5, height, width, spectrumWidth: Math.floor(width / 2) + 1, linearSolver: 'woodbury' };
}

function fillSame(layout: CbpdnLayout, a: CbpdnBuffers<Float32Array>, b: CbpdnBuffers<Float32Array>, seed: number): void {
  const random = seededRandom(seed);
  for (const name of ['dictRe', 'dictIm', 'signalRe', 'signalIm', 'spectrumRe', 'spectrumIm', 'x', 'y', 'u'] as const) {
    for (let i = 0; i < a[name].length; i++) a[name][i] = b[name][i] = random() - 0.5;
  }
  const F = layout.height * layout.spectrumWidth;
  for (const buffers of [a, b]) {
    dictSignalKernel(layout, buffers, 0, F);
    xStepFactorsKernel(layout, buffers, 0.7, 0, F);
  }
}

function relativeDifference(a: Float32Array, b: Float32Array): number {
  let worst = 0;
  let scale = 0;
  for (let i = 0; i < a.length; i++) {
    worst = Math.max(worst, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return worst / scale;
}

const SHAPES = [
  [9, 9, 3, 1],
  [9, 9, 1, 3],
  [16, 20, 3, 2],
  [15, 32, 1, 1],
  // planes of 63 and 90 values: the y/u step's last 3 and 2 values of the range run in JS
  [7, 9, 3, 1],
  [9, 10, 1, 2],
  // each of the two frequency ranges longer than one block of the Woodbury kernel (SIMD_BLOCK): 640 and 560 frequencies
  [40, 30, 3, 1],
  [40, 26, 1, 2],
] as const;

function closeSums(actual: UpdateSums, expected: UpdateSums, tolerance: number, what: string): void {
  for (const key of Object.keys(expected) as (keyof UpdateSums)[]) {
    assert.ok(Math.abs(actual[key] - expected[key]) <= tolerance * Math.abs(expected[key]), `${what} ${key}: ${actual[key]} vs ${expected[key]}`);
  }
}

for (const [height, width, dictChannels, groups] of SHAPES) {
  test(`SIMD kernels agree with their float32 mirror bit for bit, and with the float64 kernels: ${height}x${width}, ${dictChannels}-channel dictionary, ${groups} group(s)`, () => {
    const layout = layoutOf(height, width, dictChannels, groups);
    const arena = createCbpdnArena(layout, false, 1)!;
    const simdBuffers = arena.buffers;
    const mirrorBuffers = allocateCbpdnBuffers(layout, (n) => new Float32Array(n), false);
    const jsBuffers = allocateCbpdnBuffers(layout, (n) => new Float32Array(n), false);
    fillSame(layout, simdBuffers, mirrorBuffers, 11);
    fillSame(layout, simdBuffers, jsBuffers, 11);
    const simd = new SimdIterationKernels(layout, simdBuffers, arena.memory, arena.layout, 0);
    const js = new ScalarIterationKernels(layout, jsBuffers);
    const planes = layout.groups * layout.atoms;
    const F = height * layout.spectrumWidth;

    simd.yMinusU(1, planes);
    js.yMinusU(1, planes);
    assert.deepEqual(simdBuffers.x, jsBuffers.x, 'Y - U');
    mirrorBuffers.x.set(jsBuffers.x);

    // the frequency range split as two workers would split it (odd ends)
    const middle = Math.floor(F / 2) + 1;
    if (height >= 40) assert.ok(F - middle > SIMD_BLOCK, 'both ranges span more than one block');
    let simdFidelity = 0,
      jsFidelity = 0;
    for (const [f0, f1] of [
      [0, middle],
      [middle, F],
    ]) {
      simdFidelity += simd.xStepSolve(1.3, f0, f1, true);
      jsFidelity += js.xStepSolve(1.3, f0, f1, true);
    }
    const mirrorFidelity = woodburyF32(layout, mirrorBuffers, 1.3, 0, F, true) / (2 * height * width);
    assert.deepEqual(simdBuffers.spectrumRe, mirrorBuffers.spectrumRe, 'X-hat real part, mirror');
    assert.deepEqual(simdBuffers.spectrumIm, mirrorBuffers.spectrumIm, 'X-hat imaginary part, mirror');
    assert.ok(Math.abs(simdFidelity - mirrorFidelity) <= 1e-12 * mirrorFidelity, `data fidelity ${simdFidelity} vs mirror ${mirrorFidelity}`);
    assert.ok(relativeDifference(simdBuffers.spectrumRe, jsBuffers.spectrumRe) < 1e-5, 'X-hat real part, float64 kernel');
    assert.ok(relativeDifference(simdBuffers.spectrumIm, jsBuffers.spectrumIm) < 1e-5, 'X-hat imaginary part, float64 kernel');
    assert.ok(Math.abs(simdFidelity - jsFidelity) / jsFidelity < 1e-5, `data fidelity ${simdFidelity} vs ${jsFidelity}`);
    assert.equal(simd.xStepSolve(1.3, 0, F, false), 0);

    // every kernel then starts from the same X
    mirrorBuffers.x.set(simdBuffers.x);
    jsBuffers.x.set(simdBuffers.x);
    const simdSums = simd.yuStep(1.8, 0.05, 0, planes);
    const count = planes * height * width;
    const vectorised = count & ~3;
    const mirrorSums = addSums(
      yuStepF32(mirrorBuffers.x, mirrorBuffers.y, mirrorBuffers.u, 1.8, 0.05, 0, vectorised),
      yuStepF32(mirrorBuffers.x, mirrorBuffers.y, mirrorBuffers.u, 1.8, 0.05, vectorised, count),
    );
    const jsSums = js.yuStep(1.8, 0.05, 0, planes);
    assert.deepEqual(simdBuffers.y, mirrorBuffers.y, 'Y, mirror');
    assert.deepEqual(simdBuffers.u, mirrorBuffers.u, 'U, mirror');
    closeSums(simdSums, mirrorSums, 1e-12, 'mirror');
    assert.ok(relativeDifference(simdBuffers.y, jsBuffers.y) < 1e-5, 'Y, float64 kernel');
    assert.ok(relativeDifference(simdBuffers.u, jsBuffers.u) < 1e-5, 'U, float64 kernel');
    closeSums(simdSums, jsSums, 1e-5, 'float64 kernel');
  });
}

test('the embedded CBPDN kernels are the WASM assembled from cbpdn-simd.wat (run build/wasm/build-cbpdn-simd.ts after editing it)', async () => {
  const { assembleCbpdnSimd } = await import('../../build/wasm/build-cbpdn-simd.ts');
  const { CBPDN_SIMD_WASM_BASE64 } = await import('../../main/acsr/signal/simd/cbpdn-simd-wasm.ts');
  assert.equal(CBPDN_SIMD_WASM_BASE64, Buffer.from(await assembleCbpdnSimd()).toString('base64'));
});

test("the y/u step's soft threshold keeps every bit of Math.min/Math.max at ties, signed zeros and NaN", () => {
  // x values at the threshold, on either side of it, zeros of both signs and NaN; y and U of both
  // zero signs so that v = x + 0 y + u carries the sign of zero through
  const layout = layoutOf(4, 4, 1, 1);
  const count = layout.groups * layout.atoms * layout.height * layout.width;
  for (const threshold of [0, 0.05]) {
    const t = Math.fround(threshold);
    const special = [0, -0, t, -t, Math.fround(t * 2), -Math.fround(t * 2), Math.fround(t / 2), -Math.fround(t / 2), Number.NaN, 1e-30, -1e-30, 3, -3];
    const arena = createCbpdnArena(layout, false, 1)!;
    const mirror = allocateCbpdnBuffers(layout, (n) => new Float32Array(n), false);
    for (let i = 0; i < count; i++) {
      const value = special[i % special.length];
      const zero = Math.floor(i / special.length) % 2 === 0 ? 0 : -0;
      arena.buffers.x[i] = mirror.x[i] = value;
      arena.buffers.y[i] = mirror.y[i] = zero;
      arena.buffers.u[i] = mirror.u[i] = zero;
    }
    new SimdIterationKernels(layout, arena.buffers, arena.memory, arena.layout, 0).yuStep(1, threshold, 0, layout.atoms);
    yuStepF32(mirror.x, mirror.y, mirror.u, 1, threshold, 0, count);
    const bits = (a: Float32Array) => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));
    assert.deepEqual(bits(arena.buffers.y), bits(mirror.y), `Y bits, threshold ${threshold}`);
    assert.deepEqual(bits(arena.buffers.u), bits(mirror.u), `U bits, threshold ${threshold}`);
  }
});
