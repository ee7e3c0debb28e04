import type { ImageArray } from '../array/image-array.ts';
import type { LatentExtractor } from '../models/latent-extractor.ts';
import type { PurificationOptions } from '../purification/purification-options.ts';
import { purifyImage } from '../purification/purify-image.ts';
import { TileEnginePool } from '../signal/tile-engine-pool.ts';
import type { ReferenceBundle } from '../references/bundle-reader.ts';
import { fastEngineFactory } from '../signal/parallel/parallel-cbpdn-engine.ts';
import type { Defense, DefenseContext } from './defense.ts';
import { timedDefense } from './defense-image.ts';

/**
 * `acsr`: stage iii as the product runs it (purifyImage): the latent R(x), the nearest cluster by
 * Mahalanobis distance, CBPDN of x_high with that cluster's dictionary. The chosen cluster is
 * returned, so that evaluation can measure whether an attack moves an image to another cluster.
 * The CBPDN engine (its worker threads, ~1 s to start) is kept from one image to the next while
 * the tile shape stays the same, and released by dispose(); with `ownsExtractor` (when the factory
 * loaded the extractor itself) dispose() releases the extractor too.
 */
export function createAcsrDefense(bundle: ReferenceBundle, extractor: LatentExtractor, purification: PurificationOptions, ownsExtractor: boolean): Defense {
  const engines = new TileEnginePool(fastEngineFactory(purification.threads));
  return {
    name: 'acsr',
    description:
      `ACSR: nearest of ${bundle.clusters.length} clusters (${extractor.identity.id} latents, Mahalanobis), ` +
      `its dictionary for CBPDN of the high part; Tikhonov lambda ${purification.tikhonovLambda}, CBPDN lambda ${purification.cscLambda}`,
    randomized: false,
    purify: (image: ImageArray, context?: DefenseContext) =>
      timedDefense(image, 'acsr', async () => {
        const result = await purifyImage({
          image,
          bundle,
          extractor,
          options: purification,
          keepComponents: false,
          engine: engines.factory,
          signal: context?.signal,
        });
        return { image: { ...result.purified, channels: image.channels }, clusterId: result.cluster.id };
      }),
    dispose: async () => {
      await engines.dispose();
      if (ownsExtractor) extractor.dispose();
    },
  };
}
