import { availableParallelism } from 'node:os';
import { UserInputError } from '../../errors/user-input-error.ts';
import type { RasterImage } from '../../io/image.ts';
import { type ProgressReporter, silentProgress, throwIfCancelled } from '../../progress/progress.ts';
import { fromPlanes, type ImageArray, toPlanes } from '../array/image-array.ts';
import type { LatentExtractor } from '../models/latent-extractor.ts';
import type { ReferenceBundle } from '../references/bundle-reader.ts';
import { type CbpdnEngineFactory, ConvBpdn } from '../signal/cbpdn.ts';
import { fastEngineFactory } from '../signal/parallel/parallel-cbpdn-engine.ts';
import { tikhonovSplitFast } from '../signal/tikhonov-fast.ts';
import { type ClusterDistance, selectCluster } from './cluster-selection.ts';
import { TileEnginePool } from './tile-engine-pool.ts';
import { extractTilePlanes, placeTileCore, planTiles, type Tile } from './tiling.ts';

/**
 * Stage iii (method.md): purify one image with a reference bundle.
 *   1. x_low, x_high = Tikhonov split of x (lambda 5, symmetric padding 16)
 *   2. r = R(x) at the extractor's input size; MD to every cluster; j* = argmin (or the override)
 *   3. y = CBPDN(D_j*, x_high): SPORCO's ConvBPDN defaults (AutoRho, relaxation 1.8), RelStopTol
 *      1e-3, lambda_csc 0.1; float32 engine on worker threads
 *   4. x_pur = clip(x_low + sum_m d_m * y_m, 0, 1)
 * Large images are coded in tiles (tiling.ts) of at most `tileSize` px a side plus margins, so the
 * solver's memory is bounded by one tile whatever the image size: its float32 buffers hold about
 * (3 M + C M + M + M + C^2 + C) values per pixel (X, Y, U, dictionary, D^H S, spectrum, Gram,
 * signal spectra), ~34 M bytes per tile pixel: ~90 MB for M = 32, RGB and 288 x 288 coded tiles
 * (256-px cores). The image itself and its components (x, x_low, x_high, reconstruction, x_pur,
 * difference) stay in float64: ~150 bytes per image pixel for RGB (~120 MB at 1024 x 768).
 */
export interface PurificationOptions {
  readonly tikhonovLambda: number;
  readonly cscLambda: number;
  readonly tolerance: number;
  readonly maxIterations: number;
  readonly tileSize: number;
  /** per side; default 2 x atom size */
  readonly tileMargin?: number;
  /** investigator's choice of cluster id ('class:index'), overriding the nearest */
  readonly clusterOverride?: string;
  readonly threads: number;
}

export const DEFAULT_PURIFICATION_OPTIONS: PurificationOptions = Object.freeze({
  tikhonovLambda: 5,
  cscLambda: 0.1,
  tolerance: 1e-3,
  // SPORCO's MaxMainIter default is 1000. Textured tiles stop at RelStopTol 1e-3 in 70-110
  // iterations; a nearly flat tile (x_high rms ~0.005, far below lambda) has an almost all-zero
  // solution whose relative residuals stall near 2e-3 in float32 while rho grows: the cap bounds
  // that case, and the tile is reported as not converged
  maxIterations: 200,
  tileSize: 256,
  threads: availableParallelism(),
});

export interface TileReport {
  readonly top: number;
  readonly left: number;
  readonly height: number;
  readonly width: number;
  readonly iterations: number;
  readonly converged: boolean;
  readonly objective: number;
  readonly primalResidual: number;
  readonly dualResidual: number;
}

export interface PurificationResult {
  readonly cluster: { id: string; className: string; selectedBy: 'distance' | 'override' };
  readonly nearestCluster: { id: string; className: string };
  readonly distances: ClusterDistance[];
  readonly cbpdn: {
    readonly lambda: number;
    readonly tolerance: number;
    readonly maxIterations: number;
    /** largest iteration count over the tiles */
    readonly iterations: number;
    readonly converged: boolean;
    /** sum over tiles of 1/2 ||D y - x_high||^2 + lambda ||y||_1 on the final Y (margins included) */
    readonly objective: number;
    readonly tiles: TileReport[];
  };
  readonly timingsMs: { tikhonov: number; latent: number; selection: number; sparseCoding: number; total: number };
  readonly backend: { extractor: string; cbpdn: string };
  readonly purified: ImageArray<Float64Array>;
  readonly components: {
    readonly low: ImageArray<Float64Array>;
    readonly high: ImageArray<Float64Array>;
    readonly reconstructedHigh: ImageArray<Float64Array>;
    /** x_pur - x: what purification changed */
    readonly difference: ImageArray<Float64Array>;
  };
}

