import type { RasterImage } from '../../io/image.ts';
import type { LatentExtractor } from '../models/latent-extractor.ts';
import type { ReferenceBundle } from '../references/bundle-reader.ts';
import { type PurificationOptions, purifyImage } from './purify-image.ts';

/**
 * Times stage iii with a loaded bundle and extractor (loaded once, as `acsr purify DIR` does):
 * one image `runs` times, and a batch of images one after the other `runs` times, reporting the
 * medians, images per minute, CBPDN iterations and the process's peak resident memory. Everything
 * an investigator waits for after loading is inside the timings (Tikhonov split, latent,
 * selection, sparse coding with its worker start-up).
 */
export interface PurifySizeBenchmark {
  readonly height: number;
  readonly width: number;
  readonly single: { readonly secondsMedian: number; readonly seconds: number[]; readonly iterations: number; readonly tiles: number; readonly converged: boolean };
  readonly batch: {
    readonly images: number; readonly secondsMedian: number; readonly seconds: number[]; readonly imagesPerMinute: number;
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
  readonly images: readonly RasterImage[];
  readonly batch: boolean;
  readonly runs: number;
  readonly options?: Partial<PurificationOptions>;
  readonly signal?: AbortSignal;
  readonly onProgress?: (message: string) => void;
}

export async function benchmarkPurification(request: PurifyBenchmarkRequest): Promise<PurifySizeBenchmark> {
  const { images, runs } = request;
  const first = images[0];
  const singleSeconds: number[] = [];
  let last: Awaited<ReturnType<typeof purifyImage>> | undefined;
  for (let r = 0; r < runs; r++) {
    request.onProgress?.(`${first.width}x${first.height} single, run ${r + 1}/${runs}`);
    const started = performance.now();
    last = await purifyImage({ image: first, bundle: request.bundle, extractor: request.extractor, options: request.options, signal: request.signal });
    singleSeconds.push((performance.now() - started) / 1000);
  }
  let batch: PurifySizeBenchmark['batch'] = null;
  if (request.batch) {
    const batchSeconds: number[] = [];
    const iterations: number[] = [];
    for (let r = 0; r < runs; r++) {
      const started = performance.now();
      for (const [i, image] of images.entries()) {
        request.onProgress?.(`${first.width}x${first.height} batch of ${images.length}, run ${r + 1}/${runs}, image ${i + 1}`);
        const result = await purifyImage({ image, bundle: request.bundle, extractor: request.extractor, options: request.options, signal: request.signal });
        if (r === 0) iterations.push(result.cbpdn.iterations);
      }
      batchSeconds.push((performance.now() - started) / 1000);
    }
    const secondsMedian = median(batchSeconds);
    batch = { images: images.length, secondsMedian, seconds: batchSeconds, imagesPerMinute: (60 * images.length) / secondsMedian, iterationsMedian: median(iterations) };
  }
  return {
    height: first.height,
    width: first.width,
    single: { secondsMedian: median(singleSeconds), seconds: singleSeconds, iterations: last!.cbpdn.iterations, tiles: last!.cbpdn.tiles.length, converged: last!.cbpdn.converged },
    batch,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
  };
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}
