import type { ImageArray } from '../array/image-array.ts';
import { seededRandom } from '../random/seeded-random.ts';
import type { Defense, DefenseContext } from './defense.ts';
import { timedDefense } from './defense-image.ts';
import { DEFAULT_MASKED_TV_OPTIONS, type MaskedTvOptions, minimiseMaskedTotalVariation } from './masked-total-variation.ts';

/**
 * `tvm`: total-variation minimisation (Guo et al. 2018): drop a random subset of the values,
 * then rebuild the image as the one of least total variation consistent with the values kept
 * (masked-total-variation.ts). method.md: l2 data term, lambda 0.5, Bernoulli mask p = 0.3.
 *
 * p is the DROP probability: every value (pixel i, j and channel k independently) is dropped with
 * probability p = 0.3 and kept with probability 0.7. This follows Guo et al.'s reference code
 * (facebookresearch/adversarial_image_defenses, transformations/tvm.py: `drop_rate` is the
 * salt-and-pepper amount applied to each value independently, w = 1 where the value survived,
 * exposed as --pixel_drop_rate); the paper's "we maintain a pixel when X(i,j,k) = 1" describes
 * the same Bernoulli draw per value. The mask is drawn from `context.seed` (0 when absent), so a
 * seed reproduces a purification and different seeds are the independent draws EOT averages over.
 */
export interface TvmOptions extends MaskedTvOptions {
  /** probability that a value is dropped */
  readonly dropProbability: number;
}

export const DEFAULT_TVM_OPTIONS: TvmOptions = Object.freeze({ ...DEFAULT_MASKED_TV_OPTIONS, dropProbability: 0.3 });

/** 1 = kept, 0 = dropped, one entry per value (H x W x C), independent Bernoulli draws. */
export function bernoulliKeepMask(length: number, dropProbability: number, seed: number): Uint8Array {
  const random = seededRandom(seed);
  const keep = new Uint8Array(length);
  for (let i = 0; i < length; i++) keep[i] = random() < dropProbability ? 0 : 1;
  return keep;
}

export function totalVariationMinimisation(image: ImageArray, seed: number, options: Partial<TvmOptions> = {}) {
  const o = { ...DEFAULT_TVM_OPTIONS, ...options };
  return minimiseMaskedTotalVariation(image, bernoulliKeepMask(image.data.length, o.dropProbability, seed), o);
}

export function createTvmDefense(options: Partial<TvmOptions> = {}): Defense {
  const o = { ...DEFAULT_TVM_OPTIONS, ...options };
  if (!(o.dropProbability >= 0 && o.dropProbability < 1)) throw new RangeError(`TVM drop probability must be in [0, 1), got ${o.dropProbability}`);
  return {
    name: 'tvm',
    description:
      `total-variation minimisation (Guo et al. 2018): each value dropped with p = ${o.dropProbability}, ` +
      `min 1/2||m(z - x)||^2 + ${o.lambda} TV(z), isotropic TV per channel, Chambolle-Pock to RMS residual ${o.tolerance}`,
    randomized: true,
    purify: (image: ImageArray, context?: DefenseContext) =>
      timedDefense(image, 'tvm', () => {
        context?.signal?.throwIfAborted();
        return { image: totalVariationMinimisation(image, context?.seed ?? 0, o).image };
      }),
    dispose: async () => {},
  };
}
