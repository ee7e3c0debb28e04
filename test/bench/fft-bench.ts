/**
 * Batch 2-D real FFT candidates, float32, timed as the solver uses them: a forward then an
 * inverse over a batch of planes held in SharedArrayBuffer-backed Float32Arrays.
 *
 *   npm exec -- node --import tsx test/bench/fft-bench.ts [--runs=30] [--sizes=256,64,128,512,224]
 *
 * Candidates run round-robin inside each repeat, so load from other users of the machine hits
 * them alike; medians are reported. Times include every copy into/out of WASM memory; the
 * "pffft kernels only" row is the same PFFFT calls with no copies or transposes, the lower bound
 * for any PFFFT-based 2-D path. GFLOP/s counts 2.5 N log2 N flops per real N-point transform
 * (N = H*W), two transforms per pair. Last line: the same figures as JSON.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { createFastRealFft2d } from '../../main/acsr/signal/fft/fast-real-fft2d.ts';
import { JsRealFft2d } from '../../main/acsr/signal/fft/js-real-fft2d.ts';
import { PFFFT_BACKWARD, PFFFT_COMPLEX, PFFFT_FORWARD, PFFFT_REAL, loadPffftModule, type PffftModule } from '../../main/acsr/signal/fft/pffft-module.ts';
import { PffftRealFft2d, pffftSupportsSize } from '../../main/acsr/signal/fft/pffft-real-fft2d.ts';
import type { RealFft2d } from '../../main/acsr/signal/fft/real-fft2d.ts';

type Fft = RealFft2d<Float32Array>;

interface Candidate {
  readonly name: string;
  supports(h: number, w: number): boolean;
  create(h: number, w: number): Promise<Fft>;
}

interface Result {
  size: string;
  candidate: string;
  planes: number;
  runs: number;
  msPerPair: number;
  gflops: number;
  relativeErrorVsJs: number | null;
}

const isPowerOfTwo = (n: number): boolean => n > 0 && (n & (n - 1)) === 0;

// ---- adapters for the packages that are only compared, not used ---------------------------------

interface KissWasm {
  HEAPF32: Float32Array;
  HEAP32: Int32Array;
  _malloc(bytes: number): number;
  _kiss_fftndr_alloc(dims: number, ndims: number, inverse: boolean, mem: number, lenmem: number): number;
  _kiss_fftndr(cfg: number, timedata: number, freqdata: number): void;
  _kiss_fftndri(cfg: number, freqdata: number, timedata: number): void;
}

/** kissfft's own N-d real transform (rows then columns inside WASM), interleaved spectrum split in JS. */
class KissFftRealFft2d implements Fft {
  readonly spectrumWidth: number;
  private readonly forwardConfig: number;
  private readonly inverseConfig: number;
  private readonly realPointer: number;
  private readonly spectrumPointer: number;

  private readonly wasm: KissWasm;
  readonly height: number;
  readonly width: number;
  constructor(wasm: KissWasm, height: number, width: number) {
    this.wasm = wasm;
    this.height = height;
    this.width = width;
    this.spectrumWidth = width / 2 + 1;
    const dims = wasm._malloc(8);
    wasm.HEAP32[dims >> 2] = height;
    wasm.HEAP32[(dims >> 2) + 1] = width;
    this.forwardConfig = wasm._kiss_fftndr_alloc(dims, 2, false, 0, 0);
    this.inverseConfig = wasm._kiss_fftndr_alloc(dims, 2, true, 0, 0);
    this.realPointer = wasm._malloc(4 * height * width);
    this.spectrumPointer = wasm._malloc(8 * height * this.spectrumWidth);
  }

  forward(real: Float32Array, re: Float32Array, im: Float32Array, planes: number): void {
    const n = this.height * this.width;
    const m = this.height * this.spectrumWidth;
    for (let p = 0; p < planes; p++) {
      this.wasm.HEAPF32.set(real.subarray(p * n, (p + 1) * n), this.realPointer >> 2);
      this.wasm._kiss_fftndr(this.forwardConfig, this.realPointer, this.spectrumPointer);
      const heap = this.wasm.HEAPF32;
      const s = this.spectrumPointer >> 2;
      for (let i = 0; i < m; i++) {
        re[p * m + i] = heap[s + 2 * i];
        im[p * m + i] = heap[s + 2 * i + 1];
      }
    }
  }

