import { ComplexFft } from './complex-fft.ts';
import type { RealFft2d } from './real-fft2d.ts';

/**
 * Exact (float64) batch 2-D real DFT of any size: rows first, then columns of the
 * half spectrum. Used by every conformance path; the float32 fast path is checked against it.
 */
export class ReferenceRealFft2d implements RealFft2d<Float64Array> {
  readonly height: number;
  readonly width: number;
  readonly spectrumWidth: number;
  private readonly rowFft: ComplexFft;
  private readonly columnFft: ComplexFft;
  private readonly rowRe: Float64Array;
  private readonly rowIm: Float64Array;
  private readonly colRe: Float64Array;
  private readonly colIm: Float64Array;
  /** The inverse's column pass writes here so that the caller's spectrum is left untouched. */
  private readonly halfRe: Float64Array;
  private readonly halfIm: Float64Array;

  constructor(height: number, width: number) {
    this.height = height;
    this.width = width;
    this.spectrumWidth = Math.floor(width / 2) + 1;
    this.rowFft = new ComplexFft(width);
    this.columnFft = new ComplexFft(height);
    this.rowRe = new Float64Array(width);
    this.rowIm = new Float64Array(width);
    this.colRe = new Float64Array(height);
    this.colIm = new Float64Array(height);
    this.halfRe = new Float64Array(height * this.spectrumWidth);
    this.halfIm = new Float64Array(height * this.spectrumWidth);
  }

  forward(real: Float64Array, re: Float64Array, im: Float64Array, planes: number): void {
    const { height: h, width: w, spectrumWidth: wf, rowRe, rowIm, colRe, colIm } = this;
    for (let p = 0; p < planes; p++) {
      const inBase = p * h * w;
      const outBase = p * h * wf;
      for (let r = 0; r < h; r++) {
        for (let c = 0; c < w; c++) rowRe[c] = real[inBase + r * w + c];
        rowIm.fill(0);
        this.rowFft.transform(rowRe, rowIm, -1);
        for (let k = 0; k < wf; k++) {
          re[outBase + r * wf + k] = rowRe[k];
          im[outBase + r * wf + k] = rowIm[k];
        }
      }
      for (let k = 0; k < wf; k++) {
        for (let r = 0; r < h; r++) {
          colRe[r] = re[outBase + r * wf + k];
          colIm[r] = im[outBase + r * wf + k];
        }
        this.columnFft.transform(colRe, colIm, -1);
        for (let r = 0; r < h; r++) {
          re[outBase + r * wf + k] = colRe[r];
          im[outBase + r * wf + k] = colIm[r];
        }
      }
    }
  }

  inverse(re: Float64Array, im: Float64Array, real: Float64Array, planes: number): void {
    const { height: h, width: w, spectrumWidth: wf, rowRe, rowIm, colRe, colIm } = this;
    const scale = 1 / (h * w);
    const { halfRe, halfIm } = this;
    for (let p = 0; p < planes; p++) {
      const inBase = p * h * wf;
      const outBase = p * h * w;
      for (let k = 0; k < wf; k++) {
        for (let r = 0; r < h; r++) {
          colRe[r] = re[inBase + r * wf + k];
          colIm[r] = im[inBase + r * wf + k];
        }
        this.columnFft.transform(colRe, colIm, 1);
        for (let r = 0; r < h; r++) {
          halfRe[r * wf + k] = colRe[r];
          halfIm[r * wf + k] = colIm[r];
        }
      }
      for (let r = 0; r < h; r++) {
        // Rebuild the full row spectrum from Hermitian symmetry along the row axis.
        for (let k = 0; k < wf; k++) {
          rowRe[k] = halfRe[r * wf + k];
          rowIm[k] = halfIm[r * wf + k];
        }
        for (let k = wf; k < w; k++) {
          rowRe[k] = halfRe[r * wf + (w - k)];
          rowIm[k] = -halfIm[r * wf + (w - k)];
        }
        // The DC and Nyquist bins of a real signal are real; numpy drops their imaginary part.
        rowIm[0] = 0;
        if (w % 2 === 0) rowIm[w / 2] = 0;
        this.rowFft.transform(rowRe, rowIm, 1);
        for (let c = 0; c < w; c++) real[outBase + r * w + c] = rowRe[c] * scale;
      }
    }
  }
}
