import { mkdir } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import type { ImageArray } from '../../acsr/array/image-array.ts';
import { loadLatentExtractor } from '../../acsr/models/latent-extractor.ts';
import { DEFAULT_PURIFICATION_OPTIONS, purifyImage } from '../../acsr/purification/purify-image.ts';
import { loadReferenceBundle } from '../../acsr/references/bundle-reader.ts';
import { sha256Hex } from '../../io/hashing.ts';
import { resolvePurificationOptions } from '../../acsr/tuning/purification-defaults.ts';
import { UserInputError } from '../../errors/user-input-error.ts';
import { writeFileAtomic } from '../../io/atomic-write.ts';
import { decodeImage, encodePng, type RasterImage } from '../../io/image.ts';
import { expandImageInputs } from '../../io/image-inputs.ts';
import { readInputBytes } from '../../io/input-file.ts';
import { writeJsonFile } from '../../io/json-file.ts';
import { defineCommand } from '../command.ts';
import { productVersion } from '../../version.ts';

const o = DEFAULT_PURIFICATION_OPTIONS;

export const purifyCommand = defineCommand({
  name: 'purify',
  summary: 'stage iii: purify images with a reference bundle (semantic dictionary selection + CBPDN)',
  description:
    'For each image: Tikhonov split (lambda 5, or the bundle\'s tuned value), latent of the image with the bundle\'s extractor, Mahalanobis ' +
    'distance to every cluster, the nearest cluster\'s dictionary (or --cluster) codes the high part by CBPDN ' +
    '(SPORCO defaults, tolerance 1e-3), and x_low + reconstruction, clipped to [0, 1], is written as ' +
    '<name>.purified.png beside <name>.purification.json (chosen cluster, all distances, CBPDN iterations and ' +
    'objective, timings, backends, input and output SHA-256). Large images are coded in tiles. A bundle tuned by ' +
    '`acsr tune --bundle-out` supplies its own Tikhonov lambda, CBPDN lambda and iteration cap as the defaults; options ' +
    'given here win, and the record says where each value came from.',
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
      if (stems.has(stem)) throw new UserInputError(`${file} and ${stems.get(stem)} would write the same outputs (${stem}.*); purify them into different --out folders`);
      stems.set(stem, file);
    }
    await mkdir(options.out, { recursive: true });
    const resolved = resolvePurificationOptions(bundle.manifest, {
      tikhonovLambda: options.tikhonovLambda, cscLambda: options.lambda, maxIterations: options.maxIterations, tolerance: options.tol, tileSize: options.tileSize,
      clusterOverride: options.cluster, ...(options.threads !== undefined ? { threads: options.threads } : {}),
    });
    if (resolved.tuning) {
      const { tikhonovLambda, cscLambda, maxIterations } = resolved.options;
      note(`using the bundle's tuned defaults where no option was given: Tikhonov lambda ${tikhonovLambda}, CBPDN lambda ${cscLambda}, ${maxIterations} iterations`);
    }
    const purification = {
      tikhonovLambda: resolved.options.tikhonovLambda, cscLambda: resolved.options.cscLambda, maxIterations: resolved.options.maxIterations,
      tolerance: resolved.options.tolerance, sources: resolved.sources, tuning: resolved.tuning,
    };
    const extractor = await loadLatentExtractor(bundle.manifest.extractor.id);
    const results = [];
    try {
      for (const [i, file] of files.entries()) {
        const bytes = await readInputBytes(file, 'an image (PNG, JPEG, WebP or TIFF)');
        const image = await decodeImage(bytes, { source: file, channels: bundle.manifest.channels === 3 ? 'rgb' : 'gray' });
        for (const line of image.notes) note(`${file}: ${line}`);
        const result = await purifyImage({
          image, bundle, extractor, signal,
          progress: progress.sub(i / files.length, (i + 1) / files.length, basename(file)),
          options: resolved.options,
        });
        const stem = basename(file, extname(file));
        const png = await encodePng(asRaster(result.purified));
        const purifiedPath = join(options.out, `${stem}.purified.png`);
        await writeFileAtomic(purifiedPath, png);
        const components: Record<string, string> = {};
        if (options.saveComponents) {
          const c = result.components;
          const parts: [string, ImageArray<Float64Array>, number][] = [
            ['low', c.low, 0], ['high', c.high, 0.5], ['recon-high', c.reconstructedHigh, 0.5], ['difference', c.difference, 0.5],
          ];
          for (const [name, part, offset] of parts) {
            const path = join(options.out, `${stem}.${name}.png`);
            await writeFileAtomic(path, await encodePng(asRaster(offset === 0 ? part : { ...part, data: part.data.map((v) => v + offset) })));
            components[name] = path;
          }
        }
        const report = {
          producer: `acsr ${productVersion}`,
          input: { path: file, sha256: sha256Hex(bytes), height: image.height, width: image.width, channels: image.channels, notes: image.notes },
          output: { path: purifiedPath, sha256: sha256Hex(png) },
          bundle: { path: options.bundle, manifestSha256: bundle.manifestSha256, extractor: bundle.manifest.extractor.id },
          cluster: result.cluster,
          nearestCluster: result.nearestCluster,
          distances: result.distances,
          cbpdn: result.cbpdn,
          tikhonovLambda: resolved.options.tikhonovLambda,
          purification,
          timingsMs: result.timingsMs,
          backend: result.backend,
          ...(options.saveComponents ? { components, componentsNote: 'high, recon-high and difference are shown offset by +0.5' } : {}),
        };
        await writeJsonFile(join(options.out, `${stem}.purification.json`), report);
        print(`${file}: cluster ${result.cluster.id}${result.cluster.selectedBy === 'override' ? ' (override)' : ''}, ${result.cbpdn.iterations} iterations${result.cbpdn.converged ? '' : ' (not converged)'}, ${(result.timingsMs.total / 1000).toFixed(1)} s -> ${purifiedPath}`);
        results.push({ input: file, output: purifiedPath, cluster: result.cluster.id, iterations: result.cbpdn.iterations, converged: result.cbpdn.converged, seconds: result.timingsMs.total / 1000 });
      }
    } finally {
      extractor.dispose();
    }
    return { bundle: options.bundle, purification, images: results };
  },
});

/** Purification keeps the input's channel count, which RasterImage spells as 1 | 3. */
function asRaster(image: ImageArray<Float64Array>): RasterImage {
  return { ...image, channels: image.channels as 1 | 3 };
}