  inverse(re: Float32Array, im: Float32Array, real: Float32Array, planes: number): void {
    const n = this.height * this.width;
    const m = this.height * this.spectrumWidth;
    const scale = 1 / n;
    for (let p = 0; p < planes; p++) {
      const heap = this.wasm.HEAPF32;
      const s = this.spectrumPointer >> 2;
      for (let i = 0; i < m; i++) {
        heap[s + 2 * i] = re[p * m + i] * scale;
        heap[s + 2 * i + 1] = im[p * m + i] * scale;
      }
      this.wasm._kiss_fftndri(this.inverseConfig, this.spectrumPointer, this.realPointer);
      real.set(this.wasm.HEAPF32.subarray(this.realPointer >> 2, (this.realPointer >> 2) + n), p * n);
    }
  }
}

interface FftJs {
  realTransform(out: Float64Array, data: Float64Array): void;
  transform(out: Float64Array, data: Float64Array): void;
  inverseTransform(out: Float64Array, data: Float64Array): void;
}

/** fft.js (radix-4, power of two): realTransform per row, complex transform per gathered column. */
class FftJsRealFft2d implements Fft {
  readonly spectrumWidth: number;
  private readonly rowInput: Float64Array;
  private readonly rowOutput: Float64Array;
  private readonly columnInput: Float64Array;
  private readonly columnOutput: Float64Array;

  private readonly rowFft: FftJs;
  private readonly columnFft: FftJs;
  readonly height: number;
  readonly width: number;
  constructor(rowFft: FftJs, columnFft: FftJs, height: number, width: number) {
    this.rowFft = rowFft;
    this.columnFft = columnFft;
    this.height = height;
    this.width = width;
    this.spectrumWidth = width / 2 + 1;
    this.rowInput = new Float64Array(2 * width);
    this.rowOutput = new Float64Array(2 * width);
    this.columnInput = new Float64Array(2 * height);
    this.columnOutput = new Float64Array(2 * height);
  }

  forward(real: Float32Array, re: Float32Array, im: Float32Array, planes: number): void {
    const { height: h, width: w, spectrumWidth: wf, rowInput, rowOutput, columnInput, columnOutput } = this;
    for (let p = 0; p < planes; p++) {
      const out = p * h * wf;
      for (let y = 0; y < h; y++) {
        for (let x = 0; x < w; x++) rowInput[x] = real[p * h * w + y * w + x];
        this.rowFft.realTransform(rowOutput, rowInput);
        for (let k = 0; k < wf; k++) {
          re[out + y * wf + k] = rowOutput[2 * k];
          im[out + y * wf + k] = rowOutput[2 * k + 1];
        }
      }
      for (let k = 0; k < wf; k++) {
        for (let r = 0; r < h; r++) {
          columnInput[2 * r] = re[out + r * wf + k];
          columnInput[2 * r + 1] = im[out + r * wf + k];
        }
        this.columnFft.transform(columnOutput, columnInput);
        for (let r = 0; r < h; r++) {
          re[out + r * wf + k] = columnOutput[2 * r];
          im[out + r * wf + k] = columnOutput[2 * r + 1];
        }
      }
    }
  }

  inverse(re: Float32Array, im: Float32Array, real: Float32Array, planes: number): void {
    const { height: h, width: w, spectrumWidth: wf, rowInput, rowOutput, columnInput, columnOutput } = this;
    const plane = new Float64Array(2 * h * wf);
    for (let p = 0; p < planes; p++) {
      const src = p * h * wf;
      for (let k = 0; k < wf; k++) {
        for (let r = 0; r < h; r++) {
          columnInput[2 * r] = re[src + r * wf + k];
          columnInput[2 * r + 1] = im[src + r * wf + k];
        }
        this.columnFft.inverseTransform(columnOutput, columnInput);
        for (let r = 0; r < h; r++) {
          plane[2 * (r * wf + k)] = columnOutput[2 * r];
          plane[2 * (r * wf + k) + 1] = columnOutput[2 * r + 1];
        }
      }
      for (let y = 0; y < h; y++) {
        // fft.js has no real inverse: rebuild the Hermitian full row.
        for (let k = 0; k < wf; k++) {
          const selfConjugate = k === 0 || k === w / 2;
          rowInput[2 * k] = plane[2 * (y * wf + k)];
          rowInput[2 * k + 1] = selfConjugate ? 0 : plane[2 * (y * wf + k) + 1];
          if (!selfConjugate) {
            rowInput[2 * (w - k)] = rowInput[2 * k];
            rowInput[2 * (w - k) + 1] = -rowInput[2 * k + 1];
          }
        }
        this.rowFft.inverseTransform(rowOutput, rowInput);
        for (let x = 0; x < w; x++) real[p * h * w + y * w + x] = rowOutput[2 * x];
      }
    }
  }
}

