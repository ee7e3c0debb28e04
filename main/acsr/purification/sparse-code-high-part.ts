import type { ProgressReporter } from '../../progress/progress.ts';
import { throwIfCancelled } from '../../progress/progress.ts';
import type { ImageArray } from '../array/image-array.ts';
import type { CbpdnEngineFactory } from '../signal/cbpdn.ts';
import type { ConvDictionary } from '../signal/conv-dictionary.ts';
import { type EngineLane, PurificationEngines, engineLane } from './purification-engines.ts';
import type { PurificationOptions } from './purification-options.ts';
import { PurifiedOverLow } from './purified-over-low.ts';
import { extractTilePlanes, placeTileCore, placeTilePurified, planTiles } from './tiling.ts';

/**
 * Stage iii, step 3: y = CBPDN(D, x_high) and its reconstruction sum_m d_m * y_m, SPORCO's
 * ConvBPDN (AutoRho, relaxation 1.8) with RelStopTol `tolerance`, float32 engine on worker
 * threads. Large images are coded in tiles (tiling.ts) of at most `tileSize` px a side plus
 * margins, so the solver's memory is bounded by one tile per lane whatever the image size (the
 * lanes code tiles at once, as purification-engines.ts spreads the workers): its float32
 * buffers hold about (3 M + C M + M + M + C^2 + C) values per pixel (X, Y, U, dictionary, D^H S,
 * spectrum, Gram, signal spectra), ~34 M bytes per tile pixel: ~90 MB for M = 32, RGB and
 * 288 x 288 coded tiles (256-px cores). x_high = x - x_low is formed tile by tile from the image
 * and its low part, and x_pur = clip(x_low + reconstruction, 0, 1) is placed tile by tile too:
 * over x_low itself when the parts are not kept (purified-over-low.ts), else beside it and the
 * whole reconstruction (float32, the precision the solver gives it). So the whole-image arrays are
 * the caller's x and one more, or three more with the parts.
 */
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

export interface CbpdnReport {
  readonly lambda: number;
  readonly tolerance: number;
  readonly maxIterations: number;
  /** largest iteration count over the tiles */
  readonly iterations: number;
  readonly converged: boolean;
  /** sum over tiles of 1/2 ||D y - x_high||^2 + lambda ||y||_1 on the final Y (margins included) */
  readonly objective: number;
  readonly tiles: TileReport[];
}

export interface HighPartCoding {
  /** x_pur = clip(x_low + sum_m d_m * y_m, 0, 1) */
  readonly purified: ImageArray<Float32Array>;
  /** sum_m d_m * y_m, when kept */
  readonly reconstructedHigh: ImageArray<Float32Array> | null;
  readonly cbpdn: CbpdnReport;
  /** which engine ran, for the record */
  readonly backend: string;
}

export interface SparseCodeHighPartRequest {
  /** x: the image, interleaved samples */
  readonly image: ImageArray;
  /** x_low of its Tikhonov split: the coded signal is x_high = x - x_low */
  readonly low: ImageArray<Float32Array>;
  /**
   * keep x_low and the whole reconstruction besides x_pur (parts to save or show); without,
   * x_pur is written over x_low, which the caller must then let go
   */
  readonly keepReconstruction: boolean;
  readonly dictionary: ConvDictionary<Float64Array>;
  readonly options: PurificationOptions;
  /** the session's engines (workers kept from image to image), or */
  readonly engines?: PurificationEngines;
  /** a caller's own engine factory, tiles one after another */
  readonly engine?: CbpdnEngineFactory<Float32Array>;
  readonly progress: ProgressReporter;
  readonly signal?: AbortSignal;
}

