import { radixSchedule } from './fft-factors.ts';

/**
 * Mixed-radix complex FFT of one length n in plain JavaScript, applied to a whole batch at once.
 *
 * Layout: split re/im float32 arrays; element j of batch member b lives at base + j*batch + b.
 * With batch = the row width this transforms every column of a row-major plane in place, and the
 * innermost loop of every butterfly then runs over contiguous memory with a constant twiddle,
 * which is what makes a column pass fast in JS (no gather, no transpose). With batch = 1 it is an
 * ordinary single transform.
 *
 * Algorithm: self-sorting Stockham decimation in frequency, so there is no bit-reversal pass and any
 * radix mix works. Each stage reads one buffer and writes the other (caller-provided scratch).
 * Forward is unnormalised with exp(-2 pi i jk/n); inverse uses exp(+2 pi i jk/n), also unnormalised.
 */
export class BatchedComplexFft {
  readonly length: number;
  private readonly stages: readonly FftStage[];

  constructor(length: number) {
    this.length = length;
    const stages: FftStage[] = [];
    let span = length; // length of the sub-transforms this stage splits
    let stride = 1; // how many interleaved sub-sequences earlier stages produced
    for (const radix of radixSchedule(length)) {
      const groups = span / radix;
      stages.push(buildStage(radix, groups, stride, span));
      span = groups;
      stride *= radix;
    }
    this.stages = stages;
  }

  /**
   * Transforms re/im[base .. base + n*batch) in place. scratchRe/scratchIm need n*batch elements
   * and must not overlap the data.
   */
  transform(
    re: Float32Array,
    im: Float32Array,
    base: number,
    batch: number,
    scratchRe: Float32Array,
    scratchIm: Float32Array,
    inverse: boolean,
  ): void {
    const sign = inverse ? 1 : -1;
    let srcRe = re;
    let srcIm = im;
    let srcBase = base;
    let dstRe = scratchRe;
    let dstIm = scratchIm;
    let dstBase = 0;
    for (const stage of this.stages) {
      runStage(stage, srcRe, srcIm, srcBase, dstRe, dstIm, dstBase, batch, sign);
      [srcRe, dstRe] = [dstRe, srcRe];
      [srcIm, dstIm] = [dstIm, srcIm];
      [srcBase, dstBase] = [dstBase, srcBase];
    }
    if (srcRe !== re) {
      const count = this.length * batch;
      re.set(srcRe.subarray(0, count), base);
      im.set(srcIm.subarray(0, count), base);
    }
  }
}

interface FftStage {
  readonly radix: number;
  /** butterflies per stage = span / radix */
  readonly groups: number;
  readonly stride: number;
  /** twiddle exp(-2 pi i g u / span) for g < groups, 1 <= u < radix, at [g*(radix-1) + u-1] */
  readonly twiddleCos: Float64Array;
  readonly twiddleSin: Float64Array;
  /** cos/sin(2 pi q / radix) for the generic odd-radix butterfly */
  readonly rootCos: Float64Array;
  readonly rootSin: Float64Array;
  /** per-butterfly temporaries of the odd-radix kernel, kept here so a transform never allocates */
  readonly oddTemps: Float64Array[];
}

function buildStage(radix: number, groups: number, stride: number, span: number): FftStage {
  const twiddleCos = new Float64Array(groups * (radix - 1));
  const twiddleSin = new Float64Array(groups * (radix - 1));
  for (let g = 0; g < groups; g++) {
    for (let u = 1; u < radix; u++) {
      const angle = (2 * Math.PI * g * u) / span;
      twiddleCos[g * (radix - 1) + u - 1] = Math.cos(angle);
      twiddleSin[g * (radix - 1) + u - 1] = Math.sin(angle);
    }
  }
  const rootCos = new Float64Array(radix);
  const rootSin = new Float64Array(radix);
  for (let q = 0; q < radix; q++) {
    rootCos[q] = Math.cos((2 * Math.PI * q) / radix);
    rootSin[q] = Math.sin((2 * Math.PI * q) / radix);
  }
  const oddTemps = radix > 3 ? Array.from({ length: 6 }, () => new Float64Array(radix)) : [];
  return { radix, groups, stride, twiddleCos, twiddleSin, rootCos, rootSin, oddTemps };
}