/** Only the PFFFT row and column transforms a 2-D pair needs, on data already in WASM memory. */
class PffftKernelsOnly implements Fft {
  readonly spectrumWidth: number;
  private readonly rowSetup: number;
  private readonly columnSetup: number;
  private readonly work: number;
  private readonly data: number;

  private readonly module: PffftModule;
  readonly height: number;
  readonly width: number;
  constructor(module: PffftModule, height: number, width: number) {
    this.module = module;
    this.height = height;
    this.width = width;
    this.spectrumWidth = width / 2 + 1;
    this.rowSetup = module._pffft_new_setup(width, PFFFT_REAL);
    this.columnSetup = module._pffft_new_setup(height, PFFFT_COMPLEX);
    this.work = module._pffft_aligned_malloc(8 * Math.max(width, height));
    this.data = module._pffft_aligned_malloc(4 * height * width);
  }

  forward(_real: Float32Array, _re: Float32Array, _im: Float32Array, planes: number): void {
    for (let p = 0; p < planes; p++) this.pass(PFFFT_FORWARD);
  }

  inverse(_re: Float32Array, _im: Float32Array, _real: Float32Array, planes: number): void {
    for (let p = 0; p < planes; p++) this.pass(PFFFT_BACKWARD);
  }

  private pass(direction: number): void {
    const { height: h, width: w } = this;
    for (let y = 0; y < h; y++) {
      this.module._pffft_transform_ordered(this.rowSetup, this.data + 4 * y * w, this.data + 4 * y * w, this.work, direction);
    }
    for (let k = 0; k < w / 2; k++) {
      const column = this.data + 8 * k * h;
      this.module._pffft_transform_ordered(this.columnSetup, column, column, this.work, direction);
    }
  }
}

async function loadOptionalCandidates(): Promise<Candidate[]> {
  const candidates: Candidate[] = [];
  candidates.push({
    name: 'pffft-wasm (no SIMD build)',
    supports: pffftSupportsSize,
    create: async (h, w) => new PffftRealFft2d(await loadPffftModule('scalar'), h, w),
  });
  try {
    // The package's own index starts loading on import through fetch(), which Node cannot do for
    // a file path, so its Emscripten factory is called directly with the binary read from disk.
    const require = createRequire(import.meta.url);
    const factoryPath = require.resolve('kissfft-wasm/lib/kissfft.js');
    const createKiss = require(factoryPath) as (overrides: object) => Promise<KissWasm>;
    const wasm = await createKiss({ wasmBinary: readFileSync(join(dirname(factoryPath), 'kissfft.wasm')) });
    candidates.push({
      name: 'kissfft-wasm (fftndr)',
      supports: (_h, w) => w % 2 === 0,
      create: async (h, w) => new KissFftRealFft2d(wasm, h, w),
    });
  } catch {
    console.log('kissfft-wasm not installed: skipped (npm install --no-save kissfft-wasm)');
  }
  try {
    const FFT = (await import('fft.js')).default;
    candidates.push({
      name: 'fft.js (radix-4)',
      supports: (h, w) => isPowerOfTwo(h) && isPowerOfTwo(w) && w >= 4 && h >= 4,
      create: async (h, w) => new FftJsRealFft2d(new FFT(w) as FftJs, new FFT(h) as FftJs, h, w),
    });
  } catch {
    console.log('fft.js not installed: skipped (npm install --no-save fft.js)');
  }
  return candidates;
}

function sharedRandom(length: number): Float32Array {
  const array = new Float32Array(new SharedArrayBuffer(4 * length));
  for (let i = 0; i < length; i++) array[i] = Math.random() - 0.5;
  return array;
}

function relativeL2(a: Float32Array, b: Float32Array): number {
  let error = 0;
  let norm = 0;
  for (let i = 0; i < a.length; i++) {
    error += (a[i] - b[i]) ** 2;
    norm += b[i] ** 2;
  }
  return Math.sqrt(error / norm);
}

function median(values: number[]): number {
  const sorted = [...values].sort((x, y) => x - y);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : 0.5 * (sorted[mid - 1] + sorted[mid]);
}

/** Forward spectrum of one plane, to check a candidate computes the same transform. */
function spectrumOf(fft: Fft, plane: Float32Array): Float32Array {
  const size = fft.height * fft.spectrumWidth;
  const re = new Float32Array(size);
  const im = new Float32Array(size);
  fft.forward(plane, re, im, 1);
  const both = new Float32Array(2 * size);
  both.set(re);
  both.set(im, size);
  return both;
}

