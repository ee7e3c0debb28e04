import { mkdir } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import { loadLatentExtractor } from '../../acsr/models/latent-extractor.ts';
import { BatchProgress, imagesPerMinute, runBatch } from '../../acsr/purification/batch-runner.ts';
import { PurificationEngines } from '../../acsr/purification/purification-engines.ts';
import { DEFAULT_PURIFICATION_OPTIONS, purifyImage } from '../../acsr/purification/purify-image.ts';
import { loadReferenceBundle, type ReferenceBundle } from '../../acsr/references/bundle-reader.ts';
import { calibratedSettingsDiffer, openEvasionScorer } from '../../acsr/evasion/evasion-scorer.ts';
import { bundleRecommendation } from '../../acsr/tuning/bundle-recommendation.ts';
import { resolvePurificationOptions } from '../../acsr/tuning/purification-defaults.ts';
import { UserInputError } from '../../errors/user-input-error.ts';
import { decodeImage, readImageHeader } from '../../io/image.ts';
import { expandImageInputs } from '../../io/image-inputs.ts';
import { readInputBytes } from '../../io/input-file.ts';
import { defineCommand } from '../command.ts';
import { writePurificationOutputs } from './purify-outputs.ts';

const o = DEFAULT_PURIFICATION_OPTIONS;

