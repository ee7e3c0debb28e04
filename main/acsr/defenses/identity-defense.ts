import type { ImageArray } from '../array/image-array.ts';
import type { Defense } from './defense.ts';
import { timedDefense } from './defense-image.ts';

/** `none`: the image as it came, copied (so that no caller can alias and alter the input). */
export function createIdentityDefense(): Defense {
  return {
    name: 'none',
    description: 'no defense (identity)',
    randomized: false,
    purify: (image: ImageArray) =>
      timedDefense(image, 'none', () => ({
        image: { height: image.height, width: image.width, channels: image.channels, data: Float64Array.from(image.data) },
      })),
    dispose: async () => {},
  };
}
