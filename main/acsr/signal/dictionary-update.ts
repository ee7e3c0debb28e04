import type { FloatArray } from '../array/float-array.ts';
import type { CbpdnLayout } from './cbpdn-kernels.ts';
import { type ConvDictionary, normaliseAtoms } from './conv-dictionary.ts';

/**
 * The pieces the two dictionary learners share (paper eq. 5): the gradient of the data term with
 * respect to the dictionary, and the projection onto the constraint set.
 */

/**
 * grad-hat[c][m] = sum_g conj(Z-hat[g][m]) (sum_m' D-hat[c][m'] Z-hat[g][m'] - S-hat[g][c])
 * i.e. the DFT of d/dD 1/2 sum ||sum_m d_m * z_m - s||^2, summed over every coefficient group
 * (images, and channels when one single-channel dictionary serves several).
 * Spectra: D-hat [Cd][M][F], Z-hat [G][M][F], S-hat [G][Cd][F]; result [Cd][M][F].
 */
export function dataTermGradient<T extends FloatArray>(
  layout: CbpdnLayout,
  dict: { re: T; im: T },
  coef: { re: T; im: T },
  signal: { re: T; im: T },
  out: { re: T; im: T },
): void {
  const { groups: G, dictChannels: cd, atoms: M, height, spectrumWidth } = layout;
  const F = height * spectrumWidth;
  out.re.fill(0);
  out.im.fill(0);
  const rRe = new Float64Array(F);
  const rIm = new Float64Array(F);
  for (let g = 0; g < G; g++) {
    for (let c = 0; c < cd; c++) {
      // residual R = sum_m D Z - S for this group and channel
      for (let f = 0; f < F; f++) {
        rRe[f] = -signal.re[(g * cd + c) * F + f];
        rIm[f] = -signal.im[(g * cd + c) * F + f];
      }
      for (let m = 0; m < M; m++) {
        const d = (c * M + m) * F;
        const z = (g * M + m) * F;
        for (let f = 0; f < F; f++) {
          rRe[f] += dict.re[d + f] * coef.re[z + f] - dict.im[d + f] * coef.im[z + f];
          rIm[f] += dict.re[d + f] * coef.im[z + f] + dict.im[d + f] * coef.re[z + f];
        }
      }
      for (let m = 0; m < M; m++) {
        const o = (c * M + m) * F;
        const z = (g * M + m) * F;
        for (let f = 0; f < F; f++) {
          // conj(Z) R
          out.re[o + f] += coef.re[z + f] * rRe[f] + coef.im[z + f] * rIm[f];
          out.im[o + f] += coef.re[z + f] * rIm[f] - coef.im[z + f] * rRe[f];
        }
      }
    }
  }
}

/**
 * Projection onto {unit-norm atoms supported on atomHeight x atomWidth} (SPORCO's Pcn) from
 * full-size planes in [c][m][H][W] order: crop each atom at the origin, optionally remove each
 * channel's mean, then scale every atom to unit l2 norm over its channels.
 */
export function projectPlanesToDictionary<T extends FloatArray>(
  planes: T,
  layout: CbpdnLayout,
  atomHeight: number,
  atomWidth: number,
  zeroMean: boolean,
): ConvDictionary<T> {
  const { dictChannels: cd, atoms: M, height: H, width: W } = layout;
  const data = new (planes.constructor as new (n: number) => T)(M * cd * atomHeight * atomWidth);
  for (let c = 0; c < cd; c++) {
    for (let m = 0; m < M; m++) {
      for (let y = 0; y < atomHeight; y++) {
        for (let x = 0; x < atomWidth; x++) {
          data[((m * cd + c) * atomHeight + y) * atomWidth + x] = planes[((c * M + m) * H + y) * W + x];
        }
      }
    }
  }
  const dictionary = { atomHeight, atomWidth, channels: cd, atoms: M, data };
  normaliseAtoms(dictionary, zeroMean);
  return dictionary;
}

/** Zero-padded atom planes in [c][m][H][W] order (the inverse of the crop above). */
export function dictionaryToPlanes<T extends FloatArray>(dictionary: ConvDictionary<T>, height: number, width: number): T {
  const { atomHeight: h, atomWidth: w, channels: cd, atoms: M, data } = dictionary;
  const planes = new (data.constructor as new (n: number) => T)(cd * M * height * width);
  for (let c = 0; c < cd; c++) {
    for (let m = 0; m < M; m++) {
      for (let y = 0; y < h; y++) {
        for (let x = 0; x < w; x++) planes[((c * M + m) * height + y) * width + x] = data[((m * cd + c) * h + y) * w + x];
      }
    }
  }
  return planes;
}

/** A normalised copy of a dictionary (the learners' starting point, SPORCO's Pcn(D0, crp=True)). */
export function normalisedCopy<T extends FloatArray>(dictionary: ConvDictionary<T>, zeroMean: boolean): ConvDictionary<T> {
  const copy = { ...dictionary, data: dictionary.data.slice() as T };
  normaliseAtoms(copy, zeroMean);
  return copy;
}
