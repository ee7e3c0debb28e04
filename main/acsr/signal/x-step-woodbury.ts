import type { FloatArray } from '../array/float-array.ts';
import type { CbpdnBuffers, CbpdnLayout } from './cbpdn-kernels.ts';
import { parsevalWeight, spectrumSize } from './cbpdn-kernels.ts';

/**
 * The CBPDN x-step by the Woodbury identity. At every frequency, with A = [a_0 .. a_{Cd-1}],
 * a_c = conj(D-hat_c) (a vector over the M atoms):
 *
 *   (rho I + A A^H)^{-1} b = (b - A (rho I + A^H A)^{-1} A^H b) / rho
 *
 * The Cd x Cd Gram matrix A^H A does not depend on rho, so it is computed once per dictionary and
 * AutoRho's rho changes cost nothing (SPORCO's Sherman-Morrison factors must be rebuilt at every
 * change, which with AutoRho is nearly every iteration). With Cd = 1 this is exactly
 * Sherman-Morrison. Gram storage: factorRe/Im [c][c'][F] = sum_m D_{c,m} conj(D_{c',m}).
 */
export function gramKernel<T extends FloatArray>(layout: CbpdnLayout, buf: CbpdnBuffers<T>, f0: number, f1: number): void {
  const { dictChannels: cd, atoms: M } = layout;
  const F = spectrumSize(layout);
  const { dictRe, dictIm, factorRe, factorIm } = buf;
  for (let c = 0; c < cd; c++) {
    for (let c2 = 0; c2 < cd; c2++) {
      const out = (c * cd + c2) * F;
      factorRe.fill(0, out + f0, out + f1);
      factorIm.fill(0, out + f0, out + f1);
      for (let m = 0; m < M; m++) {
        const p = (c * M + m) * F;
        const q = (c2 * M + m) * F;
        for (let f = f0; f < f1; f++) {
          // D_c conj(D_c')
          factorRe[out + f] += dictRe[p + f] * dictRe[q + f] + dictIm[p + f] * dictIm[q + f];
          factorIm[out + f] += dictIm[p + f] * dictRe[q + f] - dictRe[p + f] * dictIm[q + f];
        }
      }
    }
  }
}

const BLOCK = 128;

/** Scratch a worker reuses across calls (no allocation per iteration). */
export class WoodburyScratch {
  readonly tRe: Float64Array;
  readonly tIm: Float64Array;
  readonly rRe: Float64Array;
  readonly rIm: Float64Array;
  readonly matrix: Float64Array;
  constructor(dictChannels: number) {
    this.tRe = new Float64Array(dictChannels * BLOCK);
    this.tIm = new Float64Array(dictChannels * BLOCK);
    this.rRe = new Float64Array(dictChannels * BLOCK);
    this.rIm = new Float64Array(dictChannels * BLOCK);
    this.matrix = new Float64Array(2 * dictChannels * dictChannels);
  }
}

/**
 * x-step over frequencies [f0, f1) for every group: spectrum holds (Y - U)-hat on entry and
 * X-hat on exit. Returns the partial data fidelity of X (Parseval-weighted, before the 1/(2HW)
 * factor) when `withDataFidelity`, accumulated in the same pass so X-hat is not read again.
 */
export function woodburyXStepKernel<T extends FloatArray>(
  layout: CbpdnLayout,
  buf: CbpdnBuffers<T>,
  rho: number,
  f0: number,
  f1: number,
  withDataFidelity: boolean,
  scratch: WoodburyScratch,
): number {
  let fidelity = 0;
  for (let g = 0; g < layout.groups; g++) {
    for (let b0 = f0; b0 < f1; b0 += BLOCK) {
      fidelity += woodburyBlock(layout, buf, rho, g, b0, Math.min(f1, b0 + BLOCK), withDataFidelity, scratch);
    }
  }
  return fidelity / (2 * layout.height * layout.width);
}

