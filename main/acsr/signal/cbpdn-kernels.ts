import type { FloatArray } from '../array/float-array.ts';

/**
 * The arithmetic of one CBPDN ADMM iteration, split into kernels over index ranges so that the
 * same code runs in one thread (whole ranges) or in worker threads (each its own slice, on
 * shared memory).
 *
 * Shapes: G independent coefficient groups (an image's channels with a single-channel
 * dictionary, or whole images with a multi-channel one), each with Cd signal channels and M
 * coefficient maps. Spatial planes are H x W; spectra are H x Wf (Wf = floor(W/2) + 1) split into
 * re/im, F = H * Wf values per plane.
 */
export interface CbpdnLayout {
  readonly groups: number;
  readonly dictChannels: number;
  readonly atoms: number;
  readonly height: number;
  readonly width: number;
  readonly spectrumWidth: number;
}

export interface CbpdnBuffers<T extends FloatArray> {
  /** D-hat: [Cd][M][F] */
  readonly dictRe: T;
  readonly dictIm: T;
  /** S-hat: [G][Cd][F] */
  readonly signalRe: T;
  readonly signalIm: T;
  /** D^H S-hat: [G][M][F] */
  readonly dictSignalRe: T;
  readonly dictSignalIm: T;
  /**
   * Per-frequency solve factors, valid for the current rho.
   * Cd = 1 (Sherman-Morrison): factorRe/Im [M][F] = D / (rho + |D|^2); factorDelta unused.
   * Cd > 1 (iterated Sherman-Morrison): factorRe/Im [Cd][M][F] = gamma_k, deltaRe/Im [Cd][F].
   */
  readonly factorRe: T;
  readonly factorIm: T;
  readonly deltaRe: T;
  readonly deltaIm: T;
  /** Working spectrum [G][M][F]: (Y - U)-hat, then b, then X-hat. */
  readonly spectrumRe: T;
  readonly spectrumIm: T;
  /** Spatial planes [G][M][H][W]. X doubles as the (Y - U) scratch before the x-step. */
  readonly x: T;
  readonly y: T;
  readonly u: T;
  /** Optional l1 weight map [G][M][H][W] (absent: the scalar weight 1). */
  readonly l1Weight?: T;
}

export function spectrumSize(layout: CbpdnLayout): number {
  return layout.height * layout.spectrumWidth;
}

/** X <- Y - U on coefficient planes [p0, p1): the right-hand side of the x-step, before its DFT. */
export function yMinusUKernel<T extends FloatArray>(layout: CbpdnLayout, buf: CbpdnBuffers<T>, p0: number, p1: number): void {
  const n = layout.height * layout.width;
  const { x, y, u } = buf;
  for (let i = p0 * n, end = p1 * n; i < end; i++) x[i] = y[i] - u[i];
}

/**
 * D-hat^H S-hat for every group and atom over frequencies [f0, f1): the constant part of the
 * x-step's right-hand side, computed once per dictionary.
 */
export function dictSignalKernel<T extends FloatArray>(layout: CbpdnLayout, buf: CbpdnBuffers<T>, f0: number, f1: number): void {
  const { groups, dictChannels: cd, atoms } = layout;
  const F = spectrumSize(layout);
  const { dictRe, dictIm, signalRe, signalIm, dictSignalRe, dictSignalIm } = buf;
  for (let g = 0; g < groups; g++) {
    for (let m = 0; m < atoms; m++) {
      const out = (g * atoms + m) * F;
      for (let f = f0; f < f1; f++) {
        let re = 0;
        let im = 0;
        for (let c = 0; c < cd; c++) {
          const d = (c * atoms + m) * F + f;
          const s = (g * cd + c) * F + f;
          // conj(D) * S
          re += dictRe[d] * signalRe[s] + dictIm[d] * signalIm[s];
          im += dictRe[d] * signalIm[s] - dictIm[d] * signalRe[s];
        }
        dictSignalRe[out + f] = re;
        dictSignalIm[out + f] = im;
      }
    }
  }
}

/**
 * The x-step's per-frequency factors for the current rho, over frequencies [f0, f1).
 * With a = conj(D-hat) the x-step solves (rho I + sum_c a_c a_c^H) x = b at every frequency.
 */
