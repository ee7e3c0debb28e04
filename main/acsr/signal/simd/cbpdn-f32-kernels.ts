import { type CbpdnBuffers, type CbpdnLayout, type UpdateSums, parsevalWeight, spectrumSize } from '../cbpdn-kernels.ts';
import { solveSmallHermitian } from '../x-step-woodbury.ts';

/**
 * The arithmetic of cbpdn-simd.wat in JS, operation for operation: float32 where the WASM uses
 * float32 lanes (every product and sum rounded with Math.fround, which is exact float32
 * arithmetic for + - * /), float64 where it uses float64. The SIMD kernels call it for the last
 * values of a range that does not fill a vector, so that every value of X-hat, Y and U is
 * computed the same way wherever a range is split; the tests hold the WASM to it bit for bit.
 */
const f32 = Math.fround;

/** Values per float32 chunk of the residual sums before they go into float64 (16 per lane). */
const SUM_CHUNK = 64;

/**
 * The y- and u-steps on [start, end) of x, y, u (cbpdn-simd.wat's yuStep): lane i - start mod 4,
 * float32 partial sums per chunk of 64 values from `start`, folded into float64 pairs as the
 * WASM folds them.
 */
export function yuStepF32(x: Float32Array, y: Float32Array, u: Float32Array, relaxation: number, threshold: number, start: number, end: number): UpdateSums {
  const a = f32(relaxation);
  const k = f32(1 - relaxation);
  const t = f32(threshold);
  // [sum][lane]: float32 partials; totals[sum][pair lane]
  const partial = Array.from({ length: 7 }, () => new Float64Array(4));
  const totals = Array.from({ length: 7 }, () => new Float64Array(2));
  const fold = () => {
    for (let s = 0; s < 7; s++) {
      totals[s][0] += partial[s][0] + partial[s][2];
      totals[s][1] += partial[s][1] + partial[s][3];
      partial[s].fill(0);
    }
  };
  for (let i = start; i < end; i++) {
    if (i > start && (i - start) % SUM_CHUNK === 0) fold();
    const lane = (i - start) & 3;
    const xi = x[i];
    const yp = y[i];
    const v = f32(f32(f32(a * xi) + f32(k * yp)) + u[i]);
    const yi = f32(v - Math.max(-t, Math.min(t, v)));
    const ui = f32(v - yi);
    y[i] = yi;
    u[i] = ui;
    const primal = f32(xi - yi);
    const dual = f32(yp - yi);
    const terms = [f32(xi * xi), f32(yi * yi), f32(primal * primal), f32(dual * dual), f32(ui * ui), Math.abs(yi), Math.abs(xi)];
    for (let s = 0; s < 7; s++) partial[s][lane] = f32(partial[s][lane] + terms[s]);
  }
  fold();
  const total = (s: number) => totals[s][0] + totals[s][1];
  return { xNorm2: total(0), yNorm2: total(1), primal2: total(2), dual2: total(3), uNorm2: total(4), yL1: total(5), xL1: total(6) };
}

/**
 * The Woodbury x-step on frequencies [f0, f1) of every group (cbpdn-simd.wat's woodburyBlock):
 * spectrum holds (Y - U)-hat on entry and X-hat on exit. Returns the Parseval-weighted
 * ||D x - s||^2 of the range, before the 1/(2HW) factor, when `withDataFidelity` (float64, from
 * z; its order of summation is not the WASM's).
 */
export function woodburyF32<T extends Float32Array>(
  layout: CbpdnLayout,
  buf: CbpdnBuffers<T>,
  rho: number,
  f0: number,
  f1: number,
  withDataFidelity: boolean,
): number {
  const { groups, dictChannels: cd, atoms: M, width, spectrumWidth } = layout;
  const F = spectrumSize(layout);
  const { dictRe, dictIm, dictSignalRe, dictSignalIm, factorRe, factorIm, spectrumRe, spectrumIm, signalRe, signalIm } = buf;
  const rho32 = f32(rho);
  const inverse32 = f32(1 / rho);
  const tRe = new Float64Array(cd);
  const tIm = new Float64Array(cd);
  const matrix = new Float64Array(2 * cd * cd);
  let fidelity = 0;
  for (let g = 0; g < groups; g++) {
    for (let f = f0; f < f1; f++) {
      tRe.fill(0);
      tIm.fill(0);
      for (let m = 0; m < M; m++) {
        const z = (g * M + m) * F + f;
        const bRe = f32(dictSignalRe[z] + f32(rho32 * spectrumRe[z]));
        const bIm = f32(dictSignalIm[z] + f32(rho32 * spectrumIm[z]));
        spectrumRe[z] = bRe;
        spectrumIm[z] = bIm;
        for (let c = 0; c < cd; c++) {
          const d = (c * M + m) * F + f;
          tRe[c] = f32(tRe[c] + f32(f32(dictRe[d] * bRe) - f32(dictIm[d] * bIm)));
          tIm[c] = f32(tIm[c] + f32(f32(dictRe[d] * bIm) + f32(dictIm[d] * bRe)));
        }
      }
      if (cd === 1) {
        const scale = 1 / (rho + factorRe[f]);
        tRe[0] *= scale;
        tIm[0] *= scale;
      } else {
        solveSmallHermitian(cd, factorRe, factorIm, F, f, rho, tRe, tIm, 0, 1, matrix);
      }
      if (withDataFidelity) {
        // D x = A^H x = (A^H b - A^H A z) / rho = z, since (rho I + A^H A) z = A^H b
        const weight = parsevalWeight(f % spectrumWidth, width);
        for (let c = 0; c < cd; c++) {
          const s = (g * cd + c) * F + f;
          const eRe = tRe[c] - signalRe[s];
          const eIm = tIm[c] - signalIm[s];
          fidelity += weight * (eRe * eRe + eIm * eIm);
        }
      }
      for (let c = 0; c < cd; c++) {
        tRe[c] = f32(tRe[c]);
        tIm[c] = f32(tIm[c]);
      }
      for (let m = 0; m < M; m++) {
        const z = (g * M + m) * F + f;
        let xRe = spectrumRe[z];
        let xIm = spectrumIm[z];
        for (let c = 0; c < cd; c++) {
          const d = (c * M + m) * F + f;
          xRe = f32(xRe - f32(f32(dictRe[d] * tRe[c]) + f32(dictIm[d] * tIm[c])));
          xIm = f32(xIm - f32(f32(dictRe[d] * tIm[c]) - f32(dictIm[d] * tRe[c])));
        }
        xRe = f32(xRe * inverse32);
        xIm = f32(xIm * inverse32);
        spectrumRe[z] = xRe;
        spectrumIm[z] = xIm;
      }
    }
  }
  return fidelity;
}
