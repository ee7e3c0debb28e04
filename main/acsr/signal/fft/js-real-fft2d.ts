import type { RealFft2d } from './real-fft2d.ts';
import { BatchedComplexFft } from './batched-complex-fft.ts';

/**
 * Pure-JS batch 2-D real FFT for any H, W >= 1: the fallback for sizes PFFFT cannot do
 * (W not a multiple of 32, H not a multiple of 16, or a prime factor above 5, e.g. 224 = 2^5 * 7).
 *
 * Rows: a real row of even width W is packed as W/2 complex points (even samples real, odd
 * samples imaginary), transformed at half length and split into the W/2+1 bins; odd widths use a
 * full-length complex transform. Columns: one batched transform over the whole H x Wf plane, whose
 * inner loops run along rows, so no column is ever gathered.
 */
export class JsRealFft2d implements RealFft2d<Float32Array> {
  readonly height: number;
  readonly width: number;
  readonly spectrumWidth: number;

  private readonly rowFft: BatchedComplexFft;
  private readonly columnFft: BatchedComplexFft;
  private readonly packedRow: boolean;
  /** cos/sin(2 pi k / W), k <= W/2: the twiddles that split/merge the packed half-length row */
  private readonly splitCos: Float64Array;
  private readonly splitSin: Float64Array;
  private readonly rowRe: Float32Array;
  private readonly rowIm: Float32Array;
  private readonly rowScratchRe: Float32Array;
  private readonly rowScratchIm: Float32Array;
  /** all packed rows of a plane, element m of row y at m*H + y, and the batched transform's scratch */
  private readonly rowsRe: Float32Array;
  private readonly rowsIm: Float32Array;
  private readonly rowsScratchRe: Float32Array;
  private readonly rowsScratchIm: Float32Array;
  private readonly planeRe: Float32Array;
  private readonly planeIm: Float32Array;
  private readonly planeScratchRe: Float32Array;
  private readonly planeScratchIm: Float32Array;

  constructor(height: number, width: number) {
    assertSize(height, width);
    this.height = height;
    this.width = width;
    this.spectrumWidth = Math.floor(width / 2) + 1;
    this.packedRow = width % 2 === 0;
    const rowLength = this.packedRow ? width / 2 : width;
    this.rowFft = new BatchedComplexFft(rowLength);
    this.columnFft = new BatchedComplexFft(height);
    const half = Math.floor(width / 2);
    this.splitCos = new Float64Array(half + 1);
    this.splitSin = new Float64Array(half + 1);
    for (let k = 0; k <= half; k++) {
      this.splitCos[k] = Math.cos((2 * Math.PI * k) / width);
      this.splitSin[k] = Math.sin((2 * Math.PI * k) / width);
    }
    this.rowRe = new Float32Array(rowLength);
    this.rowIm = new Float32Array(rowLength);
    this.rowScratchRe = new Float32Array(rowLength);
    this.rowScratchIm = new Float32Array(rowLength);
    const rowsSize = this.packedRow ? rowLength * height : 0;
    this.rowsRe = new Float32Array(rowsSize);
    this.rowsIm = new Float32Array(rowsSize);
    this.rowsScratchRe = new Float32Array(rowsSize);
    this.rowsScratchIm = new Float32Array(rowsSize);
    const spectrumSize = height * this.spectrumWidth;
    this.planeRe = new Float32Array(spectrumSize);
    this.planeIm = new Float32Array(spectrumSize);
    this.planeScratchRe = new Float32Array(spectrumSize);
    this.planeScratchIm = new Float32Array(spectrumSize);
  }

  forward(real: Float32Array, re: Float32Array, im: Float32Array, planes: number): void {
    const { height: h, width: w, spectrumWidth: wf } = this;
    for (let p = 0; p < planes; p++) {
      const spectrumBase = p * h * wf;
      if (this.packedRow) this.forwardRows(real, p * h * w, re, im, spectrumBase);
      else for (let y = 0; y < h; y++) this.forwardRow(real, p * h * w + y * w, re, im, spectrumBase + y * wf);
      this.columnFft.transform(re, im, spectrumBase, wf, this.planeScratchRe, this.planeScratchIm, false);
    }
  }