export function solveFactorsKernel<T extends FloatArray>(layout: CbpdnLayout, buf: CbpdnBuffers<T>, rho: number, f0: number, f1: number): void {
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
export function xStepKernel<T extends FloatArray>(layout: CbpdnLayout, buf: CbpdnBuffers<T>, rho: number, f0: number, f1: number): void {
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
  layout: CbpdnLayout, buf: CbpdnBuffers<T>, rho: number, g: number, b0: number, b1: number, tRe: Float64Array, tIm: Float64Array,
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
  layout: CbpdnLayout, buf: CbpdnBuffers<T>, rho: number, g: number, b0: number, b1: number, tRe: Float64Array, tIm: Float64Array,
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

/**
 * Data fidelity 1/2 ||sum_m d_m * z_m - s||^2 from the spectra, by Parseval over the half
 * spectrum, for frequencies [f0, f1). `coefRe/Im` is the spectrum of the variable the objective
 * is evaluated on ([G][M][F]).
 */
export function dataFidelityKernel<T extends FloatArray>(
  layout: CbpdnLayout, buf: CbpdnBuffers<T>, coefRe: T, coefIm: T, f0: number, f1: number,
): number {
  const { groups, dictChannels: cd, atoms, height, width, spectrumWidth } = layout;
  const F = spectrumSize(layout);
  const { dictRe, dictIm, signalRe, signalIm } = buf;
  let total = 0;
  for (let g = 0; g < groups; g++) {
    for (let c = 0; c < cd; c++) {
      for (let f = f0; f < f1; f++) {
        let rRe = -signalRe[(g * cd + c) * F + f];
        let rIm = -signalIm[(g * cd + c) * F + f];
        for (let m = 0; m < atoms; m++) {
          const d = (c * atoms + m) * F + f;
          const z = (g * atoms + m) * F + f;
          rRe += dictRe[d] * coefRe[z] - dictIm[d] * coefIm[z];
          rIm += dictRe[d] * coefIm[z] + dictIm[d] * coefRe[z];
        }
        total += parsevalWeight(f % spectrumWidth, width) * (rRe * rRe + rIm * rIm);
      }
    }
  }
  return total / (2 * height * width);
}

/** Bins 1..ceil(W/2)-1 of a real signal's half spectrum stand for two bins of the full one. */
function parsevalWeight(k: number, width: number): number {
  if (k === 0) return 1;
  if (width % 2 === 0 && k === width / 2) return 1;
  return 2;
}

export interface UpdateSums {
  /** ||X||^2, ||Y||^2, ||X - Y||^2, ||Y_prev - Y||^2, ||U||^2, ||w Y||_1, ||w X||_1 */
  xNorm2: number;
  yNorm2: number;
  primal2: number;
  dual2: number;
  uNorm2: number;
  yL1: number;
  xL1: number;
}

/**
 * The y- and u-steps on coefficient planes [p0, p1), after X has been brought back from the DFT:
 *   AX = alpha X + (1 - alpha) Y                      (over-relaxation)
 *   Y  = S_{lambda w / rho}(AX + U)                    (soft threshold)
 *   U  = U + AX - Y                                    (scaled dual)
 * returning the partial sums the residuals and objective need.
 */
export function yuStepKernel<T extends FloatArray>(
  layout: CbpdnLayout, buf: CbpdnBuffers<T>, relaxation: number, threshold: number, p0: number, p1: number,
): UpdateSums {
  const n = layout.height * layout.width;
  const { x, y, u, l1Weight } = buf;
  const sums: UpdateSums = { xNorm2: 0, yNorm2: 0, primal2: 0, dual2: 0, uNorm2: 0, yL1: 0, xL1: 0 };
  let xNorm2 = 0, yNorm2 = 0, primal2 = 0, dual2 = 0, uNorm2 = 0, yL1 = 0, xL1 = 0;
  const keep = 1 - relaxation;
  for (let i = p0 * n, end = p1 * n; i < end; i++) {
    const xi = x[i];
    const yPrev = y[i];
    const ax = relaxation * xi + keep * yPrev;
    const v = ax + u[i];
    const w = l1Weight ? l1Weight[i] : 1;
    const t = threshold * w;
    const yi = v > t ? v - t : v < -t ? v + t : 0;
    const ui = u[i] + ax - yi;
    y[i] = yi;
    u[i] = ui;
    xNorm2 += xi * xi;
    yNorm2 += yi * yi;
    primal2 += (xi - yi) * (xi - yi);
    dual2 += (yPrev - yi) * (yPrev - yi);
    uNorm2 += ui * ui;
    yL1 += Math.abs(w * yi);
    xL1 += Math.abs(w * xi);
  }
  sums.xNorm2 = xNorm2; sums.yNorm2 = yNorm2; sums.primal2 = primal2; sums.dual2 = dual2;
  sums.uNorm2 = uNorm2; sums.yL1 = yL1; sums.xL1 = xL1;
  return sums;
}

export function addSums(a: UpdateSums, b: UpdateSums): UpdateSums {
  return {
    xNorm2: a.xNorm2 + b.xNorm2, yNorm2: a.yNorm2 + b.yNorm2, primal2: a.primal2 + b.primal2,
    dual2: a.dual2 + b.dual2, uNorm2: a.uNorm2 + b.uNorm2, yL1: a.yL1 + b.yL1, xL1: a.xL1 + b.xL1,
  };
}

/** U <- U / factor on planes [p0, p1), when AutoRho changes rho (the scaled dual follows rho). */
export function scaleDualKernel<T extends FloatArray>(layout: CbpdnLayout, buf: CbpdnBuffers<T>, factor: number, p0: number, p1: number): void {
  const n = layout.height * layout.width;
  const { u } = buf;
  const inv = 1 / factor;
  for (let i = p0 * n, end = p1 * n; i < end; i++) u[i] *= inv;
}
