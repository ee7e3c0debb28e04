import type { RealFft2d } from './real-fft2d.ts';
import { isFiveSmooth } from './fft-factors.ts';
import {
  PFFFT_BACKWARD,
  PFFFT_COMPLEX,
  PFFFT_FORWARD,
  PFFFT_REAL,
  type PffftModule,
} from './pffft-module.ts';

/** PFFFT (4-wide SIMD) needs real lengths divisible by 32, complex by 16, both of the form 2^a 3^b 5^c. */
export function pffftSupportsSize(height: number, width: number): boolean {
  return width % 32 === 0 && height % 16 === 0 && isFiveSmooth(width) && isFiveSmooth(height);
}

/**
 * Batch 2-D real FFT on PFFFT's WASM SIMD kernels, one plane at a time inside the module's memory:
 *
 *  forward: copy plane in -> H real row FFTs (ordered) -> transpose -> W/2 complex column FFTs
 *           -> transposing copy out into split re/im.
 *  inverse: the mirror image, with the 1/(HW) scale folded into the copy in.
 *
 * PFFFT's ordered real output packs the real DC and Nyquist bins of a row as one complex number
 * (X0 + i X_{W/2}); the column pass keeps that pair as a single complex column and separates the
 * two real-input column spectra by Hermitian symmetry afterwards. So the middle transpose is a
 * plain H x W/2 complex transpose, done as float64 moves (one complex float32 pair = 8 bytes), and
 * there are exactly W/2 column transforms instead of W/2 + 1.
 */
export class PffftRealFft2d implements RealFft2d<Float32Array> {
  readonly height: number;
  readonly width: number;
  readonly spectrumWidth: number;

  private readonly module: PffftModule;
  private readonly rowSetup: number;
  private readonly columnSetup: number;
  private readonly workPointer: number;
  /** H rows of W floats: real rows, or their packed half spectra */
  private readonly rowsPointer: number;
  /** W/2 columns of H interleaved complex values */
  private readonly columnsPointer: number;
  private readonly heapF32: Float32Array;
  private readonly heapF64: Float64Array;

  constructor(module: PffftModule, height: number, width: number) {
    if (!pffftSupportsSize(height, width)) throw new RangeError(`PFFFT cannot transform ${height} x ${width}`);
    this.module = module;
    this.height = height;
    this.width = width;
    this.spectrumWidth = width / 2 + 1;
    this.rowSetup = module._pffft_new_setup(width, PFFFT_REAL);
    this.columnSetup = module._pffft_new_setup(height, PFFFT_COMPLEX);
    if (this.rowSetup === 0 || this.columnSetup === 0) throw new Error(`PFFFT setup failed for ${height} x ${width}`);
    this.workPointer = allocate(module, Math.max(width, 2 * height));
    this.rowsPointer = allocate(module, height * width);
    this.columnsPointer = allocate(module, height * width);
    // Views are taken after the last allocation: a later memory growth would detach them.
    this.heapF32 = module.HEAPF32;
    this.heapF64 = new Float64Array(this.heapF32.buffer);
  }

  forward(real: Float32Array, re: Float32Array, im: Float32Array, planes: number): void {
    const { height: h, width: w, spectrumWidth: wf } = this;
    const rows = this.rowsPointer;
    for (let p = 0; p < planes; p++) {
      this.heapF32.set(real.subarray(p * h * w, (p + 1) * h * w), rows >> 2);
      for (let y = 0; y < h; y++) {
        const row = rows + 4 * y * w;
        this.module._pffft_transform_ordered(this.rowSetup, row, row, this.workPointer, PFFFT_FORWARD);
      }
      this.transposeRowsToColumns();
      this.transformColumns(PFFFT_FORWARD);
      this.storeSpectrum(re, im, p * h * wf);
    }
  }

  inverse(re: Float32Array, im: Float32Array, real: Float32Array, planes: number): void {
    const { height: h, width: w, spectrumWidth: wf } = this;
    const rows = this.rowsPointer;
    for (let p = 0; p < planes; p++) {
      this.loadSpectrum(re, im, p * h * wf, 1 / (h * w));
      this.transformColumns(PFFFT_BACKWARD);
      this.transposeColumnsToRows();
      for (let y = 0; y < h; y++) {
        const row = rows + 4 * y * w;
        this.module._pffft_transform_ordered(this.rowSetup, row, row, this.workPointer, PFFFT_BACKWARD);
      }
      real.set(this.heapF32.subarray(rows >> 2, (rows >> 2) + h * w), p * h * w);
    }
  }

