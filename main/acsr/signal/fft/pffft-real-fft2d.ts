import type { RealFft2d } from './real-fft2d.ts';
import { isFiveSmooth } from './fft-factors.ts';
import { instantiateLayoutKernels, type LayoutKernels } from './layout-kernels.ts';
import { PFFFT_BACKWARD, PFFFT_COMPLEX, PFFFT_FORWARD, PFFFT_REAL, type LoadedPffft, type PffftModule } from './pffft-module.ts';

/** PFFFT (4-wide SIMD) needs real lengths divisible by 32, complex by 16, both of the form 2^a 3^b 5^c. */
export function pffftSupportsSize(height: number, width: number): boolean {
  return width % 32 === 0 && height % 16 === 0 && isFiveSmooth(width) && isFiveSmooth(height);
}

/**
 * Batch 2-D real FFT on PFFFT's WASM SIMD kernels, one plane at a time inside the module's memory:
 *
 *  forward: copy plane in -> H real row FFTs -> transpose -> W/2 complex column FFTs
 *           -> split into row-major re/im staging -> copy out.
 *  inverse: the mirror image, with the 1/(HW) scale folded into the split -> columns step.
 *
 * PFFFT's ordered real output packs the real DC and Nyquist bins of a row as one complex number
 * (X0 + i X_{W/2}), so the row spectra form a plain H x W/2 complex matrix; the column pass keeps
 * that pair as one complex column and the two real-input column spectra are separated by
 * Hermitian symmetry afterwards (O(H) in JS). Exactly W/2 column transforms, no padding column.
 * The transposes and (de)interleaves run in a small SIMD module sharing PFFFT's memory
 * (layout-kernels.wat): in JS they cost as much as all the FFTs; the copies between the caller's
 * arrays and WASM memory are TypedArray.set, i.e. memcpy.
 */
export class PffftRealFft2d implements RealFft2d<Float32Array> {
  readonly height: number;
  readonly width: number;
  readonly spectrumWidth: number;

  private readonly module: PffftModule;
  private readonly kernels: LayoutKernels;
  private readonly rowSetup: number;
  private readonly columnSetup: number;
  private readonly workPointer: number;
  /** H rows of W floats: real rows, or their packed half spectra */
  private readonly rowsPointer: number;
  /** W/2 columns of H interleaved complex values */
  private readonly columnsPointer: number;
  /** the spectrum plane in the caller's split row-major layout, H x Wf each */
  private readonly stagingRePointer: number;
  private readonly stagingImPointer: number;
  private readonly heapF32: Float32Array;

  constructor(pffft: LoadedPffft, height: number, width: number) {
    if (!pffftSupportsSize(height, width)) throw new RangeError(`PFFFT cannot transform ${height} x ${width}`);
    const module = pffft.module;
    this.module = module;
    this.kernels = instantiateLayoutKernels(pffft.memory);
    this.height = height;
    this.width = width;
    this.spectrumWidth = width / 2 + 1;
    this.rowSetup = module._pffft_new_setup(width, PFFFT_REAL);
    this.columnSetup = module._pffft_new_setup(height, PFFFT_COMPLEX);
    if (this.rowSetup === 0 || this.columnSetup === 0) throw new Error(`PFFFT setup failed for ${height} x ${width}`);
    this.workPointer = allocate(module, Math.max(width, 2 * height));
    this.rowsPointer = allocate(module, height * width);
    this.columnsPointer = allocate(module, height * width);
    this.stagingRePointer = allocate(module, height * this.spectrumWidth);
    this.stagingImPointer = allocate(module, height * this.spectrumWidth);
    // Taken after the last allocation: a later memory growth would detach it.
    this.heapF32 = module.HEAPF32;
  }

  forward(real: Float32Array, re: Float32Array, im: Float32Array, planes: number): void {
    const { height: h, width: w, spectrumWidth: wf, heapF32: heap } = this;
    const size = h * wf;
    const rows = this.rowsPointer;
    for (let p = 0; p < planes; p++) {
      heap.set(real.subarray(p * h * w, (p + 1) * h * w), rows >> 2);
      this.transformRows(PFFFT_FORWARD);
      this.kernels.transposeComplex(rows, this.columnsPointer, h, w / 2);
      this.transformColumns(PFFFT_FORWARD);
      this.kernels.columnsToSplitRows(this.columnsPointer, this.stagingRePointer, this.stagingImPointer, h, w / 2, wf);
      re.set(heap.subarray(this.stagingRePointer >> 2, (this.stagingRePointer >> 2) + size), p * size);
      im.set(heap.subarray(this.stagingImPointer >> 2, (this.stagingImPointer >> 2) + size), p * size);
      this.storeDcAndNyquistColumns(re, im, p * size);
    }
  }