async function benchSize(h: number, w: number, runs: number, candidates: Candidate[]): Promise<Result[]> {
  const planes = h === 256 && w === 256 ? 64 : Math.max(4, Math.round((64 * 65536) / (h * w)));
  const wf = Math.floor(w / 2) + 1;
  const real = sharedRandom(planes * h * w);
  const re = new Float32Array(new SharedArrayBuffer(4 * planes * h * wf));
  const im = new Float32Array(new SharedArrayBuffer(4 * planes * h * wf));
  const back = new Float32Array(new SharedArrayBuffer(4 * planes * h * w));
  const reference = spectrumOf(new JsRealFft2d(h, w), real.subarray(0, h * w));

  const active: { name: string; fft: Fft; times: number[]; error: number | null }[] = [];
  for (const candidate of candidates) {
    if (!candidate.supports(h, w)) continue;
    const fft = await candidate.create(h, w);
    const error = candidate.name.includes('kernels only') ? null : relativeL2(spectrumOf(fft, real.subarray(0, h * w)), reference);
    active.push({ name: candidate.name, fft, times: [], error });
  }
  const warmups = 3;
  for (let run = -warmups; run < runs; run++) {
    for (const entry of active) {
      const start = performance.now();
      entry.fft.forward(real, re, im, planes);
      entry.fft.inverse(re, im, back, planes);
      const elapsed = performance.now() - start;
      if (run >= 0) entry.times.push(elapsed / planes);
    }
  }
  const n = h * w;
  const flopsPerPair = 2 * 2.5 * n * Math.log2(n);
  return active.map(({ name, times, error }) => {
    const msPerPair = median(times);
    return { size: `${h}x${w}`, candidate: name, planes, runs, msPerPair, gflops: flopsPerPair / (msPerPair * 1e6), relativeErrorVsJs: error };
  });
}

function printTable(results: Result[]): void {
  const header = ['size', 'candidate', 'planes', 'ms/pair', 'GFLOP/s', 'x slower than chosen', 'rel err vs js'];
  const rows = results.map((r) => {
    const chosen = results.find((c) => c.size === r.size && c.candidate.startsWith('createFastRealFft2d'));
    return [
      r.size,
      r.candidate,
      String(r.planes),
      r.msPerPair.toFixed(4),
      r.gflops.toFixed(2),
      chosen ? (r.msPerPair / chosen.msPerPair).toFixed(2) : '-',
      r.relativeErrorVsJs === null ? '-' : r.relativeErrorVsJs.toExponential(1),
    ];
  });
  const widths = header.map((_, i) => Math.max(header[i].length, ...rows.map((row) => row[i].length)));
  const line = (cells: string[]): string => '| ' + cells.map((c, i) => c.padEnd(widths[i])).join(' | ') + ' |';
  console.log(line(header));
  console.log('|' + widths.map((wd) => '-'.repeat(wd + 2)).join('|') + '|');
  for (const row of rows) console.log(line(row));
}

async function main(): Promise<void> {
  const args = new Map(process.argv.slice(2).map((a) => a.replace(/^--/, '').split('=') as [string, string]));
  const runs = Number(args.get('runs') ?? 30);
  const sizes = (args.get('sizes') ?? '256,64,128,512,224').split(',').map(Number);

  const candidates: Candidate[] = [
    {
      name: 'createFastRealFft2d',
      supports: () => true,
      create: createFastRealFft2d,
    },
    {
      name: 'pffft kernels only (no copies)',
      supports: pffftSupportsSize,
      create: async (h, w) => new PffftKernelsOnly((await loadPffftModule()).module, h, w),
    },
    ...(await loadOptionalCandidates()),
    {
      name: 'js mixed-radix Stockham (fallback)',
      supports: () => true,
      create: async (h, w) => new JsRealFft2d(h, w),
    },
  ];

  console.log(`node ${process.version}, ${os.cpus()[0]?.model ?? 'unknown cpu'} x${os.availableParallelism()}, ${runs} runs (median)`);
  const results: Result[] = [];
  for (const n of sizes) {
    const path = pffftSupportsSize(n, n) ? 'pffft-wasm SIMD' : 'js fallback';
    console.log(`\n${n}x${n}: createFastRealFft2d uses ${path}`);
    const sizeResults = await benchSize(n, n, runs, candidates);
    printTable(sizeResults);
    results.push(...sizeResults);
  }
  console.log(JSON.stringify({ bench: 'fft2d-float32-forward+inverse', node: process.version, runs, results }));
}

await main();
