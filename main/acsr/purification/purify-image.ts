import { UserInputError } from '../../errors/user-input-error.ts';

import { type ProgressReporter, silentProgress, throwIfCancelled } from '../../progress/progress.ts';
import type { ImageArray } from '../array/image-array.ts';
import type { LatentExtractor } from '../models/latent-extractor.ts';
import type { ReferenceBundle } from '../references/bundle-reader.ts';
import type { CbpdnEngineFactory } from '../signal/cbpdn.ts';
import { checkAtomsFit } from '../signal/check-atoms-fit.ts';
import type { PurificationEngines } from './purification-engines.ts';
import { type ClusterDistance, selectCluster } from './cluster-selection.ts';
import { DEFAULT_PURIFICATION_OPTIONS, type PurificationOptions } from './purification-options.ts';
import { type DictionaryPurification, purifyWithDictionary } from './purify-with-dictionary.ts';
import type { CbpdnReport } from './sparse-code-high-part.ts';

export { DEFAULT_PURIFICATION_OPTIONS, type PurificationOptions } from './purification-options.ts';
export type { CbpdnReport, TileReport } from './sparse-code-high-part.ts';

/**
 * Stage iii (method.md): purify one image with a reference bundle.
 *   1. r = R(x) at the extractor's input size; MD to every cluster; j* = argmin (or the override)
 *   2. the signal path with D_j* (purify-with-dictionary.ts): Tikhonov split (lambda 5),
 *      y = CBPDN(D_j*, x_high) (SPORCO's ConvBPDN defaults, RelStopTol 1e-3, lambda_csc 0.1,
 *      float32 engine on worker threads, tiled), x_pur = clip(x_low + sum_m d_m * y_m, 0, 1)
 * The latent is taken before the split, which it does not depend on; the result is the same.
 */
export interface PurificationResult {
  readonly cluster: { id: string; className: string; selectedBy: 'distance' | 'override' };
  readonly nearestCluster: { id: string; className: string };
  readonly distances: ClusterDistance[];
  readonly cbpdn: CbpdnReport;
  readonly timingsMs: { tikhonov: number; latent: number; selection: number; sparseCoding: number; total: number };
  readonly backend: { extractor: string; cbpdn: string };
  readonly purified: ImageArray<Float32Array>;
  readonly components: DictionaryPurification['components'];
}

export interface PurifyRequest {
  readonly image: ImageArray;
  readonly bundle: ReferenceBundle;
  readonly extractor: LatentExtractor;
  readonly options?: Partial<PurificationOptions>;
  /** keep the parts for saving or showing (default); without them the purification holds one full-image array less */
  readonly keepComponents?: boolean;
  /** engines kept for a whole session (batch); by default the image starts and stops its own */
  readonly engines?: PurificationEngines;
  /** or a caller's own engine factory (its tiles one after another) */
  readonly engine?: CbpdnEngineFactory<Float32Array>;
  readonly progress?: ProgressReporter;
  readonly signal?: AbortSignal;
}

/** Share of an image's progress for the latent and cluster selection (sparse coding dominates). */
const SELECTION_SHARE = 0.05;

export async function purifyImage(request: PurifyRequest): Promise<PurificationResult> {
  const o = { ...DEFAULT_PURIFICATION_OPTIONS, ...request.options };
  const { image, bundle, extractor } = request;
  const progress = request.progress ?? silentProgress;
  const started = performance.now();
  checkCompatibility(bundle, extractor, image);

  const latentStart = performance.now();
  const [latent] = await extractor.extract([image]);
  const latentMs = performance.now() - latentStart;
  const selectionStart = performance.now();
  const selection = selectCluster(bundle, latent, o.clusterOverride);
  const selectionMs = performance.now() - selectionStart;
  // A report's fraction is within its reporter's range: 'selection done' is the end of the
  // selection's own share, not of the whole image (else a progress bar jumps to 100 % and back).
  progress.sub(0, SELECTION_SHARE).report({ stage: 'selection', fraction: 1, message: `cluster ${selection.selected.id}` });
  throwIfCancelled(request.signal);

  const path = await purifyWithDictionary({
    image,
    dictionary: selection.selected.dictionary,
    options: o,
    keepComponents: request.keepComponents,
    engines: request.engines,
    engine: request.engine,
    progress: progress.sub(SELECTION_SHARE, 1),
    signal: request.signal,
  });
  return {
    cluster: { id: selection.selected.id, className: selection.selected.className, selectedBy: selection.selectedBy },
    nearestCluster: { id: selection.nearest.id, className: selection.nearest.className },
    distances: selection.distances,
    cbpdn: path.cbpdn,
    timingsMs: {
      tikhonov: path.timingsMs.tikhonov,
      latent: latentMs,
      selection: selectionMs,
      sparseCoding: path.timingsMs.sparseCoding,
      total: performance.now() - started,
    },
    backend: { extractor: extractor.identity.backend, cbpdn: path.backend },
    purified: path.purified,
    components: path.components,
  };
}

function checkCompatibility(bundle: ReferenceBundle, extractor: LatentExtractor, image: ImageArray): void {
  const expected = bundle.manifest.extractor;
  if (expected.id !== extractor.identity.id || expected.weightSha256 !== extractor.identity.weightSha256) {
    throw new UserInputError(
      `bundle ${bundle.path} was trained with extractor ${expected.id} (weights ${expected.weightSha256.slice(0, 12)}...), not ${extractor.identity.id} (weights ${extractor.identity.weightSha256.slice(0, 12)}...)`,
    );
  }
  if (image.channels !== bundle.manifest.channels) {
    throw new UserInputError(
      `the image has ${image.channels} channel(s) but bundle ${bundle.path} has ${bundle.manifest.channels}-channel dictionaries; read it as ${bundle.manifest.channels === 3 ? 'RGB' : 'greyscale'}`,
    );
  }
  const dictionary = bundle.clusters[0]?.dictionary;
  if (dictionary) checkAtomsFit(image, dictionary);
}