function runStage(
  stage: FftStage,
  srcRe: Float32Array,
  srcIm: Float32Array,
  srcBase: number,
  dstRe: Float32Array,
  dstIm: Float32Array,
  dstBase: number,
  batch: number,
  sign: number,
): void {
  const lanes = stage.stride * batch;
  switch (stage.radix) {
    case 4:
      radix4(stage, srcRe, srcIm, srcBase, dstRe, dstIm, dstBase, lanes, sign);
      return;
    case 2:
      radix2(stage, srcRe, srcIm, srcBase, dstRe, dstIm, dstBase, lanes, sign);
      return;
    case 3:
      radix3(stage, srcRe, srcIm, srcBase, dstRe, dstIm, dstBase, lanes, sign);
      return;
    default:
      radixOdd(stage, srcRe, srcIm, srcBase, dstRe, dstIm, dstBase, lanes, sign);
  }
}

// In every kernel: input sub-sequence element (g + r*groups) is the lane block starting at
// srcBase + (g + r*groups)*lanes; output element (radix*g + u) is the block at
// dstBase + (radix*g + u)*lanes. The lane loop is innermost so its twiddle stays in registers.

function radix2(
  stage: FftStage, sr: Float32Array, si: Float32Array, sb: number,
  dr: Float32Array, di: Float32Array, db: number, lanes: number, sign: number,
): void {
  const { groups, twiddleCos, twiddleSin } = stage;
  const half = groups * lanes;
  for (let g = 0; g < groups; g++) {
    const wr = twiddleCos[g];
    const wi = sign * twiddleSin[g];
    const s0 = sb + g * lanes;
    const d0 = db + 2 * g * lanes;
    for (let t = 0; t < lanes; t++) {
      const i0 = s0 + t;
      const i1 = i0 + half;
      const ar = sr[i0], ai = si[i0], br = sr[i1], bi = si[i1];
      const xr = ar - br, xi = ai - bi;
      dr[d0 + t] = ar + br;
      di[d0 + t] = ai + bi;
      dr[d0 + lanes + t] = xr * wr - xi * wi;
      di[d0 + lanes + t] = xr * wi + xi * wr;
    }
  }
}

function radix4(
  stage: FftStage, sr: Float32Array, si: Float32Array, sb: number,
  dr: Float32Array, di: Float32Array, db: number, lanes: number, sign: number,
): void {
  const { groups, twiddleCos, twiddleSin } = stage;
  const quarter = groups * lanes;
  for (let g = 0; g < groups; g++) {
    const w1r = twiddleCos[3 * g], w1i = sign * twiddleSin[3 * g];
    const w2r = twiddleCos[3 * g + 1], w2i = sign * twiddleSin[3 * g + 1];
    const w3r = twiddleCos[3 * g + 2], w3i = sign * twiddleSin[3 * g + 2];
    const s0 = sb + g * lanes;
    const d0 = db + 4 * g * lanes;
    const d1 = d0 + lanes, d2 = d1 + lanes, d3 = d2 + lanes;
    for (let t = 0; t < lanes; t++) {
      const i0 = s0 + t, i1 = i0 + quarter, i2 = i1 + quarter, i3 = i2 + quarter;
      const a0r = sr[i0], a0i = si[i0], a1r = sr[i1], a1i = si[i1];
      const a2r = sr[i2], a2i = si[i2], a3r = sr[i3], a3i = si[i3];
      const t0r = a0r + a2r, t0i = a0i + a2i, t1r = a0r - a2r, t1i = a0i - a2i;
      const t2r = a1r + a3r, t2i = a1i + a3i;
      // (a1 - a3) times the quarter root of unity sign*i
      const t3r = -sign * (a1i - a3i), t3i = sign * (a1r - a3r);
      const y1r = t1r + t3r, y1i = t1i + t3i;
      const y2r = t0r - t2r, y2i = t0i - t2i;
      const y3r = t1r - t3r, y3i = t1i - t3i;
      dr[d0 + t] = t0r + t2r;
      di[d0 + t] = t0i + t2i;
      dr[d1 + t] = y1r * w1r - y1i * w1i;
      di[d1 + t] = y1r * w1i + y1i * w1r;
      dr[d2 + t] = y2r * w2r - y2i * w2i;
      di[d2 + t] = y2r * w2i + y2i * w2r;
      dr[d3 + t] = y3r * w3r - y3i * w3i;
      di[d3 + t] = y3r * w3i + y3i * w3r;
    }
  }
}

