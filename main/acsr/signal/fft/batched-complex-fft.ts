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
    case 5:
      radix5(stage, srcRe, srcIm, srcBase, dstRe, dstIm, dstBase, lanes, sign);
      return;
    case 7:
      radix7(stage, srcRe, srcIm, srcBase, dstRe, dstIm, dstBase, lanes, sign);
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
 * radixOdd for p = 5 unrolled: the same operations in the same order (bit-identical results), with
 * the roots and partial sums in registers instead of tables.
 */
function radix5(
  stage: FftStage, sr: Float32Array, si: Float32Array, sb: number,
  dr: Float32Array, di: Float32Array, db: number, lanes: number, sign: number,
): void {
  const { groups, twiddleCos, twiddleSin, rootCos, rootSin } = stage;
  const span = groups * lanes;
  const c1 = rootCos[1], c2 = rootCos[2], c4 = rootCos[4];
  const s1 = rootSin[1], s2 = rootSin[2], s4 = rootSin[4];
  for (let g = 0; g < groups; g++) {
    const tw = g * 4;
    const w1r = twiddleCos[tw], w1i = sign * twiddleSin[tw];
    const w2r = twiddleCos[tw + 1], w2i = sign * twiddleSin[tw + 1];
    const w3r = twiddleCos[tw + 2], w3i = sign * twiddleSin[tw + 2];
    const w4r = twiddleCos[tw + 3], w4i = sign * twiddleSin[tw + 3];
    const s0 = sb + g * lanes;
    const d0 = db + 5 * g * lanes;
    const d1 = d0 + lanes, d2 = d1 + lanes, d3 = d2 + lanes, d4 = d3 + lanes;
    for (let t = 0; t < lanes; t++) {
      const i0 = s0 + t, i1 = i0 + span, i2 = i1 + span, i3 = i2 + span, i4 = i3 + span;
      const a0r = sr[i0], a0i = si[i0];
      const p1r = sr[i1] + sr[i4], p1i = si[i1] + si[i4], m1r = sr[i1] - sr[i4], m1i = si[i1] - si[i4];
      const p2r = sr[i2] + sr[i3], p2i = si[i2] + si[i3], m2r = sr[i2] - sr[i3], m2i = si[i2] - si[i3];
      // u = 1: roots 1, 2; u = 2: roots 2, 4
      const c1r = a0r + p1r * c1 + p2r * c2, c1i = a0i + p1i * c1 + p2i * c2;
      const q1r = 0 + m1r * s1 + m2r * s2, q1i = 0 + m1i * s1 + m2i * s2;
      const c2r = a0r + p1r * c2 + p2r * c4, c2i = a0i + p1i * c2 + p2i * c4;
      const q2r = 0 + m1r * s2 + m2r * s4, q2i = 0 + m1i * s2 + m2i * s4;
      const y1r = c1r - sign * q1i, y1i = c1i + sign * q1r, y4r = c1r + sign * q1i, y4i = c1i - sign * q1r;
      const y2r = c2r - sign * q2i, y2i = c2i + sign * q2r, y3r = c2r + sign * q2i, y3i = c2i - sign * q2r;
      dr[d0 + t] = a0r + p1r + p2r;
      di[d0 + t] = a0i + p1i + p2i;
      dr[d1 + t] = y1r * w1r - y1i * w1i;
      di[d1 + t] = y1r * w1i + y1i * w1r;
      dr[d2 + t] = y2r * w2r - y2i * w2i;
      di[d2 + t] = y2r * w2i + y2i * w2r;
      dr[d3 + t] = y3r * w3r - y3i * w3i;
      di[d3 + t] = y3r * w3i + y3i * w3r;
      dr[d4 + t] = y4r * w4r - y4i * w4i;
      di[d4 + t] = y4r * w4i + y4i * w4r;
    }
  }
}

