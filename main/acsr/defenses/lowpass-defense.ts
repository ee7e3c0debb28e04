import type { ImageArray } from '../array/image-array.ts';
import { tikhonovLowPassFast } from '../signal/tikhonov-fast.ts';
import type { Defense } from './defense.ts';
import { clipToUnit, timedDefense } from './defense-image.ts';

/**
 * `lowpass`: ACSR's Tikhonov low-pass x_low alone, the high part thrown away instead of rebuilt
 * from a dictionary (method.md's baseline "the Tikhonov low-pass alone"). The same split
 * purification runs (tikhonovLowPassFast, symmetric padding 16), so the difference between this and
 * single-dict is exactly what sparse coding the high part adds back. The filter's kernel is
 * non-negative with unit sum, so x_low stays in [0, 1]; clipping only removes float32 rounding.
 */
export async function tikhonovLowPass(image: ImageArray, lambda: number): Promise<ImageArray> {
  const low = await tikhonovLowPassFast(image, lambda);
  return { height: image.height, width: image.width, channels: image.channels, data: Float64Array.from(low.data, clipToUnit) };
}

export function createLowPassDefense(tikhonovLambda: number): Defense {
  return {
    name: 'lowpass',
    description: `Tikhonov low-pass alone (lambda ${tikhonovLambda}, the purification's split, high part dropped)`,
    randomized: false,
    purify: (image) => timedDefense(image, 'lowpass', async () => ({ image: await tikhonovLowPass(image, tikhonovLambda) })),
    dispose: async () => {},
  };
}
