/**
 * The evasion signals of a set of images as the product computes them: each image purified by
 * purifyImage with the bundle (which also gives its nearest cluster and Mahalanobis distance),
 * then computeSignals. Used by the calibration (validation images) and the measurement (test
 * images) alike, so both see exactly the signals `acsr purify` reports.
 */
import { throwIfCancelled } from '../../progress/progress.ts';
import type { ImageArray } from '../array/image-array.ts';
import type { ImageClassifier, LatentExtractor } from '../models/model-contracts.ts';
import type { PurificationOptions } from '../purification/purification-options.ts';
import { type PurificationResult, purifyImage } from '../purification/purify-image.ts';
import { TileEnginePool } from '../signal/tile-engine-pool.ts';
import type { ReferenceBundle } from '../references/bundle-reader.ts';
import { fastEngineFactory } from '../signal/parallel/parallel-cbpdn-engine.ts';
import { type ClusterDistanceNorm, type EvasionSignals, computeSignals } from './evasion-signals.ts';

export interface SignalPipeline {
  readonly bundle: ReferenceBundle;
  readonly extractor: LatentExtractor;
  readonly classifier: Pick<ImageClassifier, 'scores'>;
  readonly purification: PurificationOptions;
  readonly clusterDistances: Readonly<Record<string, ClusterDistanceNorm>>;
  readonly jpegQuality: number;
}

/** The nearest cluster (never an override) and its distance, from a purification's record. */
export function nearestOf(result: Pick<PurificationResult, 'nearestCluster' | 'distances'>): { clusterId: string; distance: number } {
  const entry = result.distances.find((d) => d.id === result.nearestCluster.id);
  if (!entry) throw new RangeError(`the purification record has no distance for its nearest cluster ${result.nearestCluster.id}`);
  return { clusterId: entry.id, distance: entry.distance };
}

export async function imageSignals(
  pipeline: SignalPipeline,
  images: readonly ImageArray[],
  options: { signal?: AbortSignal; onImage?: () => void } = {},
): Promise<EvasionSignals[]> {
  const engines = new TileEnginePool(fastEngineFactory(pipeline.purification.threads));
  try {
    const purified: ImageArray[] = [];
    const nearest: { clusterId: string; distance: number }[] = [];
    for (const image of images) {
      throwIfCancelled(options.signal);
      const result = await purifyImage({
        image,
        keepComponents: false,
        bundle: pipeline.bundle,
        extractor: pipeline.extractor,
        options: { ...pipeline.purification, clusterOverride: undefined },
        engine: engines.factory,
        signal: options.signal,
      });
      purified.push({ ...result.purified, channels: image.channels });
      nearest.push(nearestOf(result));
      options.onImage?.();
    }
    return await computeSignals({
      classifier: pipeline.classifier,
      images,
      purified,
      nearest,
      clusterDistances: pipeline.clusterDistances,
      jpegQuality: pipeline.jpegQuality,
    });
  } finally {
    await engines.dispose();
  }
}
