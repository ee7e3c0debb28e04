import type { ImageArray } from '../array/image-array.ts';

/**
 * The parts of one purification (method.md's x_low, x_high, sum_m d_m * y_m and x_pur - x), for
 * those who save or show them. Only x_low and the reconstruction are held, in float32 (the
 * precision both are computed in): x_high = x - x_low and the difference x_pur - x are formed on
 * each call, from the image and x_pur the result already holds. A 24-megapixel RGB photo's part is
 * 288 MB: a writer asks for one part at a time and lets it go before the next.
 */
export interface PurificationComponents {
  readonly low: ImageArray<Float32Array>;
  readonly reconstructedHigh: ImageArray<Float32Array>;
  /** x_high = x - x_low, a new array on each call */
  high(): ImageArray<Float32Array>;
  /** x_pur - x: what purification changed, a new array on each call */
  difference(): ImageArray<Float32Array>;
}

export type PurificationComponentName = 'low' | 'high' | 'reconstructedHigh' | 'difference';

export function purificationComponents(
  image: ImageArray,
  low: ImageArray<Float32Array>,
  reconstructedHigh: ImageArray<Float32Array>,
  purified: ImageArray<Float32Array>,
): PurificationComponents {
  return {
    low,
    reconstructedHigh,
    high: () => subtracted(image, low),
    difference: () => subtracted(purified, image),
  };
}

/** The named part: the held array for low and reconstructedHigh, a new one for high and difference. */
export function componentImage(components: PurificationComponents, name: PurificationComponentName): ImageArray<Float32Array> {
  if (name === 'high') return components.high();
  if (name === 'difference') return components.difference();
  return components[name];
}

function subtracted(a: ImageArray, b: ImageArray): ImageArray<Float32Array> {
  const data = new Float32Array(a.data.length);
  for (let i = 0; i < data.length; i++) data[i] = a.data[i] - b.data[i];
  return { height: a.height, width: a.width, channels: a.channels, data };
}

/** The parts of a purification asked to keep them (its default); a programming error otherwise. */
export function keptComponents(components: PurificationComponents | null): PurificationComponents {
  if (!components) throw new Error('the purification was run without keeping its parts (keepComponents: false)');
  return components;
}