export interface PurifyRequest {
  readonly image: RasterImage;
  readonly bundle: ReferenceBundle;
  readonly extractor: LatentExtractor;
  readonly options?: Partial<PurificationOptions>;
  readonly engine?: CbpdnEngineFactory<Float32Array>;
  readonly progress?: ProgressReporter;
  readonly signal?: AbortSignal;
}

export async function purifyImage(request: PurifyRequest): Promise<PurificationResult> {
  const o = { ...DEFAULT_PURIFICATION_OPTIONS, ...request.options };
  const { image, bundle, extractor } = request;
  const progress = request.progress ?? silentProgress;
  const started = performance.now();
  checkCompatibility(bundle, extractor, image);

  const tikhonovStart = performance.now();
  const x: ImageArray<Float64Array> = { height: image.height, width: image.width, channels: image.channels, data: Float64Array.from(image.data) };
  const { low, high } = await tikhonovSplitFast(x, o.tikhonovLambda);
  const tikhonovMs = performance.now() - tikhonovStart;
  progress.report({ stage: 'tikhonov', fraction: 1 });
  throwIfCancelled(request.signal);

  const latentStart = performance.now();
  const [latent] = await extractor.extract([image]);
  const latentMs = performance.now() - latentStart;
  const selectionStart = performance.now();
  const selection = selectCluster(bundle, latent, o.clusterOverride);
  const selectionMs = performance.now() - selectionStart;
  progress.report({ stage: 'selection', fraction: 1, message: `cluster ${selection.selected.id}` });

  const codingStart = performance.now();
  const dictionary = selection.selected.dictionary;
  const margin = o.tileMargin ?? 2 * Math.max(dictionary.atomHeight, dictionary.atomWidth);
  const tiles = planTiles(image.height, image.width, o.tileSize, margin);
  const highPlanes = toPlanes(high);
  const reconstructedPlanes = new Float64Array(highPlanes.length);
  const pool = new TileEnginePool(request.engine ?? fastEngineFactory(o.threads));
  const dictionary32 = { ...dictionary, data: Float32Array.from(dictionary.data) };
  const codingProgress = progress.sub(0, 1, 'sparse coding');
  const reports: TileReport[] = [];
  try {
    for (const [t, tile] of tiles.entries()) {
      throwIfCancelled(request.signal);
      reports.push(await codeTile(tile, highPlanes, image, dictionary32, o, pool.factory, reconstructedPlanes, request.signal, (it) => {
        codingProgress.report({ stage: 'sparse coding', fraction: (t + Math.min(1, it / o.maxIterations)) / tiles.length, message: `tile ${t + 1}/${tiles.length}` });
      }));
      codingProgress.report({ stage: 'sparse coding', fraction: (t + 1) / tiles.length, message: `tile ${t + 1}/${tiles.length}` });
    }
  } finally {
    await pool.dispose();
  }
  const sparseCodingMs = performance.now() - codingStart;

  const reconstructedHigh = fromPlanes(reconstructedPlanes, image.height, image.width, image.channels);
  const purifiedData = new Float64Array(x.data.length);
  const differenceData = new Float64Array(x.data.length);
  for (let i = 0; i < purifiedData.length; i++) {
    purifiedData[i] = Math.min(1, Math.max(0, low.data[i] + reconstructedHigh.data[i]));
    differenceData[i] = purifiedData[i] - x.data[i];
  }
  const shape = { height: image.height, width: image.width, channels: image.channels };
  return {
    cluster: { id: selection.selected.id, className: selection.selected.className, selectedBy: selection.selectedBy },
    nearestCluster: { id: selection.nearest.id, className: selection.nearest.className },
    distances: selection.distances,
    cbpdn: {
      lambda: o.cscLambda, tolerance: o.tolerance, maxIterations: o.maxIterations,
      iterations: Math.max(...reports.map((r) => r.iterations)),
      converged: reports.every((r) => r.converged),
      objective: reports.reduce((sum, r) => sum + r.objective, 0),
      tiles: reports,
    },
    timingsMs: { tikhonov: tikhonovMs, latent: latentMs, selection: selectionMs, sparseCoding: sparseCodingMs, total: performance.now() - started },
    backend: {
      extractor: extractor.identity.backend,
      cbpdn: request.engine ? 'caller-supplied engine (float32)' : o.threads > 1 ? `float32, ${o.threads} worker threads` : 'float32, main thread',
    },
    purified: { ...shape, data: purifiedData },
    components: { low, high, reconstructedHigh, difference: { ...shape, data: differenceData } },
  };
}

