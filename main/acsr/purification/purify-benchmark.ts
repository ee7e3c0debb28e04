import { availableParallelism } from 'node:os';
import type { ImageArray } from '../array/image-array.ts';
import type { LatentExtractor } from '../models/latent-extractor.ts';
import type { ReferenceBundle } from '../references/bundle-reader.ts';
import { imagesPerMinute, runBatch } from './batch-runner.ts';
import { PurificationEngines } from './purification-engines.ts';
import { type PurificationOptions, purifyImage } from './purify-image.ts';

/**
 * Times stage iii with a loaded bundle and extractor (loaded once, as `acsr purify DIR` does):
 * one image `runs` times, and a batch of images one after the other `runs` times, reporting the
 * medians, images per minute, CBPDN iterations and the process's peak resident memory. Everything
 * an investigator waits for after loading is inside the timings (Tikhonov split, latent,
 * selection, sparse coding with its worker start-up). The single image starts its own workers, as
 * a one-image `acsr purify` does; the batch runs as `acsr purify DIR` does: workers kept for the
 * batch, `threads` images at once (batch-runner.ts, purification-engines.ts). The CPU time of the
 * process (all threads) is reported beside the wall time: on a shared machine it is the steadier
 * figure. The parts (x_low, the reconstruction) are not kept, as `acsr purify` without
 * --save-components does not keep them.
 */
export interface PurifySizeBenchmark {
  readonly height: number;
  readonly width: number;
  readonly single: {
    readonly secondsMedian: number;
    readonly seconds: number[];
    readonly cpuSecondsMedian: number;
    readonly iterations: number;
    readonly tiles: number;
    readonly converged: boolean;
    readonly backend: string;
  };
  readonly batch: {
    readonly images: number;
    readonly imagesAtOnce: number;
    readonly secondsMedian: number;
    readonly seconds: number[];
    readonly cpuSecondsMedian: number;
    readonly imagesPerMinute: number;
    readonly backend: string;
    /** median over the batch's images of each image's largest tile iteration count */
    readonly iterationsMedian: number;
  } | null;
  /** the process's peak resident set so far (after this size), MB: monotone over the sizes of one run */
  readonly peakRssMb: number;
}

export interface PurifyBenchmarkRequest {
  readonly bundle: ReferenceBundle;
  readonly extractor: LatentExtractor;
  /** the first image is the single one; all of them form the batch (none: no batch) */
  readonly images: readonly ImageArray[];
  readonly batch: boolean;
  readonly runs: number;
  readonly options?: Partial<PurificationOptions>;
  /** worker threads in all (default: every core) */
  readonly threads?: number;
  /** fixed threads per tile (default: the engines' rule) */
  readonly tileThreads?: number;
  readonly signal?: AbortSignal;
  readonly onProgress?: (message: string) => void;
}

export async function benchmarkPurification(request: PurifyBenchmarkRequest): Promise<PurifySizeBenchmark> {
  const { images, runs, bundle, extractor, signal } = request;
  const first = images[0];
  const threads = request.threads ?? request.options?.threads;
  const options = { ...request.options, ...(threads !== undefined ? { threads } : {}) };
  const single = { seconds: [] as number[], cpu: [] as number[] };
  let last: Awaited<ReturnType<typeof purifyImage>> | undefined;
  // One image as a session purifies it (the CLI on a folder, the app, a fleet worker): worker
  // threads started and models loaded once, before the first image. One untimed image first,
  // so that starting the workers (~0.5 s, once per session) is not counted as purification;
  // the one-image CLI run, start-up included, is timed separately (test/bench/purify-bench.ts).
  const engines = new PurificationEngines({ threads, tileThreads: request.tileThreads, prestart: true });
  try {
    request.onProgress?.(`${first.width}x${first.height} single, warm-up`);
    await purifyImage({ image: first, bundle, extractor, options, keepComponents: false, engines, signal });
    for (let r = 0; r < runs; r++) {
      request.onProgress?.(`${first.width}x${first.height} single, run ${r + 1}/${runs}`);
      const clock = startClock();
      last = await purifyImage({ image: first, bundle, extractor, options, keepComponents: false, engines, signal });
      const { seconds, cpuSeconds } = clock();
      single.seconds.push(seconds);
      single.cpu.push(cpuSeconds);
    }
  } finally {
    await engines.dispose();
  }
  let batch: PurifySizeBenchmark['batch'] = null;
  if (request.batch) {
    const seconds: number[] = [];
    const cpu: number[] = [];
    const iterations: number[] = [];
    let backend = '';
    let imagesAtOnce = 1;
    for (let r = 0; r < runs; r++) {
      const engines = new PurificationEngines({
        threads,
        imagesAtOnce: Math.min(images.length, threads ?? availableParallelism()),
        tileThreads: request.tileThreads,
      });
      imagesAtOnce = engines.imagesAtOnce;
      const clock = startClock();
      try {
        await runBatch(images, { imagesAtOnce }, async (image, i, admit) => {
          request.onProgress?.(`${first.width}x${first.height} batch of ${images.length}, run ${r + 1}/${runs}, image ${i + 1}`);
          const leave = await admit(image.height * image.width);
          try {
            const result = await purifyImage({ image, bundle, extractor, options, keepComponents: false, engines, signal });
            if (r === 0) iterations.push(result.cbpdn.iterations);
            backend = result.backend.cbpdn;
          } finally {
            leave();
          }
        });
      } finally {
        await engines.dispose();
      }
      const measured = clock();
      seconds.push(measured.seconds);
      cpu.push(measured.cpuSeconds);
    }
    const secondsMedian = median(seconds);
    batch = {
      images: images.length,
      imagesAtOnce,
      secondsMedian,
      seconds,
      cpuSecondsMedian: median(cpu),
      imagesPerMinute: imagesPerMinute(images.length, secondsMedian),
      backend,
      iterationsMedian: median(iterations),
    };
  }
  return {
    height: first.height,
    width: first.width,
    single: {
      secondsMedian: median(single.seconds),
      seconds: single.seconds,
      cpuSecondsMedian: median(single.cpu),
      iterations: last!.cbpdn.iterations,
      tiles: last!.cbpdn.tiles.length,
      converged: last!.cbpdn.converged,
      backend: last!.backend.cbpdn,
    },
    batch,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
  };
}

/** Wall and process CPU time (every thread) since the call. */
function startClock(): () => { seconds: number; cpuSeconds: number } {
  const wall = performance.now();
  const cpu = process.cpuUsage();
  return () => {
    const used = process.cpuUsage(cpu);
    return { seconds: (performance.now() - wall) / 1000, cpuSeconds: (used.user + used.system) / 1e6 };
  };
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}
