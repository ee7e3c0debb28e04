import type { ImageArray } from '../array/image-array.ts';
import { type RandomSource, seededRandom } from '../random/seeded-random.ts';
import { randomDictionary } from './dictionary-training-set.ts';
import { createFastRealFft2d } from './fft/fast-real-fft2d.ts';
import { sparseCodeImage } from './sparse-code-image.ts';
import { tikhonovSplit } from './tikhonov.ts';

/**
 * Times CBPDN iterations on one problem size and sets them against what the FFTs alone cost.
 *
 * An iteration transforms the coefficient maps twice (forward of y - u, inverse of x): 2 G M real
 * 2-D FFTs of H x W, counted at 2.5 N log2 N flops each (N = H W), the usual convention for a
 * real transform. The "FFT bound" is those flops at the throughput this machine's FFT reaches
 * alone (one thread, measured here, times the threads the solver uses): no CBPDN iteration can
 * be faster, since the per-frequency solve and the y/u steps come on top.
 */
export interface CbpdnBenchmarkRequest {
  readonly size: number;
  readonly channels: 1 | 3;
  readonly dictChannels: 1 | 3;
  readonly atoms: number;
  readonly iterations: number;
  readonly lambda: number;
  readonly precision: 'float32' | 'float64';
  readonly threads: number;
  /** The image to code (its high part); default a seeded noise image. */
  readonly image?: ImageArray<Float64Array>;
  readonly signal?: AbortSignal;
  readonly onIteration?: (done: number) => void;
}

export interface CbpdnBenchmarkResult {
  size: number;
  channels: number;
  dictChannels: number;
  atoms: number;
  iterations: number;
  precision: string;
  threads: number;
  msPerIterationMedian: number;
  msPerIterationMin: number;
  setupMs: number;
  fftsPerIteration: number;
  fftGflopPerIteration: number;
  /** one thread's batch forward+inverse throughput on this size */
  fftGflopsPerThread: number;
  /** the iteration time if only the FFTs cost anything, at fftGflopsPerThread x threads */
  fftBoundMs: number;
  /** msPerIterationMedian / fftBoundMs: how far from the FFT limit */
  ratioToFftBound: number;
  /** fftGflopPerIteration / median time: the FLOP rate the solver sustains, FFT flops only */
  sustainedFftGflops: number;
  /**
   * The same comparison in CPU time (all threads), which a shared machine disturbs far less than
   * wall time: the median CPU ms one iteration costs, what its FFTs alone cost in CPU ms (one
   * thread, measured in this run), and their ratio (>= 1; the work the solve and y/u steps add).
   */
  cpuMsPerIterationMedian: number;
  fftCpuMsPerIteration: number;
  cpuRatioToFftBound: number;
}

export async function benchmarkCbpdn(request: CbpdnBenchmarkRequest): Promise<CbpdnBenchmarkResult> {
  const { size, channels, dictChannels, atoms, iterations } = request;
  const random = seededRandom(7);
  const image = request.image ?? noiseImage(size, channels, random);
  const high = tikhonovSplit(image, 5).high;
  const dictionary = randomDictionary(8, dictChannels, atoms, random);

  const stamps: number[] = [];
  const cpuStamps: number[] = [];
  const started = performance.now();
  await sparseCodeImage({
    dictionary,
    image: high,
    lambda: request.lambda,
    precision: request.precision,
    threads: request.threads,
    signal: request.signal,
    // tolerance 0: every requested iteration runs, whatever the data
    options: { maxIterations: iterations, relativeTolerance: 0, absoluteTolerance: 0 },
    onIteration: (stats) => {
      stamps.push(performance.now());
      cpuStamps.push(cpuMs());
      request.onIteration?.(stats.iteration + 1);
    },
  });
  const durations = stamps.slice(1).map((t, i) => t - stamps[i]);
  const cpuDurations = cpuStamps.slice(1).map((t, i) => t - cpuStamps[i]);
  const setupMs = stamps[0] - started - (durations.length ? median(durations) : 0);

  const groups = dictChannels === 1 ? channels : 1;
  const fftsPerIteration = 2 * groups * atoms;
  const n = size * size;
  const flopsPerFft = 2.5 * n * Math.log2(n);
  const fftGflopPerIteration = (fftsPerIteration * flopsPerFft) / 1e9;
  const fft = await measureFftThroughput(size, groups * atoms);
  const fftGflopsPerThread = fft.wallGflops;
  const fftCpuMsPerIteration = (fftGflopPerIteration / fft.cpuGflops) * 1000;
  const cpuMsPerIterationMedian = median(cpuDurations);
  const threads = request.precision === 'float64' ? 1 : Math.min(request.threads, groups * atoms);
  const fftBoundMs = (fftGflopPerIteration / (fftGflopsPerThread * threads)) * 1000;
  const msPerIterationMedian = median(durations);
  return {
    size,
    channels,
    dictChannels,
    atoms,
    iterations,
    precision: request.precision,
    threads,
    msPerIterationMedian,
    msPerIterationMin: Math.min(...durations),
    setupMs,
    fftsPerIteration,
    fftGflopPerIteration,
    fftGflopsPerThread,
    fftBoundMs,
    ratioToFftBound: msPerIterationMedian / fftBoundMs,
    sustainedFftGflops: fftGflopPerIteration / (msPerIterationMedian / 1000),
    cpuMsPerIterationMedian,
    fftCpuMsPerIteration,
    cpuRatioToFftBound: cpuMsPerIterationMedian / fftCpuMsPerIteration,
  };
}

/** CPU time of this process, every thread, in ms. */
function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

/** Median GFLOP/s (per wall and per CPU second) of one thread doing a forward + inverse over `planes` planes (what an iteration does). */
async function measureFftThroughput(size: number, planes: number): Promise<{ wallGflops: number; cpuGflops: number }> {
  const fft = await createFastRealFft2d(size, size);
  const n = size * size;
  const spectrum = size * fft.spectrumWidth;
  const real = new Float32Array(planes * n);
  const re = new Float32Array(planes * spectrum);
  const im = new Float32Array(planes * spectrum);
  const random = seededRandom(3);
  for (let i = 0; i < real.length; i++) real[i] = random();
  const times: number[] = [];
  const cpuTimes: number[] = [];
  for (let repeat = 0; repeat < 7; repeat++) {
    const t0 = performance.now();
    const c0 = cpuMs();
    fft.forward(real, re, im, planes);
    fft.inverse(re, im, real, planes);
    times.push(performance.now() - t0);
    cpuTimes.push(cpuMs() - c0);
  }
  const gflop = (2 * planes * 2.5 * n * Math.log2(n)) / 1e9;
  return { wallGflops: gflop / (median(times.slice(1)) / 1000), cpuGflops: gflop / (median(cpuTimes.slice(1)) / 1000) };
}

function noiseImage(size: number, channels: number, random: RandomSource): ImageArray<Float64Array> {
  const data = new Float64Array(size * size * channels);
  for (let i = 0; i < data.length; i++) data[i] = random();
  return { height: size, width: size, channels, data };
}

function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}