export const purifyCommand = defineCommand({
  name: 'purify',
  summary: 'stage iii: purify images with a reference bundle (semantic dictionary selection + CBPDN)',
  description:
    "For each image: Tikhonov split (lambda 5, or the bundle's tuned value), latent of the image with the bundle's extractor, Mahalanobis " +
    "distance to every cluster, the nearest cluster's dictionary (or --cluster) codes the high part by CBPDN " +
    '(SPORCO defaults, tolerance 1e-3), and x_low + reconstruction, clipped to [0, 1], is written as ' +
    '<name>.purified.png beside <name>.purification.json (chosen cluster, all distances, CBPDN iterations and ' +
    'objective, timings, backends, input and output SHA-256). Large images are coded in tiles. A folder is purified ' +
    'with the models and worker threads loaded once, one image per worker while several remain, and the rate in ' +
    'images per minute is printed at the end. A bundle tuned by `acsr tune --bundle-out` supplies its own Tikhonov ' +
    'lambda, CBPDN lambda and iteration cap as the defaults; options given here win, and the record says where each ' +
    "value came from. When the bundle's tuning found that another defense protected the classifier at least as well on the " +
    "bundle's validation images, one line says so before purifying (and the --json summary carries it). A bundle " +
    'calibrated by `acsr calibrate-evasion` also gives each image an evasion score (the probability that it was made to ' +
    "fool the classifier), whether it is above the calibrated threshold, and each signal's value and share of the score, " +
    "in the printed line, the image's JSON record and the --json summary.",
  examples: [
    'acsr purify --bundle models/default-bundle --in suspect.jpg --out purified/',
    'acsr purify --bundle B --in photos/ --out purified/ --cluster neutral:1 --save-components',
  ],
  options: {
    bundle: { type: 'string', required: true, valueName: 'BUNDLE', description: 'reference bundle folder (acsr train)' },
    in: { type: 'string', required: true, multiple: true, valueName: 'FILES|DIR', description: 'images to purify' },
    out: { type: 'string', required: true, valueName: 'DIR', description: 'output folder (created if missing)' },
    cluster: { type: 'string', valueName: 'ID', description: 'use this cluster (e.g. neutral:0) instead of the nearest' },
    saveComponents: { type: 'boolean', description: 'also write low, high, recon-high and difference PNGs (high parts offset to 0.5)' },
    lambda: { type: 'number', min: 0, description: `CBPDN l1 weight lambda_csc (default: the bundle's tuned value, else ${o.cscLambda})` },
    tikhonovLambda: { type: 'number', min: 0, description: `Tikhonov split lambda (default: the bundle's tuned value, else ${o.tikhonovLambda})` },
    tol: { type: 'number', default: o.tolerance, greaterThan: 0, description: 'CBPDN relative stopping tolerance' },
    maxIterations: { type: 'integer', min: 1, valueName: 'N', description: `CBPDN iteration cap (default: the bundle's tuned value, else ${o.maxIterations})` },
    tileSize: { type: 'integer', default: o.tileSize, min: 16, valueName: 'PX', description: 'largest tile side coded at once (memory bound)' },
    threads: { type: 'integer', min: 1, description: 'CBPDN worker threads (default: all cores)' },
  },
  async run({ options, print, note, progress, signal }) {
    const bundle = await loadReferenceBundle(options.bundle);
    const files = await expandImageInputs(options.in);
    const stems = new Map<string, string>();
    for (const file of files) {
      const stem = basename(file, extname(file));
      if (stems.has(stem))
        throw new UserInputError(`${file} and ${stems.get(stem)} would write the same outputs (${stem}.*); purify them into different --out folders`);
      stems.set(stem, file);
    }
    await mkdir(options.out, { recursive: true });
    const resolved = resolvePurificationOptions(bundle.manifest, {
      tikhonovLambda: options.tikhonovLambda,
      cscLambda: options.lambda,
      maxIterations: options.maxIterations,
      tolerance: options.tol,
      tileSize: options.tileSize,
      clusterOverride: options.cluster,
      ...(options.threads !== undefined ? { threads: options.threads } : {}),
    });
    if (resolved.tuning) {
      const { tikhonovLambda, cscLambda, maxIterations } = resolved.options;
      note(
        `using the bundle's tuned defaults where no option was given: Tikhonov lambda ${tikhonovLambda}, CBPDN lambda ${cscLambda}, ${maxIterations} iterations`,
      );
    }
    const purification = {
      tikhonovLambda: resolved.options.tikhonovLambda,
      cscLambda: resolved.options.cscLambda,
      maxIterations: resolved.options.maxIterations,
      tolerance: resolved.options.tolerance,
      sources: resolved.sources,
      tuning: resolved.tuning,
    };
    // the bundle's own validation data may have found a cheaper defense as good: say so before purifying
    const recommendation = bundleRecommendation(bundle.manifest, 'acsr', 'ACSR');
    if (recommendation?.notice) print(recommendation.notice);
    const threads = options.threads ?? o.threads;
    // one image per worker when there are several: no barriers inside a tile, and one image's
    // decoding and latent overlap another's sparse coding (batch-runner.ts bounds the memory).
    // The workers start now, so that their start-up overlaps the loading of the models below.
    const imagesAtOnce = Math.min(files.length, threads);
    const engines = new PurificationEngines({ threads, imagesAtOnce, prestart: true });
    // a lone image: its tile's memory is made and touched on another thread while the models load
    if (files.length === 1) void prewarmForImage(engines, files[0], bundle, resolved.options);
    let evasion: Awaited<ReturnType<typeof openEvasionScorer>>;
    let extractor: Awaited<ReturnType<typeof loadLatentExtractor>>;
    try {
      evasion = await openEvasionScorer(bundle.manifest, options.bundle);
      if (evasion && calibratedSettingsDiffer(evasion.calibration, resolved.options)) {
        note('the evasion score was calibrated at other purification settings than these; its threshold may not hold its false-positive rate');
      }
      extractor = await loadLatentExtractor(bundle.manifest.extractor.id);
    } catch (error) {
      await engines.dispose();
      throw error;
    }
    const batchProgress = new BatchProgress(progress, files.length);
    const started = performance.now();
    let results;
    try {
      results = await runBatch(files, { imagesAtOnce }, async (file, i, admit) => {
        const bytes = await readInputBytes(file, 'an image (PNG, JPEG, WebP or TIFF)');
        // the header is enough to know whether the image may join those in flight, before its pixels take memory
        const header = await readImageHeader(bytes, { source: file });
        await admit(header.width * header.height);
        // float32 samples (an 8- or 16-bit sample to within 3e-8): a 24-megapixel photo is 288 MB, not 576
        const image = await decodeImage(bytes, { source: file, channels: bundle.manifest.channels === 3 ? 'rgb' : 'gray', precision: 'float32' });
        for (const line of image.notes) note(`${file}: ${line}`);
        const result = await purifyImage({
          image,
          keepComponents: options.saveComponents ?? false,
          bundle,
          extractor,
          engines,
          signal,
          progress: batchProgress.item(i, basename(file)),
          options: { ...resolved.options, threads },
        });
        const evasionScore = evasion ? await evasion.score(image, result) : null;
        const written = await writePurificationOutputs({
          file,
          bytes,
          image,
          result,
          out: options.out,
          saveComponents: options.saveComponents ?? false,
          evasion: evasionScore,
          bundle: { path: options.bundle, manifestSha256: bundle.manifestSha256, extractor: bundle.manifest.extractor.id },
          purification,
        });
        const evasionLine = evasionScore ? `, evasion score ${evasionScore.score.toFixed(3)}${evasionScore.suspected ? ' (suspected evasion)' : ''}` : '';
        print(
          `${file}: cluster ${result.cluster.id}${result.cluster.selectedBy === 'override' ? ' (override)' : ''}, ${result.cbpdn.iterations} iterations${result.cbpdn.converged ? '' : ' (not converged)'}${evasionLine}, ${(result.timingsMs.total / 1000).toFixed(1)} s -> ${written.purifiedPath}`,
        );
        return {
          input: file,
          output: written.purifiedPath,
          cluster: result.cluster.id,
          iterations: result.cbpdn.iterations,
          converged: result.cbpdn.converged,
          seconds: result.timingsMs.total / 1000,
          ...(evasionScore ? { evasion: evasionScore } : {}),
        };
      });
    } finally {
      await engines.dispose();
      extractor.dispose();
      evasion?.dispose();
    }
    const seconds = (performance.now() - started) / 1000;
    const rate = imagesPerMinute(results.length, seconds);
    if (results.length > 1)
      print(`${results.length} images in ${seconds.toFixed(1)} s: ${rate.toFixed(1)} images/min (after loading the bundle and extractor)`);
    return { bundle: options.bundle, purification, recommendation, images: results, seconds, imagesPerMinute: rate };
  },
});

/** Never fails the command: without it the engine makes its memory itself, a little later. */
async function prewarmForImage(
  engines: PurificationEngines,
  file: string,
  bundle: ReferenceBundle,
  options: { readonly tileSize: number; readonly tileMargin?: number },
): Promise<void> {
  try {
    // the header alone: the whole file is read once, when the image is purified
    const header = await readImageHeader(file, { source: file });
    await engines.prewarm({ height: header.height, width: header.width, channels: bundle.manifest.channels }, bundle.clusters[0].dictionary, options);
  } catch {
    // an unreadable image is reported when it is purified
  }
}