/** radixOdd for p = 7 unrolled, bit-identical to it as radix5 is (the radix of 28 = 4 x 7, Fashion-MNIST's side). */
function radix7(
  stage: FftStage, sr: Float32Array, si: Float32Array, sb: number,
  dr: Float32Array, di: Float32Array, db: number, lanes: number, sign: number,
): void {
  const { groups, twiddleCos, twiddleSin, rootCos, rootSin } = stage;
  const span = groups * lanes;
  const c1 = rootCos[1], c2 = rootCos[2], c3 = rootCos[3], c4 = rootCos[4], c6 = rootCos[6];
  const s1 = rootSin[1], s2 = rootSin[2], s3 = rootSin[3], s4 = rootSin[4], s6 = rootSin[6];
  for (let g = 0; g < groups; g++) {
    const tw = g * 6;
    const w1r = twiddleCos[tw], w1i = sign * twiddleSin[tw];
    const w2r = twiddleCos[tw + 1], w2i = sign * twiddleSin[tw + 1];
    const w3r = twiddleCos[tw + 2], w3i = sign * twiddleSin[tw + 2];
    const w4r = twiddleCos[tw + 3], w4i = sign * twiddleSin[tw + 3];
    const w5r = twiddleCos[tw + 4], w5i = sign * twiddleSin[tw + 4];
    const w6r = twiddleCos[tw + 5], w6i = sign * twiddleSin[tw + 5];
    const s0 = sb + g * lanes;
    const d0 = db + 7 * g * lanes;
    const d1 = d0 + lanes, d2 = d1 + lanes, d3 = d2 + lanes, d4 = d3 + lanes, d5 = d4 + lanes, d6 = d5 + lanes;
    for (let t = 0; t < lanes; t++) {
      const i0 = s0 + t, i1 = i0 + span, i2 = i1 + span, i3 = i2 + span, i4 = i3 + span, i5 = i4 + span, i6 = i5 + span;
      const a0r = sr[i0], a0i = si[i0];
      const p1r = sr[i1] + sr[i6], p1i = si[i1] + si[i6], m1r = sr[i1] - sr[i6], m1i = si[i1] - si[i6];
      const p2r = sr[i2] + sr[i5], p2i = si[i2] + si[i5], m2r = sr[i2] - sr[i5], m2i = si[i2] - si[i5];
      const p3r = sr[i3] + sr[i4], p3i = si[i3] + si[i4], m3r = sr[i3] - sr[i4], m3i = si[i3] - si[i4];
      // roots (r u mod 7) for r = 1, 2, 3: u = 1: 1 2 3; u = 2: 2 4 6; u = 3: 3 6 2
      const c1r = a0r + p1r * c1 + p2r * c2 + p3r * c3, c1i = a0i + p1i * c1 + p2i * c2 + p3i * c3;
      const q1r = 0 + m1r * s1 + m2r * s2 + m3r * s3, q1i = 0 + m1i * s1 + m2i * s2 + m3i * s3;
      const c2r = a0r + p1r * c2 + p2r * c4 + p3r * c6, c2i = a0i + p1i * c2 + p2i * c4 + p3i * c6;
      const q2r = 0 + m1r * s2 + m2r * s4 + m3r * s6, q2i = 0 + m1i * s2 + m2i * s4 + m3i * s6;
      const c3r = a0r + p1r * c3 + p2r * c6 + p3r * c2, c3i = a0i + p1i * c3 + p2i * c6 + p3i * c2;
      const q3r = 0 + m1r * s3 + m2r * s6 + m3r * s2, q3i = 0 + m1i * s3 + m2i * s6 + m3i * s2;
      const y1r = c1r - sign * q1i, y1i = c1i + sign * q1r, y6r = c1r + sign * q1i, y6i = c1i - sign * q1r;
      const y2r = c2r - sign * q2i, y2i = c2i + sign * q2r, y5r = c2r + sign * q2i, y5i = c2i - sign * q2r;
      const y3r = c3r - sign * q3i, y3i = c3i + sign * q3r, y4r = c3r + sign * q3i, y4i = c3i - sign * q3r;
      dr[d0 + t] = a0r + p1r + p2r + p3r;
      di[d0 + t] = a0i + p1i + p2i + p3i;
      dr[d1 + t] = y1r * w1r - y1i * w1i;
      di[d1 + t] = y1r * w1i + y1i * w1r;
      dr[d2 + t] = y2r * w2r - y2i * w2i;
      di[d2 + t] = y2r * w2i + y2i * w2r;
      dr[d3 + t] = y3r * w3r - y3i * w3i;
      di[d3 + t] = y3r * w3i + y3i * w3r;
      dr[d4 + t] = y4r * w4r - y4i * w4i;
      di[d4 + t] = y4r * w4i + y4i * w4r;
      dr[d5 + t] = y5r * w5r - y5i * w5i;
      di[d5 + t] = y5r * w5i + y5i * w5r;
      dr[d6 + t] = y6r * w6r - y6i * w6i;
      di[d6 + t] = y6r * w6i + y6i * w6r;
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
