/**
 * `npm run bench`: the project's speed and memory figures, measured on this machine.
 *
 *   npm run bench                 every benchmark
 *   npm run bench -- csc fft      only those whose name contains one of the words
 *   ACSR_SPORCO_PYTHON=python3 npm run bench -- csc
 *                                 SPORCO timed in the same run (test/bench/sporco-cbpdn.py, with a
 *                                 Python that imports SPORCO 0.2.2) instead of its recorded figures
 *
 * Benchmarks are separate from tests on purpose: machines here are shared and noisy, so figures
 * are medians, quoted with the machine they came from, and never asserted. The CBPDN suite runs
 * in this process; every other test/bench/*-bench.ts runs as a child process, in name order, and
 * is expected to print its figures (its last line as JSON). A summary of all JSON lines is
 * written to bench-results/latest.json.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchmarkCbpdn, type CbpdnBenchmarkResult } from '../../main/acsr/signal/cbpdn-benchmark.ts';
import { cropImage } from '../../main/acsr/array/image-array.ts';
import { readImage } from '../../main/io/image.ts';
import type { ImageArray } from '../../main/acsr/array/image-array.ts';
import { SPORCO_RECORDED_MS_PER_ITERATION_256_RGB, SPORCO_RECORDED_SOURCE } from '../../main/acsr/signal/sporco-recorded.ts';

const benchDir = path.dirname(fileURLToPath(import.meta.url));
const repositoryRoot = path.resolve(benchDir, '../..');
const filters = process.argv.slice(2).filter((arg) => !arg.startsWith('-'));
const selected = (name: string) => filters.length === 0 || filters.some((word) => name.includes(word));

/** The photo the CBPDN problems are cut from, so the coefficients are those of a real image. */
const PHOTO = path.resolve(repositoryRoot, '../shared/data/photos/skimage-astronaut.png');
/**
 * SPORCO's ms per iteration at 256: measured in this run when ACSR_SPORCO_PYTHON names a Python
 * that imports SPORCO, else the recorded constants (sporco-recorded.ts); the output says which.
 */
const sporco = selected('csc') ? sporcoFigures() : { ...SPORCO_RECORDED_MS_PER_ITERATION_256_RGB, source: SPORCO_RECORDED_SOURCE };
const SPORCO_MS = { 3: sporco.multiChannelDictionary, 1: sporco.sharedDictionary } as const;

function sporcoFigures(): { multiChannelDictionary: number; sharedDictionary: number; source: string } {
  const python = process.env.ACSR_SPORCO_PYTHON;
  const recorded = { ...SPORCO_RECORDED_MS_PER_ITERATION_256_RGB, source: SPORCO_RECORDED_SOURCE };
  if (!python) return recorded;
  const run = spawnSync(python, [path.join(benchDir, 'sporco-cbpdn.py')], { cwd: repositoryRoot, encoding: 'utf8' });
  const last = run.stdout?.trimEnd().split('\n').at(-1) ?? '';
  if (run.status !== 0 || !last.startsWith('{')) {
    console.log(`SPORCO could not be timed with ${python} (${(run.stderr ?? '').trim().split('\n').at(-1) ?? run.error?.message}); using the recorded figures`);
    return recorded;
  }
  const measured = JSON.parse(last) as { sporcoVersion: string; fft: string; multiChannelDictionary: number; sharedDictionary: number };
  return {
    multiChannelDictionary: measured.multiChannelDictionary,
    sharedDictionary: measured.sharedDictionary,
    source: `measured in this run (SPORCO ${measured.sporcoVersion}, ${measured.fft}, this machine)`,
  };
}

