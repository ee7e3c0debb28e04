import { isFiveSmooth } from './fft-factors.ts';
import { pffftSupportsSize } from './pffft-real-fft2d.ts';

/**
 * The smallest grid of at least height x width that the PFFFT SIMD path transforms. Sizes such as
 * 224 (= 2^5 * 7) fall back to the JS FFT, which is several times slower than PFFFT on the next
 * supported size (256): padding the problem is the cheaper way to solve it.
 */
export function fastFftSize(height: number, width: number): { height: number; width: number } {
  return { height: nextSize(height, 16), width: nextSize(width, 32) };
}

function nextSize(n: number, multiple: number): number {
  let m = Math.ceil(n / multiple) * multiple;
  while (!isFiveSmooth(m)) m += multiple;
  return m;
}

export { pffftSupportsSize };