  inverse(re: Float32Array, im: Float32Array, real: Float32Array, planes: number): void {
    const { height: h, width: w, spectrumWidth: wf, heapF32: heap } = this;
    const size = h * wf;
    const scale = 1 / (h * w);
    const rows = this.rowsPointer;
    for (let p = 0; p < planes; p++) {
      heap.set(re.subarray(p * size, (p + 1) * size), this.stagingRePointer >> 2);
      heap.set(im.subarray(p * size, (p + 1) * size), this.stagingImPointer >> 2);
      this.kernels.splitRowsToColumns(this.stagingRePointer, this.stagingImPointer, this.columnsPointer, h, w / 2, wf, scale);
      this.loadDcAndNyquistColumns(re, im, p * size, scale);
      this.transformColumns(PFFFT_BACKWARD);
      this.kernels.transposeComplex(this.columnsPointer, rows, w / 2, h);
      this.transformRows(PFFFT_BACKWARD);
      real.set(heap.subarray(rows >> 2, (rows >> 2) + h * w), p * h * w);
    }
  }

  private transformRows(direction: number): void {
    const { height: h, width: w } = this;
    for (let y = 0; y < h; y++) {
      const row = this.rowsPointer + 4 * y * w;
      this.module._pffft_transform_ordered(this.rowSetup, row, row, this.workPointer, direction);
    }
  }

  private transformColumns(direction: number): void {
    const { height: h, width: w } = this;
    for (let k = 0; k < w / 2; k++) {
      const column = this.columnsPointer + 8 * k * h;
      this.module._pffft_transform_ordered(this.columnSetup, column, column, this.workPointer, direction);
    }
  }

  /** Column 0 holds Z = FFT(dc + i*nyquist); split it with Z[r] and conj(Z[-r]). */
  private storeDcAndNyquistColumns(re: Float32Array, im: Float32Array, base: number): void {
    const heap = this.heapF32;
    const h = this.height;
    const wf = this.spectrumWidth;
    const nyquist = this.width / 2;
    const column = this.columnsPointer >> 2;
    for (let r = 0; r < h; r++) {
      const mirror = r === 0 ? 0 : h - r;
      const ar = heap[column + 2 * r],
        ai = heap[column + 2 * r + 1];
      const br = heap[column + 2 * mirror],
        bi = heap[column + 2 * mirror + 1];
      const d = base + r * wf;
      re[d] = 0.5 * (ar + br);
      im[d] = 0.5 * (ai - bi);
      re[d + nyquist] = 0.5 * (ai + bi);
      im[d + nyquist] = -0.5 * (ar - br);
    }
  }

  /**
   * Columns 0 and W/2 share one complex column as herm(A0) + i*herm(A_{W/2}), where
   * herm(A)[r] = (A[r] + conj(A[-r]))/2: after the inverse column FFT both halves are real, and
   * dropping the anti-Hermitian parts is exactly what a real inverse does with them (numpy's
   * irfftn ignores Im of those bins after the column pass), so any input spectrum is handled.
   */
  private loadDcAndNyquistColumns(re: Float32Array, im: Float32Array, base: number, scale: number): void {
    const heap = this.heapF32;
    const h = this.height;
    const wf = this.spectrumWidth;
    const nyquist = this.width / 2;
    const column = this.columnsPointer >> 2;
    const half = 0.5 * scale;
    for (let r = 0; r < h; r++) {
      const a = base + r * wf;
      const b = base + (r === 0 ? 0 : h - r) * wf;
      const dcRe = half * (re[a] + re[b]),
        dcIm = half * (im[a] - im[b]);
      const nyRe = half * (re[a + nyquist] + re[b + nyquist]),
        nyIm = half * (im[a + nyquist] - im[b + nyquist]);
      heap[column + 2 * r] = dcRe - nyIm;
      heap[column + 2 * r + 1] = dcIm + nyRe;
    }
  }
}

function allocate(module: PffftModule, floats: number): number {
  const pointer = module._pffft_aligned_malloc(4 * floats);
  if (pointer === 0) throw new Error('PFFFT module is out of memory');
  return pointer;
}