async function cbpdnSuite(): Promise<CbpdnBenchmarkResult[]> {
  const photo = await readImage(PHOTO, { channels: 'rgb', precision: 'float64' });
  const results: CbpdnBenchmarkResult[] = [];
  console.log('\nCBPDN, float32 engine, 8x8 atoms, M = 64, median ms per ADMM iteration (tolerance 0: every iteration runs)');
  console.log(`SPORCO at 256: ${SPORCO_MS[3]} / ${SPORCO_MS[1]} ms, ${sporco.source}; CPU ratio: CPU time per iteration / CPU time of its FFTs`);
  console.log('size  dict  threads   ms/it   FFT bound   ratio   CPU ratio   FFT GFLOP/s sustained   vs SPORCO 256');
  // At 256 also one thread: how a batch or a photo's tiles run (one tile per worker thread)
  const threadCounts = (size: number) => [...new Set(size === 256 ? [1, os.availableParallelism()] : [os.availableParallelism()])];
  for (const size of [64, 128, 256, 512]) {
    for (const dictChannels of [3, 1] as const)
      for (const threads of threadCounts(size)) {
        const image: ImageArray<Float64Array> = cropImage(photo as ImageArray<Float64Array>, 0, 0, size, size);
        const result = await benchmarkCbpdn({
          size,
          channels: 3,
          dictChannels,
          atoms: 64,
          iterations: size >= 512 ? 10 : 20,
          lambda: 0.1,
          precision: 'float32',
          threads,
          image,
        });
        results.push(result);
        const versus = size === 256 ? `${(SPORCO_MS[dictChannels] / result.msPerIterationMedian).toFixed(2)}x faster` : '';
        console.log(
          `${String(size).padStart(4)}  ${dictChannels === 3 ? 'RGB ' : 'mono'}  ${String(result.threads).padStart(7)}  ${result.msPerIterationMedian.toFixed(1).padStart(6)}` +
            `  ${result.fftBoundMs.toFixed(1).padStart(10)}  ${result.ratioToFftBound.toFixed(2).padStart(6)}  ${result.cpuRatioToFftBound.toFixed(2).padStart(10)}` +
            `  ${result.sustainedFftGflops.toFixed(2).padStart(22)}   ${versus}`,
        );
      }
  }
  return results;
}

function runScript(file: string): unknown {
  console.log(`\n== ${file}`);
  const result = spawnSync(process.execPath, ['--import', 'tsx', path.join(benchDir, file)], {
    cwd: repositoryRoot,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 64 * 1024 * 1024,
  });
  process.stdout.write(result.stdout);
  if (result.status !== 0) {
    console.log(`(${file} exited with ${result.status})`);
    return { file, failed: result.status };
  }
  const last = result.stdout.trimEnd().split('\n').at(-1) ?? '';
  try {
    return JSON.parse(last);
  } catch {
    return { file, output: 'no JSON summary line' };
  }
}

const summary: Record<string, unknown> = {
  machine: { cpu: os.cpus()[0]?.model ?? 'unknown', cores: os.availableParallelism(), node: process.version, date: new Date().toISOString() },
};
console.log(`node ${process.version} on ${os.cpus()[0]?.model ?? 'unknown cpu'} x${os.availableParallelism()}`);
if (selected('csc')) {
  summary.csc = await cbpdnSuite();
  summary.sporco = { msPerIteration256: SPORCO_MS, source: sporco.source };
}
for (const file of readdirSync(benchDir)
  .filter((name) => name.endsWith('-bench.ts'))
  .sort()) {
  if (selected(file.replace(/-bench\.ts$/, ''))) summary[file.replace(/\.ts$/, '')] = runScript(file);
}
const out = path.join(repositoryRoot, 'bench-results');
mkdirSync(out, { recursive: true });
writeFileSync(path.join(out, 'latest.json'), JSON.stringify(withEarlierFigures(summary, path.join(out, 'latest.json')), null, 2) + '\n');
console.log(`\nfigures written to ${path.relative(repositoryRoot, path.join(out, 'latest.json'))}`);

/**
 * A run of some benchmarks (`npm run bench -- NAME`) must not drop the others' figures from
 * latest.json: the earlier entries not run now are kept, and `measuredAt` says when each entry
 * was measured (the machine block is this run's).
 */
function withEarlierFigures(current: Record<string, unknown>, file: string): Record<string, unknown> {
  const now = (current.machine as { date: string }).date;
  let earlier: Record<string, unknown> = {};
  try {
    earlier = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch {
    // none yet, or unreadable: this run's figures alone
  }
  const earlierDates = (earlier.measuredAt ?? {}) as Record<string, string>;
  const earlierMachineDate = (earlier.machine as { date?: string } | undefined)?.date ?? 'unknown';
  const merged: Record<string, unknown> = { machine: current.machine };
  const measuredAt: Record<string, string> = {};
  for (const [name, value] of Object.entries(earlier)) {
    if (name === 'machine' || name === 'measuredAt' || name in current) continue;
    merged[name] = value;
    measuredAt[name] = earlierDates[name] ?? earlierMachineDate;
  }
  for (const [name, value] of Object.entries(current)) {
    if (name === 'machine') continue;
    merged[name] = value;
    measuredAt[name] = now;
  }
  return { ...merged, measuredAt };
}
