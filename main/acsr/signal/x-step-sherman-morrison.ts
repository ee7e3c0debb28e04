import type { FloatArray } from '../array/float-array.ts';
import { type CbpdnBuffers, type CbpdnLayout, spectrumSize } from './cbpdn-kernels.ts';

/**
 * The x-step exactly as SPORCO solves it (Wohlberg 2016): Sherman-Morrison for a single-channel
 * dictionary (solvedbi_sm) and iterated Sherman-Morrison for a multi-channel one
 * (solvemdbi_ism). Factors depend on rho:
 *   Cd = 1: factorRe/Im [M][F] = D / (rho + |D|^2)
 *   Cd > 1: factorRe/Im [Cd][M][F] = gamma_k, deltaRe/Im [Cd][F] = delta_k
 */

/**
 * The x-step's per-frequency factors for the current rho, over frequencies [f0, f1).
 * With a = conj(D-hat) the x-step solves (rho I + sum_c a_c a_c^H) x = b at every frequency.
 */
export function shermanMorrisonFactorsKernel<T extends FloatArray>(layout: CbpdnLayout, buf: CbpdnBuffers<T>, rho: number, f0: number, f1: number): void {
  if (layout.dictChannels === 1) shermanMorrisonFactors(layout, buf, rho, f0, f1);
  else iteratedShermanMorrisonFactors(layout, buf, rho, f0, f1);
}

/** c = D / (rho + sum_m |D_m|^2), so that x = (b - conj(D) (c . b)) / rho. */
function shermanMorrisonFactors<T extends FloatArray>(layout: CbpdnLayout, buf: CbpdnBuffers<T>, rho: number, f0: number, f1: number): void {
  const { atoms } = layout;
  const F = spectrumSize(layout);
  const { dictRe, dictIm, factorRe, factorIm } = buf;
  for (let f = f0; f < f1; f++) {
    let energy = 0;
    for (let m = 0; m < atoms; m++) energy += dictRe[m * F + f] ** 2 + dictIm[m * F + f] ** 2;
    const scale = 1 / (energy + rho);
    for (let m = 0; m < atoms; m++) {
      factorRe[m * F + f] = dictRe[m * F + f] * scale;
      factorIm[m * F + f] = dictIm[m * F + f] * scale;
    }
  }
}

/**
 * Iterated Sherman-Morrison (Wohlberg 2016, SPORCO's solvemdbi_ism), split so that everything
 * that depends only on D and rho is computed once: gamma_k = A_k^{-1} a_k / rho-scaled and
 * delta_k = 1 + a_k^H gamma_k, where A_k = rho I + sum_{l<k} a_l a_l^H.
 */
function iteratedShermanMorrisonFactors<T extends FloatArray>(layout: CbpdnLayout, buf: CbpdnBuffers<T>, rho: number, f0: number, f1: number): void {
  const { dictChannels: cd, atoms } = layout;
  const F = spectrumSize(layout);
  const { dictRe, dictIm, factorRe, factorIm, deltaRe, deltaIm } = buf;
  const alphaRe = new Float64Array(atoms);
  const alphaIm = new Float64Array(atoms);
  for (let f = f0; f < f1; f++) {
    // alpha = a_0 / rho, a = conj(D)
    for (let m = 0; m < atoms; m++) {
      alphaRe[m] = dictRe[m * F + f] / rho;
      alphaIm[m] = -dictIm[m * F + f] / rho;
    }
    for (let k = 0; k < cd; k++) {
      // gamma_k = alpha; delta_k = 1 + sum_m D_{k,m} gamma_{k,m}
      let dRe = 1;
      let dIm = 0;
      for (let m = 0; m < atoms; m++) {
        const gi = (k * atoms + m) * F + f;
        factorRe[gi] = alphaRe[m];
        factorIm[gi] = alphaIm[m];
        dRe += dictRe[gi] * alphaRe[m] - dictIm[gi] * alphaIm[m];
        dIm += dictRe[gi] * alphaIm[m] + dictIm[gi] * alphaRe[m];
      }
      deltaRe[k * F + f] = dRe;
      deltaIm[k * F + f] = dIm;
      if (k === cd - 1) break;
      for (let m = 0; m < atoms; m++) {
        const di = ((k + 1) * atoms + m) * F + f;
        alphaRe[m] = dictRe[di] / rho;
        alphaIm[m] = -dictIm[di] / rho;
      }
      for (let l = 0; l <= k; l++) {
        // alpha -= gamma_l (D_l . alpha) / delta_l
        let tRe = 0;
        let tIm = 0;
        for (let m = 0; m < atoms; m++) {
          const li = (l * atoms + m) * F + f;
          tRe += dictRe[li] * alphaRe[m] - dictIm[li] * alphaIm[m];
          tIm += dictRe[li] * alphaIm[m] + dictIm[li] * alphaRe[m];
        }
        const [qRe, qIm] = complexDivide(tRe, tIm, deltaRe[l * F + f], deltaIm[l * F + f]);
        for (let m = 0; m < atoms; m++) {
          const li = (l * atoms + m) * F + f;
          alphaRe[m] -= factorRe[li] * qRe - factorIm[li] * qIm;
          alphaIm[m] -= factorRe[li] * qIm + factorIm[li] * qRe;
        }
      }
    }
  }
}

function complexDivide(aRe: number, aIm: number, bRe: number, bIm: number): [number, number] {
  const denominator = bRe * bRe + bIm * bIm;
  return [(aRe * bRe + aIm * bIm) / denominator, (aIm * bRe - aRe * bIm) / denominator];
}

const FREQUENCY_BLOCK = 256;