function radix3(
  stage: FftStage, sr: Float32Array, si: Float32Array, sb: number,
  dr: Float32Array, di: Float32Array, db: number, lanes: number, sign: number,
): void {
  const { groups, twiddleCos, twiddleSin } = stage;
  const third = groups * lanes;
  const c = -0.5;
  const s = sign * (Math.sqrt(3) / 2);
  for (let g = 0; g < groups; g++) {
    const w1r = twiddleCos[2 * g], w1i = sign * twiddleSin[2 * g];
    const w2r = twiddleCos[2 * g + 1], w2i = sign * twiddleSin[2 * g + 1];
    const s0 = sb + g * lanes;
    const d0 = db + 3 * g * lanes;
    const d1 = d0 + lanes, d2 = d1 + lanes;
    for (let t = 0; t < lanes; t++) {
      const i0 = s0 + t, i1 = i0 + third, i2 = i1 + third;
      const a0r = sr[i0], a0i = si[i0];
      const pr = sr[i1] + sr[i2], pi = si[i1] + si[i2];
      const mr = sr[i1] - sr[i2], mi = si[i1] - si[i2];
      const br = a0r + c * pr, bi = a0i + c * pi;
      const y1r = br - s * mi, y1i = bi + s * mr;
      const y2r = br + s * mi, y2i = bi - s * mr;
      dr[d0 + t] = a0r + pr;
      di[d0 + t] = a0i + pi;
      dr[d1 + t] = y1r * w1r - y1i * w1i;
      di[d1 + t] = y1r * w1i + y1i * w1r;
      dr[d2 + t] = y2r * w2r - y2i * w2i;
      di[d2 + t] = y2r * w2i + y2i * w2r;
    }
  }
}

/**
 * Any odd radix p (5, 7, and leftover primes), O(p^2) per butterfly. Pairs inputs r and p-r so each
 * output pair u, p-u shares one cosine sum and one sine sum, halving the multiplies.
 */
function radixOdd(
  stage: FftStage, sr: Float32Array, si: Float32Array, sb: number,
  dr: Float32Array, di: Float32Array, db: number, lanes: number, sign: number,
): void {
  const { radix: p, groups, twiddleCos, twiddleSin, rootCos, rootSin } = stage;
  const pairs = (p - 1) >> 1;
  const span = groups * lanes;
  const [sumRe, sumIm, difRe, difIm, outRe, outIm] = stage.oddTemps;
  for (let g = 0; g < groups; g++) {
    const tw = g * (p - 1);
    const s0 = sb + g * lanes;
    const d0 = db + p * g * lanes;
    for (let t = 0; t < lanes; t++) {
      const i0 = s0 + t;
      const a0r = sr[i0], a0i = si[i0];
      let y0r = a0r, y0i = a0i;
      for (let r = 1; r <= pairs; r++) {
        const ir = i0 + r * span, jr = i0 + (p - r) * span;
        sumRe[r] = sr[ir] + sr[jr];
        sumIm[r] = si[ir] + si[jr];
        difRe[r] = sr[ir] - sr[jr];
        difIm[r] = si[ir] - si[jr];
        y0r += sumRe[r];
        y0i += sumIm[r];
      }
      outRe[0] = y0r;
      outIm[0] = y0i;
      for (let u = 1; u <= pairs; u++) {
        let cr = a0r, ci = a0i, sRe = 0, sIm = 0;
        for (let r = 1; r <= pairs; r++) {
          const q = (r * u) % p;
          cr += sumRe[r] * rootCos[q];
          ci += sumIm[r] * rootCos[q];
          sRe += difRe[r] * rootSin[q];
          sIm += difIm[r] * rootSin[q];
        }
        // y_u = C + i*sign*S, y_{p-u} = C - i*sign*S
        outRe[u] = cr - sign * sIm;
        outIm[u] = ci + sign * sRe;
        outRe[p - u] = cr + sign * sIm;
        outIm[p - u] = ci - sign * sRe;
      }
      dr[d0 + t] = outRe[0];
      di[d0 + t] = outIm[0];
      for (let u = 1; u < p; u++) {
        const wr = twiddleCos[tw + u - 1], wi = sign * twiddleSin[tw + u - 1];
        const yr = outRe[u], yi = outIm[u];
        dr[d0 + u * lanes + t] = yr * wr - yi * wi;
        di[d0 + u * lanes + t] = yr * wi + yi * wr;
      }
    }
  }
}