  private transformColumns(direction: number): void {
    const { height: h, width: w } = this;
    for (let k = 0; k < w / 2; k++) {
      const column = this.columnsPointer + 8 * k * h;
      this.module._pffft_transform_ordered(this.columnSetup, column, column, this.workPointer, direction);
    }
  }

  // Both transposes go in bands of 8 rows so each source cache line is used while it is hot.
  private transposeRowsToColumns(): void {
    const heap = this.heapF64;
    const h = this.height;
    const pairs = this.width / 2;
    const src = this.rowsPointer >> 3;
    const dst = this.columnsPointer >> 3;
    for (let y0 = 0; y0 < h; y0 += 8) {
      for (let k = 0; k < pairs; k++) {
        const s = src + y0 * pairs + k;
        const d = dst + k * h + y0;
        for (let y = 0; y < 8; y++) heap[d + y] = heap[s + y * pairs];
      }
    }
  }

  private transposeColumnsToRows(): void {
    const heap = this.heapF64;
    const h = this.height;
    const pairs = this.width / 2;
    const src = this.columnsPointer >> 3;
    const dst = this.rowsPointer >> 3;
    for (let y0 = 0; y0 < h; y0 += 8) {
      for (let k = 0; k < pairs; k++) {
        const s = src + k * h + y0;
        const d = dst + y0 * pairs + k;
        for (let y = 0; y < 8; y++) heap[d + y * pairs] = heap[s + y];
      }
    }
  }

  /** Column spectra (interleaved, column-major) to the caller's split row-major plane. */
  private storeSpectrum(re: Float32Array, im: Float32Array, base: number): void {
    const heap = this.heapF32;
    const h = this.height;
    const wf = this.spectrumWidth;
    const nyquist = this.width / 2;
    const columns = this.columnsPointer >> 2;
    for (let r0 = 0; r0 < h; r0 += 8) {
      for (let k = 1; k < nyquist; k++) {
        let s = columns + 2 * (k * h + r0);
        let d = base + r0 * wf + k;
        for (let r = 0; r < 8; r++, s += 2, d += wf) {
          re[d] = heap[s];
          im[d] = heap[s + 1];
        }
      }
    }
    // Column 0 holds Z = FFT(dc + i*nyquist); split it with Z[r] and conj(Z[-r]).
    for (let r = 0; r < h; r++) {
      const mirror = r === 0 ? 0 : h - r;
      const ar = heap[columns + 2 * r], ai = heap[columns + 2 * r + 1];
      const br = heap[columns + 2 * mirror], bi = heap[columns + 2 * mirror + 1];
      const d = base + r * wf;
      re[d] = 0.5 * (ar + br);
      im[d] = 0.5 * (ai - bi);
      re[d + nyquist] = 0.5 * (ai + bi);
      im[d + nyquist] = -0.5 * (ar - br);
    }
  }

  /**
   * The caller's split plane to interleaved columns, scaled. Columns 0 and W/2 share one complex
   * column as herm(A0) + i*herm(A_{W/2}), herm(A)[r] = (A[r] + conj(A[-r]))/2: after the inverse
   * column FFT both halves are then real, and dropping the anti-Hermitian parts is exactly what
   * a real inverse does with them (numpy's irfftn ignores Im of those bins after the column pass).
   */
  private loadSpectrum(re: Float32Array, im: Float32Array, base: number, scale: number): void {
    const heap = this.heapF32;
    const h = this.height;
    const wf = this.spectrumWidth;
    const nyquist = this.width / 2;
    const columns = this.columnsPointer >> 2;
    for (let r0 = 0; r0 < h; r0 += 8) {
      for (let k = 1; k < nyquist; k++) {
        let d = columns + 2 * (k * h + r0);
        let s = base + r0 * wf + k;
        for (let r = 0; r < 8; r++, d += 2, s += wf) {
          heap[d] = re[s] * scale;
          heap[d + 1] = im[s] * scale;
        }
      }
    }
    const half = 0.5 * scale;
    for (let r = 0; r < h; r++) {
      const a = base + r * wf;
      const b = base + (r === 0 ? 0 : h - r) * wf;
      const dcRe = half * (re[a] + re[b]), dcIm = half * (im[a] - im[b]);
      const nyRe = half * (re[a + nyquist] + re[b + nyquist]), nyIm = half * (im[a + nyquist] - im[b + nyquist]);
      heap[columns + 2 * r] = dcRe - nyIm;
      heap[columns + 2 * r + 1] = dcIm + nyRe;
    }
  }
}

function allocate(module: PffftModule, floats: number): number {
  const pointer = module._pffft_aligned_malloc(4 * floats);
  if (pointer === 0) throw new Error('PFFFT module is out of memory');
  return pointer;
}