  inverse(re: Float32Array, im: Float32Array, real: Float32Array, planes: number): void {
    const { height: h, width: w, spectrumWidth: wf } = this;
    const scale = 1 / (h * w);
    const size = h * wf;
    for (let p = 0; p < planes; p++) {
      // The caller's spectrum is input only, so the column pass runs on a private copy.
      this.planeRe.set(re.subarray(p * size, (p + 1) * size));
      this.planeIm.set(im.subarray(p * size, (p + 1) * size));
      this.columnFft.transform(this.planeRe, this.planeIm, 0, wf, this.planeScratchRe, this.planeScratchIm, true);
      if (this.packedRow) this.inverseRows(real, p * h * w, scale);
      else for (let y = 0; y < h; y++) this.inverseRow(y * wf, real, p * h * w + y * w, scale);
    }
  }

  /**
   * Every packed row of a plane in one batched half-length transform (element m of row y at
   * m*H + y): the same per-row arithmetic as forwardRow, without a transform call per row.
   */
  private forwardRows(real: Float32Array, src: number, re: Float32Array, im: Float32Array, dst: number): void {
    const { height: h, width: w, spectrumWidth: wf, rowsRe, rowsIm, splitCos, splitSin } = this;
    const half = w / 2;
    for (let y = 0; y < h; y++) {
      const row = src + y * w;
      for (let m = 0; m < half; m++) {
        rowsRe[m * h + y] = real[row + 2 * m];
        rowsIm[m * h + y] = real[row + 2 * m + 1];
      }
    }
    this.rowFft.transform(rowsRe, rowsIm, 0, h, this.rowsScratchRe, this.rowsScratchIm, false);
    for (let k = 0; k <= half; k++) {
      const a = (k === half ? 0 : k) * h;
      const b = (k === 0 ? 0 : half - k) * h;
      const wr = splitCos[k],
        wi = -splitSin[k];
      for (let y = 0; y < h; y++) {
        const zr = rowsRe[a + y],
          zi = rowsIm[a + y],
          cr = rowsRe[b + y],
          ci = -rowsIm[b + y];
        const er = 0.5 * (zr + cr),
          ei = 0.5 * (zi + ci);
        const or = 0.5 * (zi - ci),
          oi = -0.5 * (zr - cr);
        re[dst + y * wf + k] = er + or * wr - oi * wi;
        im[dst + y * wf + k] = ei + or * wi + oi * wr;
      }
    }
  }

  /** The rows of the column-transformed plane to real rows in one batched transform (inverseRow's arithmetic). */
  private inverseRows(real: Float32Array, dst: number, scale: number): void {
    const { height: h, width: w, spectrumWidth: wf, rowsRe, rowsIm, planeRe, planeIm, splitCos, splitSin } = this;
    const half = w / 2;
    for (let k = 0; k < half; k++) {
      const wr = splitCos[k],
        wi = splitSin[k];
      for (let y = 0; y < h; y++) {
        const src = y * wf;
        const xr = planeRe[src + k],
          xi = k === 0 ? 0 : planeIm[src + k];
        const cr = planeRe[src + half - k],
          ci = k === 0 ? 0 : -planeIm[src + half - k];
        const er = xr + cr,
          ei = xi + ci;
        const dr = xr - cr,
          di = xi - ci;
        const or = dr * wr - di * wi,
          oi = dr * wi + di * wr;
        rowsRe[k * h + y] = er - oi;
        rowsIm[k * h + y] = ei + or;
      }
    }
    this.rowFft.transform(rowsRe, rowsIm, 0, h, this.rowsScratchRe, this.rowsScratchIm, true);
    for (let y = 0; y < h; y++) {
      const row = dst + y * w;
      for (let m = 0; m < half; m++) {
        real[row + 2 * m] = rowsRe[m * h + y] * scale;
        real[row + 2 * m + 1] = rowsIm[m * h + y] * scale;
      }
    }
  }