async function codeTile(
  tile: Tile, highPlanes: Float64Array, image: RasterImage, dictionary: { atomHeight: number; atomWidth: number; channels: number; atoms: number; data: Float32Array },
  o: PurificationOptions, engine: CbpdnEngineFactory<Float32Array>, target: Float64Array, signal: AbortSignal | undefined,
  onIteration: (iteration: number) => void,
): Promise<TileReport> {
  const { height: H, width: W, channels: C } = image;
  const planes = extractTilePlanes(highPlanes, H, W, C, tile);
  const solver = await ConvBpdn.create({
    dictionary,
    signal: { height: tile.paddedHeight, width: tile.paddedWidth, channels: C, images: 1, planes },
    lambda: o.cscLambda,
    // the per-iteration objective costs ~20 % of an iteration; it is computed once, at the end
    options: { relativeTolerance: o.tolerance, maxIterations: o.maxIterations, skipObjective: true },
    engine,
  });
  try {
    let count = 0;
    const run = await solver.solve({ signal, onIteration: () => { if (++count % 10 === 0) onIteration(count); } });
    const reconstruction = await solver.reconstruct('Y');
    placeTileCore(reconstruction, tile, C, target, H, W);
    const last = run.stats[run.stats.length - 1];
    return {
      top: tile.top, left: tile.left, height: tile.height, width: tile.width,
      iterations: run.iterations, converged: run.converged,
      objective: cbpdnObjective(reconstruction, planes, solver.variable('Y'), o.cscLambda),
      primalResidual: last.primalResidual, dualResidual: last.dualResidual,
    };
  } finally {
    await solver.dispose();
  }
}

/** 1/2 ||D y - s||^2 + lambda ||y||_1, on Y as SPORCO's ObjFun with AuxVarObj. */
function cbpdnObjective(reconstruction: ArrayLike<number>, signal: ArrayLike<number>, y: ArrayLike<number>, lambda: number): number {
  let fidelity = 0;
  for (let i = 0; i < signal.length; i++) fidelity += (reconstruction[i] - signal[i]) ** 2;
  let l1 = 0;
  for (let i = 0; i < y.length; i++) l1 += Math.abs(y[i]);
  return fidelity / 2 + lambda * l1;
}

function checkCompatibility(bundle: ReferenceBundle, extractor: LatentExtractor, image: RasterImage): void {
  const expected = bundle.manifest.extractor;
  if (expected.id !== extractor.identity.id || expected.weightSha256 !== extractor.identity.weightSha256) {
    throw new UserInputError(`bundle ${bundle.path} was trained with extractor ${expected.id} (weights ${expected.weightSha256.slice(0, 12)}...), not ${extractor.identity.id} (weights ${extractor.identity.weightSha256.slice(0, 12)}...)`);
  }
  if (image.channels !== bundle.manifest.channels) {
    throw new UserInputError(`the image has ${image.channels} channel(s) but bundle ${bundle.path} has ${bundle.manifest.channels}-channel dictionaries; read it as ${bundle.manifest.channels === 3 ? 'RGB' : 'greyscale'}`);
  }
  const dictionaryAtom = bundle.clusters[0]?.dictionary.atomHeight ?? 0;
  if (image.height < dictionaryAtom || image.width < dictionaryAtom) {
    throw new UserInputError(`the image (${image.height}x${image.width}) is smaller than the dictionary's atoms (${dictionaryAtom} px)`);
  }
}
