import type { ImageArray } from '../array/image-array.ts';
import type { Defense } from './defense.ts';
import { clipToUnit, timedDefense } from './defense-image.ts';

/**
 * `bits4`: bit-depth reduction, the first squeezer of feature squeezing (Xu et al. 2018):
 * x -> round(x (2^b - 1)) / (2^b - 1), so b = 4 bits leaves 16 levels per channel.
 */
export function reduceBitDepth(image: ImageArray, bits: number): ImageArray {
  const levels = 2 ** bits - 1;
  const data = new Float64Array(image.data.length);
  for (let i = 0; i < data.length; i++) data[i] = Math.round(clipToUnit(image.data[i]) * levels) / levels;
  return { height: image.height, width: image.width, channels: image.channels, data };
}

export function createBitDepthDefense(bits: number): Defense {
  if (!Number.isInteger(bits) || bits < 1 || bits > 16) throw new RangeError(`bit depth must be an integer in 1..16, got ${bits}`);
  const name = `bits${bits}`;
  return {
    name,
    description: `bit-depth reduction to ${bits} bits (feature squeezing: round(x * ${2 ** bits - 1}) / ${2 ** bits - 1})`,
    randomized: false,
    purify: (image) => timedDefense(image, name, () => ({ image: reduceBitDepth(image, bits) })),
    dispose: async () => {},
  };
}
