import type { ImageArray } from '../array/image-array.ts';
import { type PurificationOptions } from '../purification/purification-options.ts';
import { purifyWithDictionary } from '../purification/purify-with-dictionary.ts';
import { TileEnginePool } from '../signal/tile-engine-pool.ts';
import { fastEngineFactory } from '../signal/parallel/parallel-cbpdn-engine.ts';
import type { ConvDictionary } from '../signal/conv-dictionary.ts';
import type { Defense, DefenseContext } from './defense.ts';
import { timedDefense } from './defense-image.ts';

/**
 * `single-dict`: ACSR's signal path (Tikhonov split, CBPDN of x_high, x_low added back, clip:
 * purifyWithDictionary, the function purifyImage itself runs) with one dictionary for every image
 * instead of the selected cluster's. Against `acsr` it isolates what the semantic selection adds.
 * The CBPDN engine (its worker threads, ~1 s to start) is kept from one image to the next while
 * the tile shape stays the same, and released by dispose().
 */
export function createSingleDictionaryDefense(dictionary: ConvDictionary<Float64Array>, purification: PurificationOptions): Defense {
  const engines = new TileEnginePool(fastEngineFactory(purification.threads));
  return {
    name: 'single-dict',
    description:
      `CBPDN with one dictionary for all images (${dictionary.atoms} atoms ${dictionary.atomHeight}x${dictionary.atomWidth}x${dictionary.channels}), ` +
      `Tikhonov lambda ${purification.tikhonovLambda}, CBPDN lambda ${purification.cscLambda}, no semantic selection`,
    randomized: false,
    purify: (image: ImageArray, context?: DefenseContext) =>
      timedDefense(image, 'single-dict', async () => {
        const result = await purifyWithDictionary({
          image,
          dictionary,
          options: purification,
          keepComponents: false,
          engine: engines.factory,
          signal: context?.signal,
        });
        return { image: { ...result.purified, channels: image.channels } };
      }),
    dispose: () => engines.dispose(),
  };
}