/**
 * The x-step in the DFT domain over frequencies [f0, f1): spectrum holds (Y - U)-hat on entry and
 * X-hat on exit, X-hat = (rho I + D-hat^H D-hat)^{-1} (D-hat^H S-hat + rho (Y - U)-hat).
 * Frequencies are processed in blocks with the atom loop outside, so every inner loop streams
 * through contiguous memory of one plane.
 */
export function shermanMorrisonXStepKernel<T extends FloatArray>(layout: CbpdnLayout, buf: CbpdnBuffers<T>, rho: number, f0: number, f1: number): void {
  const tRe = new Float64Array(FREQUENCY_BLOCK);
  const tIm = new Float64Array(FREQUENCY_BLOCK);
  for (let g = 0; g < layout.groups; g++) {
    for (let b0 = f0; b0 < f1; b0 += FREQUENCY_BLOCK) {
      const b1 = Math.min(f1, b0 + FREQUENCY_BLOCK);
      if (layout.dictChannels === 1) shermanMorrisonSolve(layout, buf, rho, g, b0, b1, tRe, tIm);
      else iteratedShermanMorrisonSolve(layout, buf, rho, g, b0, b1, tRe, tIm);
    }
  }
}

function shermanMorrisonSolve<T extends FloatArray>(
  layout: CbpdnLayout,
  buf: CbpdnBuffers<T>,
  rho: number,
  g: number,
  b0: number,
  b1: number,
  tRe: Float64Array,
  tIm: Float64Array,
): void {
  const { atoms } = layout;
  const F = spectrumSize(layout);
  const { dictRe, dictIm, dictSignalRe, dictSignalIm, factorRe, factorIm, spectrumRe, spectrumIm } = buf;
  const n = b1 - b0;
  tRe.fill(0, 0, n);
  tIm.fill(0, 0, n);
  // b = D^H s + rho (y - u);  t = c . b
  for (let m = 0; m < atoms; m++) {
    const plane = (g * atoms + m) * F;
    const factor = m * F;
    for (let j = 0, f = b0; j < n; j++, f++) {
      const bRe = dictSignalRe[plane + f] + rho * spectrumRe[plane + f];
      const bIm = dictSignalIm[plane + f] + rho * spectrumIm[plane + f];
      spectrumRe[plane + f] = bRe;
      spectrumIm[plane + f] = bIm;
      const cRe = factorRe[factor + f];
      const cIm = factorIm[factor + f];
      tRe[j] += cRe * bRe - cIm * bIm;
      tIm[j] += cRe * bIm + cIm * bRe;
    }
  }
  // x = (b - conj(D) t) / rho
  const inverseRho = 1 / rho;
  for (let m = 0; m < atoms; m++) {
    const plane = (g * atoms + m) * F;
    const dict = m * F;
    for (let j = 0, f = b0; j < n; j++, f++) {
      const dRe = dictRe[dict + f];
      const dIm = dictIm[dict + f];
      spectrumRe[plane + f] = (spectrumRe[plane + f] - (dRe * tRe[j] + dIm * tIm[j])) * inverseRho;
      spectrumIm[plane + f] = (spectrumIm[plane + f] - (dRe * tIm[j] - dIm * tRe[j])) * inverseRho;
    }
  }
}

function iteratedShermanMorrisonSolve<T extends FloatArray>(
  layout: CbpdnLayout,
  buf: CbpdnBuffers<T>,
  rho: number,
  g: number,
  b0: number,
  b1: number,
  tRe: Float64Array,
  tIm: Float64Array,
): void {
  const { atoms, dictChannels: cd } = layout;
  const F = spectrumSize(layout);
  const { dictRe, dictIm, dictSignalRe, dictSignalIm, factorRe, factorIm, deltaRe, deltaIm, spectrumRe, spectrumIm } = buf;
  const n = b1 - b0;
  const inverseRho = 1 / rho;
  // beta = b / rho
  for (let m = 0; m < atoms; m++) {
    const plane = (g * atoms + m) * F;
    for (let f = b0; f < b1; f++) {
      spectrumRe[plane + f] = (dictSignalRe[plane + f] + rho * spectrumRe[plane + f]) * inverseRho;
      spectrumIm[plane + f] = (dictSignalIm[plane + f] + rho * spectrumIm[plane + f]) * inverseRho;
    }
  }
  for (let k = 0; k < cd; k++) {
    // t = (D_k . beta) / delta_k;  beta -= gamma_k t
    tRe.fill(0, 0, n);
    tIm.fill(0, 0, n);
    for (let m = 0; m < atoms; m++) {
      const plane = (g * atoms + m) * F;
      const dict = (k * atoms + m) * F;
      for (let j = 0, f = b0; j < n; j++, f++) {
        const dRe = dictRe[dict + f];
        const dIm = dictIm[dict + f];
        tRe[j] += dRe * spectrumRe[plane + f] - dIm * spectrumIm[plane + f];
        tIm[j] += dRe * spectrumIm[plane + f] + dIm * spectrumRe[plane + f];
      }
    }
    for (let j = 0, f = b0; j < n; j++, f++) {
      const [qRe, qIm] = complexDivide(tRe[j], tIm[j], deltaRe[k * F + f], deltaIm[k * F + f]);
      tRe[j] = qRe;
      tIm[j] = qIm;
    }
    for (let m = 0; m < atoms; m++) {
      const plane = (g * atoms + m) * F;
      const gamma = (k * atoms + m) * F;
      for (let j = 0, f = b0; j < n; j++, f++) {
        const gRe = factorRe[gamma + f];
        const gIm = factorIm[gamma + f];
        spectrumRe[plane + f] -= gRe * tRe[j] - gIm * tIm[j];
        spectrumIm[plane + f] -= gRe * tIm[j] + gIm * tRe[j];
      }
    }
  }
}
