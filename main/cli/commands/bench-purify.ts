import { readdirSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { loadLatentExtractor } from '../../acsr/models/latent-extractor.ts';
import { resolvePurificationOptions } from '../../acsr/tuning/purification-defaults.ts';
import { benchmarkPurification, type PurifySizeBenchmark } from '../../acsr/purification/purify-benchmark.ts';
import { loadReferenceBundle } from '../../acsr/references/bundle-reader.ts';
import { benchmarkCbpdn } from '../../acsr/signal/cbpdn-benchmark.ts';
import { cropImage, type ImageArray } from '../../acsr/array/image-array.ts';
import { UserInputError } from '../../errors/user-input-error.ts';
import { decodeImage, readImage } from '../../io/image.ts';
import { defineCommand } from '../command.ts';
import { SPORCO_RECORDED_MS_PER_ITERATION_256_RGB, SPORCO_RECORDED_SOURCE } from '../../acsr/signal/sporco-recorded.ts';

const DEFAULT_SIZES = '224x224,1024x768,4000x3000';
const PHOTO_FILE = /\.(png|jpe?g|webp|tiff?)$/i;

export const benchPurifyCommand = defineCommand({
  name: 'purify',
  summary: 'time purification of real photos at several sizes, one image and a batch',
  description:
    'Resizes (cover crop) the photos of --photos to each of --sizes, loads the bundle and its extractor once, and ' +
    'purifies the first photo --runs times (starting its own worker threads, as a one-image acsr purify does) and the ' +
    'first --batch photos --runs times as acsr purify DIR does (workers kept, one image per worker), with the settings ' +
    'acsr purify would use with the bundle (its tuned values unless --max-iterations or --tol say otherwise). Reports median seconds and CPU seconds, images per minute, CBPDN iterations, the engine ' +
    "that ran, the process's peak " +
    'resident memory, and the CBPDN iteration at 256x256 RGB, 64 atoms against the FFT-only bound and against SPORCO ' +
    '(a recorded figure unless --sporco-ms gives one measured on this machine).',
  examples: [
    'acsr bench purify --sizes 224x224,1024x768 --runs 1 --batch 4',
    'acsr bench purify --sizes 1024x768 --batch 0 --tile-threads 2',
    'acsr bench purify --sizes 6000x4000 --batch 0 --runs 1 --max-iterations 2   # peak memory of a 24-megapixel photo',
  ],
  options: {
    bundle: { type: 'string', default: 'models/default-bundle', valueName: 'BUNDLE', description: 'reference bundle folder' },
    photos: { type: 'string', default: '../shared/data/photos', valueName: 'DIR', description: 'folder of photos to resize' },
    sizes: { type: 'string', default: DEFAULT_SIZES, valueName: 'WxH,...', description: 'image sizes, width x height' },
    batch: { type: 'integer', default: 20, min: 0, description: 'images in the batch (0: no batch)' },
    runs: { type: 'integer', default: 3, min: 1, description: 'runs per measurement (the median is reported)' },
    threads: { type: 'integer', min: 1, description: 'CBPDN worker threads (default: all cores)' },
    maxIterations: {
      type: 'integer',
      min: 1,
      valueName: 'N',
      description:
        "CBPDN iteration cap (default: the bundle's tuned value, else the purification default); a small cap measures the peak memory of a large photo quickly, not its time",
    },
    tol: {
      type: 'number',
      greaterThan: 0,
      description: 'CBPDN relative stopping tolerance (default: the purification default), to measure what another budget costs',
    },
    tileThreads: {
      type: 'integer',
      min: 1,
      valueName: 'N',
      description: 'worker threads per tile (default: one per tile when tiles or images can run at once)',
    },
    sporcoMs: { type: 'number', min: 0, description: 'SPORCO ms per iteration at 256x256x3, 64 atoms, measured on this machine' },
  },
  async run({ options, print, progress, signal }) {
    const sizes = parseSizes(options.sizes);
    const files = readdirSync(options.photos)
      .filter((name) => PHOTO_FILE.test(name))
      .sort()
      .map((name) => path.join(options.photos, name));
    if (files.length === 0) throw new UserInputError(`${options.photos} holds no PNG, JPEG, WebP or TIFF photos`);
    const wanted = Math.max(1, options.batch);
    const chosen = Array.from({ length: wanted }, (_, i) => files[i % files.length]);
    const bundle = await loadReferenceBundle(options.bundle);
    const extractor = await loadLatentExtractor(bundle.manifest.extractor.id);
    // the settings `acsr purify` would use with this bundle: its tuned values unless overridden
    const resolved = resolvePurificationOptions(bundle.manifest, {
      ...(options.maxIterations !== undefined ? { maxIterations: options.maxIterations } : {}),
      ...(options.tol !== undefined ? { tolerance: options.tol } : {}),
    });
    const { maxIterations, tolerance, tikhonovLambda, cscLambda } = resolved.options;
    const tunedNote = resolved.sources.maxIterations === 'bundle-tuning' ? ', tuned on the bundle' : '';
    print(`settings: up to ${maxIterations} CBPDN iterations${tunedNote}, tolerance ${tolerance}, Tikhonov ${tikhonovLambda}, CBPDN lambda ${cscLambda}`);
    const results: PurifySizeBenchmark[] = [];
    try {
      for (const [index, size] of sizes.entries()) {
        const images = await Promise.all(chosen.map((file) => resizedPhoto(file, size.width, size.height)));
        const result = await benchmarkPurification({
          bundle,
          extractor,
          images,
          batch: options.batch > 0,
          runs: options.runs,
          threads: options.threads,
          tileThreads: options.tileThreads,
          signal,
          options: { maxIterations, tolerance, tikhonovLambda, cscLambda },
          onProgress: (message) => progress.report({ stage: 'purify', fraction: index / sizes.length, message }),
        });
        results.push(result);
        const batch = result.batch
          ? `; batch of ${result.batch.images} (${result.batch.imagesAtOnce} at once): ${result.batch.secondsMedian.toFixed(1)} s, ${result.batch.cpuSecondsMedian.toFixed(1)} s CPU, ` +
            `${result.batch.imagesPerMinute.toFixed(1)} images/min, median ${result.batch.iterationsMedian} iterations [${result.batch.backend}]`
          : '';
        print(
          `${size.width}x${size.height}: ${result.single.secondsMedian.toFixed(2)} s, ${result.single.cpuSecondsMedian.toFixed(2)} s CPU (median of ${options.runs}), ` +
            `${result.single.tiles} tile(s), ${result.single.iterations} iterations [${result.single.backend}]${batch}; peak RSS ${result.peakRssMb.toFixed(0)} MB`,
        );
      }
    } finally {
      extractor.dispose();
    }
    const cbpdn = await cbpdnFigures(options.photos, options.threads, options.sporcoMs, signal);
    print(
      `CBPDN 256x256 RGB, 8x8x3x64: ${cbpdn.msPerIteration.toFixed(1)} ms/iteration, ${cbpdn.ratioToFftBound.toFixed(2)}x the FFT-only bound ` +
        `(CPU time: ${cbpdn.cpuRatioToFftBound.toFixed(2)}x), ${cbpdn.speedupOverSporco.toFixed(2)}x faster than SPORCO at ${cbpdn.sporcoMsPerIteration} ms (${cbpdn.sporcoSource})`,
    );
    return {
      sizes: results,
      runs: options.runs,
      maxIterations,
      tolerance,
      tikhonovLambda,
      cscLambda,
      cbpdn,
    };
  },
});

/** The CBPDN iteration figure the speed targets are stated in, on the astronaut photo when present. */
async function cbpdnFigures(photos: string, threads: number | undefined, sporcoMs: number | undefined, signal: AbortSignal | undefined) {
  const astronaut = path.join(photos, 'skimage-astronaut.png');
  let image: ImageArray<Float64Array> | undefined;
  try {
    const decoded = await readImage(astronaut, { channels: 'rgb', precision: 'float64' });
    image = cropImage(decoded as ImageArray<Float64Array>, (decoded.height - 256) >> 1, (decoded.width - 256) >> 1, 256, 256);
  } catch {
    image = undefined; // seeded noise instead
  }
  const result = await benchmarkCbpdn({
    size: 256,
    channels: 3,
    dictChannels: 3,
    atoms: 64,
    iterations: 20,
    lambda: 0.1,
    precision: 'float32',
    threads: threads ?? (await import('node:os')).availableParallelism(),
    image,
    signal,
  });
  const sporco = sporcoMs ?? SPORCO_RECORDED_MS_PER_ITERATION_256_RGB.multiChannelDictionary;
  return {
    msPerIteration: result.msPerIterationMedian,
    fftBoundMs: result.fftBoundMs,
    ratioToFftBound: result.ratioToFftBound,
    cpuRatioToFftBound: result.cpuRatioToFftBound,
    sporcoMsPerIteration: sporco,
    sporcoSource: sporcoMs !== undefined ? 'measured on this machine (--sporco-ms)' : SPORCO_RECORDED_SOURCE,
    speedupOverSporco: sporco / result.msPerIterationMedian,
  };
}

async function resizedPhoto(file: string, width: number, height: number): Promise<ImageArray> {
  const bytes = await sharp(file, { limitInputPixels: false }).resize(width, height, { fit: 'cover' }).png().toBuffer();
  // float32, as acsr purify reads its images
  const image = await decodeImage(new Uint8Array(bytes), { channels: 'rgb', source: file, precision: 'float32' });
  return { height: image.height, width: image.width, channels: image.channels, data: image.data };
}

export function parseSizes(text: string): { width: number; height: number }[] {
  return text.split(',').map((part) => {
    const match = /^\s*(\d+)x(\d+)\s*$/.exec(part);
    if (!match || Number(match[1]) < 16 || Number(match[2]) < 16) throw new UserInputError(`--sizes: "${part}" is not WIDTHxHEIGHT (at least 16x16)`);
    return { width: Number(match[1]), height: Number(match[2]) };
  });
}
