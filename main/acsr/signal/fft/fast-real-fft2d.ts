import type { RealFft2d } from './real-fft2d.ts';
import { JsRealFft2d, assertSize } from './js-real-fft2d.ts';
import { loadPffftModule } from './pffft-module.ts';
import { PffftRealFft2d, pffftSupportsSize } from './pffft-real-fft2d.ts';

/**
 * The fastest float32 batch 2-D real FFT available for height x width (any sizes >= 1).
 *
 * Sizes PFFFT supports (W a multiple of 32, H of 16, both 2^a 3^b 5^c: 64, 128, 256, 512, ...)
 * run on PFFFT's WASM SIMD kernels; every other size (224 = 2^5 * 7, odd, prime) runs on the
 * pure-JS mixed-radix fallback. Async because WASM instantiation is.
 *
 * Each call returns a self-contained instance (its own WASM memory and scratch), so one instance
 * per worker thread is safe; a single instance must not be used by two threads at once. Inputs and
 * outputs may be views on a SharedArrayBuffer.
 */
export async function createFastRealFft2d(height: number, width: number): Promise<RealFft2d<Float32Array>> {
  assertSize(height, width);
  if (pffftSupportsSize(height, width)) return new PffftRealFft2d(await loadPffftModule(), height, width);
  return new JsRealFft2d(height, width);
}