  private forwardRow(real: Float32Array, src: number, re: Float32Array, im: Float32Array, dst: number): void {
    const { rowRe, rowIm } = this;
    if (!this.packedRow) {
      const w = this.width;
      for (let x = 0; x < w; x++) {
        rowRe[x] = real[src + x];
        rowIm[x] = 0;
      }
      this.rowFft.transform(rowRe, rowIm, 0, 1, this.rowScratchRe, this.rowScratchIm, false);
      for (let k = 0; k < this.spectrumWidth; k++) {
        re[dst + k] = rowRe[k];
        im[dst + k] = rowIm[k];
      }
      return;
    }
    const half = this.width / 2;
    for (let m = 0; m < half; m++) {
      rowRe[m] = real[src + 2 * m];
      rowIm[m] = real[src + 2 * m + 1];
    }
    this.rowFft.transform(rowRe, rowIm, 0, 1, this.rowScratchRe, this.rowScratchIm, false);
    // Z = E + iO with E, O the spectra of the even and odd samples; X[k] = E[k] + exp(-2 pi i k/W) O[k].
    const { splitCos, splitSin } = this;
    for (let k = 0; k <= half; k++) {
      const a = k === half ? 0 : k;
      const b = k === 0 ? 0 : half - k;
      const zr = rowRe[a],
        zi = rowIm[a],
        cr = rowRe[b],
        ci = -rowIm[b];
      const er = 0.5 * (zr + cr),
        ei = 0.5 * (zi + ci);
      const or = 0.5 * (zi - ci),
        oi = -0.5 * (zr - cr);
      const wr = splitCos[k],
        wi = -splitSin[k];
      re[dst + k] = er + or * wr - oi * wi;
      im[dst + k] = ei + or * wi + oi * wr;
    }
  }

  /** Row y of the column-transformed plane to one real row; ignores Im at k = 0 and k = W/2 as numpy's irfft does. */
  private inverseRow(src: number, real: Float32Array, dst: number, scale: number): void {
    const { rowRe, rowIm, planeRe, planeIm } = this;
    if (!this.packedRow) {
      const w = this.width;
      rowRe[0] = planeRe[src];
      rowIm[0] = 0;
      for (let k = 1; k < this.spectrumWidth; k++) {
        rowRe[k] = planeRe[src + k];
        rowIm[k] = planeIm[src + k];
        rowRe[w - k] = planeRe[src + k];
        rowIm[w - k] = -planeIm[src + k];
      }
      this.rowFft.transform(rowRe, rowIm, 0, 1, this.rowScratchRe, this.rowScratchIm, true);
      for (let x = 0; x < w; x++) real[dst + x] = rowRe[x] * scale;
      return;
    }
    const half = this.width / 2;
    const { splitCos, splitSin } = this;
    for (let k = 0; k < half; k++) {
      const xr = planeRe[src + k],
        xi = k === 0 ? 0 : planeIm[src + k];
      const cr = planeRe[src + half - k],
        ci = k === 0 ? 0 : -planeIm[src + half - k];
      // unnormalised: E' = 2E, O' = 2O, folded into the final 1/(H W) scale
      const er = xr + cr,
        ei = xi + ci;
      const dr = xr - cr,
        di = xi - ci;
      const wr = splitCos[k],
        wi = splitSin[k];
      const or = dr * wr - di * wi,
        oi = dr * wi + di * wr;
      rowRe[k] = er - oi;
      rowIm[k] = ei + or;
    }
    this.rowFft.transform(rowRe, rowIm, 0, 1, this.rowScratchRe, this.rowScratchIm, true);
    for (let m = 0; m < half; m++) {
      real[dst + 2 * m] = rowRe[m] * scale;
      real[dst + 2 * m + 1] = rowIm[m] * scale;
    }
  }
}

export function assertSize(height: number, width: number): void {
  if (!Number.isInteger(height) || !Number.isInteger(width) || height < 1 || width < 1) {
    throw new RangeError(`2-D FFT size must be positive integers, got ${height} x ${width}`);
  }
}
