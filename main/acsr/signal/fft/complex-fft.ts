/**
 * One-dimensional complex DFT of any length, in float64.
 *
 * Powers of two use an iterative radix-2 transform; every other length goes through
 * Bluestein's chirp-z identity on a power-of-two transform. Both are exact up to rounding
 * (error ~ 1e-16 * log2 n relative), which is what the SPORCO conformance tests need. Speed is
 * the concern of the float32 fast path, not of this one.
 */
export class ComplexFft {
  readonly length: number;
  private readonly radix2: Radix2Fft | null;
  private readonly bluestein: BluesteinFft | null;

  constructor(length: number) {
    if (!Number.isInteger(length) || length < 1) throw new RangeError(`FFT length must be a positive integer, got ${length}`);
    this.length = length;
    if (isPowerOfTwo(length)) {
      this.radix2 = new Radix2Fft(length);
      this.bluestein = null;
    } else {
      this.radix2 = null;
      this.bluestein = new BluesteinFft(length);
    }
  }

  /** In place: (re, im)[offset + k*stride] <- sum_j x_j exp(sign * 2 pi i j k / n). */
  transform(re: Float64Array, im: Float64Array, sign: -1 | 1): void {
    if (this.radix2) this.radix2.transform(re, im, sign);
    else this.bluestein!.transform(re, im, sign);
  }
}

export function isPowerOfTwo(n: number): boolean {
  return n > 0 && (n & (n - 1)) === 0;
}

class Radix2Fft {
  private readonly n: number;
  private readonly bitReversed: Uint32Array;
  private readonly cos: Float64Array;
  private readonly sin: Float64Array;

  constructor(n: number) {
    this.n = n;
    const bits = Math.round(Math.log2(n));
    this.bitReversed = new Uint32Array(n);
    for (let i = 0; i < n; i++) {
      let r = 0;
      for (let b = 0; b < bits; b++) r |= ((i >> b) & 1) << (bits - 1 - b);
      this.bitReversed[i] = r;
    }
    // Twiddles computed directly (not by recurrence) so rounding does not accumulate.
    this.cos = new Float64Array(n / 2);
    this.sin = new Float64Array(n / 2);
    for (let k = 0; k < n / 2; k++) {
      this.cos[k] = Math.cos((2 * Math.PI * k) / n);
      this.sin[k] = Math.sin((2 * Math.PI * k) / n);
    }
  }

  transform(re: Float64Array, im: Float64Array, sign: -1 | 1): void {
    const n = this.n;
    const rev = this.bitReversed;
    for (let i = 0; i < n; i++) {
      const j = rev[i];
      if (j > i) {
        let t = re[i];
        re[i] = re[j];
        re[j] = t;
        t = im[i];
        im[i] = im[j];
        im[j] = t;
      }
    }
    for (let size = 2; size <= n; size <<= 1) {
      const half = size >> 1;
      const step = n / size;
      for (let start = 0; start < n; start += size) {
        for (let k = 0; k < half; k++) {
          const wr = this.cos[k * step];
          const wi = sign * this.sin[k * step];
          const a = start + k;
          const b = a + half;
          const tr = re[b] * wr - im[b] * wi;
          const ti = re[b] * wi + im[b] * wr;
          re[b] = re[a] - tr;
          im[b] = im[a] - ti;
          re[a] += tr;
          im[a] += ti;
        }
      }
    }
  }
}

class BluesteinFft {
  private readonly n: number;
  private readonly m: number;
  private readonly inner: Radix2Fft;
  /** chirp w_j = exp(-i pi j^2 / n) */
  private readonly chirpRe: Float64Array;
  private readonly chirpIm: Float64Array;
  /** DFT of the conjugate chirp, wrapped to length m, for each sign */
  private readonly kernelForward: [Float64Array, Float64Array];
  private readonly kernelBackward: [Float64Array, Float64Array];
  private readonly workRe: Float64Array;
  private readonly workIm: Float64Array;

  constructor(n: number) {
    this.n = n;
    let m = 1;
    while (m < 2 * n - 1) m <<= 1;
    this.m = m;
    this.inner = new Radix2Fft(m);
    this.chirpRe = new Float64Array(n);
    this.chirpIm = new Float64Array(n);
    for (let j = 0; j < n; j++) {
      // j^2 mod 2n keeps the angle small, so the chirp is accurate for large n too.
      const angle = (Math.PI * ((j * j) % (2 * n))) / n;
      this.chirpRe[j] = Math.cos(angle);
      this.chirpIm[j] = -Math.sin(angle);
    }
    this.kernelForward = this.kernel(-1);
    this.kernelBackward = this.kernel(1);
    this.workRe = new Float64Array(m);
    this.workIm = new Float64Array(m);
  }

  /** FFT of b_j = conj(chirp_j) (for sign -1), laid out circularly over length m. */
  private kernel(sign: -1 | 1): [Float64Array, Float64Array] {
    const { n, m } = this;
    const re = new Float64Array(m);
    const im = new Float64Array(m);
    for (let j = 0; j < n; j++) {
      const cr = this.chirpRe[j];
      const ci = sign === -1 ? -this.chirpIm[j] : this.chirpIm[j];
      re[j] = cr;
      im[j] = ci;
      if (j > 0) {
        re[m - j] = cr;
        im[m - j] = ci;
      }
    }
    this.inner.transform(re, im, -1);
    return [re, im];
  }

  transform(re: Float64Array, im: Float64Array, sign: -1 | 1): void {
    const { n, m, workRe, workIm } = this;
    const [kr, ki] = sign === -1 ? this.kernelForward : this.kernelBackward;
    workRe.fill(0);
    workIm.fill(0);
    for (let j = 0; j < n; j++) {
      const cr = this.chirpRe[j];
      const ci = sign === -1 ? this.chirpIm[j] : -this.chirpIm[j];
      workRe[j] = re[j] * cr - im[j] * ci;
      workIm[j] = re[j] * ci + im[j] * cr;
    }
    this.inner.transform(workRe, workIm, -1);
    for (let k = 0; k < m; k++) {
      const r = workRe[k] * kr[k] - workIm[k] * ki[k];
      const i = workRe[k] * ki[k] + workIm[k] * kr[k];
      workRe[k] = r;
      workIm[k] = i;
    }
    this.inner.transform(workRe, workIm, 1);
    const scale = 1 / m;
    for (let k = 0; k < n; k++) {
      const cr = this.chirpRe[k];
      const ci = sign === -1 ? this.chirpIm[k] : -this.chirpIm[k];
      const r = workRe[k] * scale;
      const i = workIm[k] * scale;
      re[k] = r * cr - i * ci;
      im[k] = r * ci + i * cr;
    }
  }
}