export async function sparseCodeHighPart(request: SparseCodeHighPartRequest): Promise<HighPartCoding> {
  const { image, low, dictionary, options: o, signal } = request;
  const { height: H, width: W, channels: C } = image;
  const margin = o.tileMargin ?? 2 * Math.max(dictionary.atomHeight, dictionary.atomWidth);
  const tiles = planTiles(H, W, o.tileSize, margin);
  const keep = request.keepReconstruction;
  const purified = keep ? new Float32Array(image.data.length) : low.data;
  const reconstructed = keep ? new Float32Array(image.data.length) : null;
  const overLow = keep ? null : new PurifiedOverLow(tiles, low.data, H, W, C);
  // the tiles' cores are disjoint regions of x_pur and the reconstruction
  const place = (reconstruction: Float32Array, t: number) => {
    if (overLow) overLow.place(reconstruction, t);
    else {
      placeTilePurified(reconstruction, tiles[t], C, low.data, purified, W);
      placeTileCore(reconstruction, tiles[t], C, reconstructed!, H, W);
    }
  };
  // without a caller's engines, this image's own (its workers start and stop with it)
  const ownEngines = request.engine || request.engines ? undefined : new PurificationEngines({ threads: o.threads });
  const engines = request.engines ?? ownEngines;
  const schedule = engines && !request.engine ? engines.schedule(tiles.length) : { lanes: 1, threadsPerTile: 1 };
  const lanes =
    engines && !request.engine ? Array.from({ length: schedule.lanes }, () => engines.lane(schedule.threadsPerTile)) : [engineLane(request.engine!)];
  const dictionary32 = { ...dictionary, data: Float32Array.from(dictionary.data) };
  const progress = request.progress.sub(0, 1, 'sparse coding');
  const tileFractions = new Float64Array(tiles.length);
  let tilesDone = 0;
  const report = () =>
    progress.report({
      stage: 'sparse coding',
      fraction: tileFractions.reduce((sum, f) => sum + f, 0) / tiles.length,
      message: `${tilesDone} of ${tiles.length} tiles`,
    });
  const reports: TileReport[] = new Array(tiles.length);
  const next = tiles.entries();
  let failure: { error: unknown } | undefined;
  try {
    // each lane takes the next tile until none is left
    await Promise.all(
      lanes.map(async (lane) => {
        for (let item = next.next(); !item.done && !failure; item = next.next()) {
          const [t, tile] = item.value;
          try {
            throwIfCancelled(signal);
            // read at once, as the tile is taken: tiles read their planes in index order (purified-over-low.ts)
            const planes = extractTilePlanes(image.data, H, W, C, tile, low.data);
            overLow?.started(t);
            const coding = await lane.code(
              {
                planes,
                height: tile.paddedHeight,
                width: tile.paddedWidth,
                channels: C,
                dictionary: dictionary32,
                lambda: o.cscLambda,
                tolerance: o.tolerance,
                maxIterations: o.maxIterations,
              },
              signal,
              (it) => {
                tileFractions[t] = Math.min(1, it / o.maxIterations);
                report();
              },
            );
            place(coding.reconstruction, t);
            reports[t] = {
              top: tile.top,
              left: tile.left,
              height: tile.height,
              width: tile.width,
              iterations: coding.iterations,
              converged: coding.converged,
              objective: coding.objective,
              primalResidual: coding.primalResidual,
              dualResidual: coding.dualResidual,
            };
            tileFractions[t] = 1;
            tilesDone++;
            report();
          } catch (error) {
            failure ??= { error };
          }
        }
        // no tile left for this lane: its worker goes back to the pool now, not when the last lane ends
        await lane.dispose();
      }),
    );
  } finally {
    await Promise.all(lanes.map((lane) => lane.dispose()));
    await ownEngines?.dispose();
  }
  if (failure) throw failure.error;
  if (overLow && !overLow.complete) throw new Error('a tile of x_pur was never written');
  return {
    purified: { height: H, width: W, channels: C, data: purified },
    reconstructedHigh: reconstructed ? { height: H, width: W, channels: C, data: reconstructed } : null,
    cbpdn: {
      lambda: o.cscLambda,
      tolerance: o.tolerance,
      maxIterations: o.maxIterations,
      iterations: Math.max(...reports.map((r) => r.iterations)),
      converged: reports.every((r) => r.converged),
      objective: reports.reduce((sum, r) => sum + r.objective, 0),
      tiles: reports,
    },
    backend: backendOf(lanes, request.engine !== undefined),
  };
}

/** What ran, for the record: e.g. 'float32, 1 worker thread, WASM SIMD kernels per tile, 2 tiles at a time'. */
function backendOf(lanes: readonly EngineLane[], callerSupplied: boolean): string {
  const descriptions = [...new Set(lanes.map((lane) => lane.description()).filter((d): d is string => d !== undefined))];
  const engine = descriptions.join('; ') || 'engine without a description';
  if (callerSupplied) return `float32, caller-supplied engine (${engine})`;
  const used = lanes.filter((lane) => lane.description() !== undefined).length;
  return used > 1 ? `float32, ${engine} per tile, ${used} tiles at a time` : `float32, ${engine}`;
}