function woodburyBlock<T extends FloatArray>(
  layout: CbpdnLayout,
  buf: CbpdnBuffers<T>,
  rho: number,
  g: number,
  b0: number,
  b1: number,
  withDataFidelity: boolean,
  scratch: WoodburyScratch,
): number {
  const { dictChannels: cd, atoms: M, width, spectrumWidth } = layout;
  const F = spectrumSize(layout);
  const { dictRe, dictIm, dictSignalRe, dictSignalIm, factorRe, factorIm, spectrumRe, spectrumIm, signalRe, signalIm } = buf;
  const { tRe, tIm } = scratch;
  const n = b1 - b0;
  tRe.fill(0, 0, cd * n);
  tIm.fill(0, 0, cd * n);

  // b = D^H s + rho (y - u) (kept in the spectrum);  t_c = sum_m D_{c,m} b_m = (A^H b)_c
  for (let m = 0; m < M; m++) {
    const plane = (g * M + m) * F;
    for (let j = 0, f = b0; j < n; j++, f++) {
      spectrumRe[plane + f] = dictSignalRe[plane + f] + rho * spectrumRe[plane + f];
      spectrumIm[plane + f] = dictSignalIm[plane + f] + rho * spectrumIm[plane + f];
    }
    for (let c = 0; c < cd; c++) {
      const d = (c * M + m) * F;
      const t = c * n;
      for (let j = 0, f = b0; j < n; j++, f++) {
        const bRe = spectrumRe[plane + f];
        const bIm = spectrumIm[plane + f];
        tRe[t + j] += dictRe[d + f] * bRe - dictIm[d + f] * bIm;
        tIm[t + j] += dictRe[d + f] * bIm + dictIm[d + f] * bRe;
      }
    }
  }

  // z = (rho I + A^H A)^{-1} t, a Cd x Cd Hermitian positive definite solve per frequency
  if (cd === 1) {
    for (let j = 0, f = b0; j < n; j++, f++) {
      const scale = 1 / (rho + factorRe[f]);
      tRe[j] *= scale;
      tIm[j] *= scale;
    }
  } else {
    for (let j = 0, f = b0; j < n; j++, f++) solveSmallHermitian(cd, factorRe, factorIm, F, f, rho, tRe, tIm, j, n, scratch.matrix);
  }

  // x = (b - A z) / rho, (A z)_m = sum_c conj(D_{c,m}) z_c; and, if asked, r_c = sum_m D_{c,m} x_m
  const inverseRho = 1 / rho;
  const rRe = withDataFidelity ? scratch.rRe : null;
  const rIm = withDataFidelity ? scratch.rIm : null;
  if (rRe && rIm) {
    rRe.fill(0, 0, cd * n);
    rIm.fill(0, 0, cd * n);
  }
  for (let m = 0; m < M; m++) {
    const plane = (g * M + m) * F;
    for (let c = 0; c < cd; c++) {
      const d = (c * M + m) * F;
      const t = c * n;
      for (let j = 0, f = b0; j < n; j++, f++) {
        const dRe = dictRe[d + f];
        const dIm = dictIm[d + f];
        spectrumRe[plane + f] -= dRe * tRe[t + j] + dIm * tIm[t + j];
        spectrumIm[plane + f] -= dRe * tIm[t + j] - dIm * tRe[t + j];
      }
    }
    for (let j = 0, f = b0; j < n; j++, f++) {
      spectrumRe[plane + f] *= inverseRho;
      spectrumIm[plane + f] *= inverseRho;
    }
    if (rRe && rIm) {
      for (let c = 0; c < cd; c++) {
        const d = (c * M + m) * F;
        const t = c * n;
        for (let j = 0, f = b0; j < n; j++, f++) {
          const xRe = spectrumRe[plane + f];
          const xIm = spectrumIm[plane + f];
          rRe[t + j] += dictRe[d + f] * xRe - dictIm[d + f] * xIm;
          rIm[t + j] += dictRe[d + f] * xIm + dictIm[d + f] * xRe;
        }
      }
    }
  }
  if (!rRe || !rIm) return 0;
  let fidelity = 0;
  for (let c = 0; c < cd; c++) {
    const s = (g * cd + c) * F;
    for (let j = 0, f = b0; j < n; j++, f++) {
      const eRe = rRe[c * n + j] - signalRe[s + f];
      const eIm = rIm[c * n + j] - signalIm[s + f];
      fidelity += parsevalWeight(f % spectrumWidth, width) * (eRe * eRe + eIm * eIm);
    }
  }
  return fidelity;
}

/**
 * Solve (rho I + G) z = t in place for one frequency, G Hermitian positive semidefinite (Cd x Cd),
 * by complex Cholesky: G + rho I = L L^H, then two triangular solves.
 */
export function solveSmallHermitian(
  cd: number,
  gramRe: FloatArray,
  gramIm: FloatArray,
  F: number,
  f: number,
  rho: number,
  tRe: Float64Array,
  tIm: Float64Array,
  j: number,
  n: number,
  a: Float64Array,
): void {
  // a holds L (re at 2k, im at 2k+1), row-major lower triangle
  for (let r = 0; r < cd; r++) {
    for (let c = 0; c <= r; c++) {
      let sRe = gramRe[(r * cd + c) * F + f] + (r === c ? rho : 0);
      let sIm = gramIm[(r * cd + c) * F + f];
      for (let k = 0; k < c; k++) {
        // s -= L[r][k] conj(L[c][k])
        const aRe = a[2 * (r * cd + k)],
          aIm = a[2 * (r * cd + k) + 1];
        const bRe = a[2 * (c * cd + k)],
          bIm = a[2 * (c * cd + k) + 1];
        sRe -= aRe * bRe + aIm * bIm;
        sIm -= aIm * bRe - aRe * bIm;
      }
      if (r === c) {
        a[2 * (r * cd + r)] = Math.sqrt(sRe);
        a[2 * (r * cd + r) + 1] = 0;
      } else {
        const d = a[2 * (c * cd + c)];
        a[2 * (r * cd + c)] = sRe / d;
        a[2 * (r * cd + c) + 1] = sIm / d;
      }
    }
  }
  // forward: L w = t
  for (let r = 0; r < cd; r++) {
    let sRe = tRe[r * n + j];
    let sIm = tIm[r * n + j];
    for (let k = 0; k < r; k++) {
      const lRe = a[2 * (r * cd + k)],
        lIm = a[2 * (r * cd + k) + 1];
      const wRe = tRe[k * n + j],
        wIm = tIm[k * n + j];
      sRe -= lRe * wRe - lIm * wIm;
      sIm -= lRe * wIm + lIm * wRe;
    }
    const d = a[2 * (r * cd + r)];
    tRe[r * n + j] = sRe / d;
    tIm[r * n + j] = sIm / d;
  }
  // backward: L^H z = w
  for (let r = cd - 1; r >= 0; r--) {
    let sRe = tRe[r * n + j];
    let sIm = tIm[r * n + j];
    for (let k = r + 1; k < cd; k++) {
      // conj(L[k][r]) z_k
      const lRe = a[2 * (k * cd + r)],
        lIm = a[2 * (k * cd + r) + 1];
      const zRe = tRe[k * n + j],
        zIm = tIm[k * n + j];
      sRe -= lRe * zRe + lIm * zIm;
      sIm -= lRe * zIm - lIm * zRe;
    }
    const d = a[2 * (r * cd + r)];
    tRe[r * n + j] = sRe / d;
    tIm[r * n + j] = sIm / d;
  }
}
