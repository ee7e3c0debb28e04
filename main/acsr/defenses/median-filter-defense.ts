import type { ImageArray } from '../array/image-array.ts';
import type { Defense } from './defense.ts';
import { timedDefense } from './defense-image.ts';

/**
 * `median3`: the 3 x 3 median filter, feature squeezing's local smoother (Xu et al. 2018), per
 * channel, the border replicated (the edge pixel stands in for the missing neighbours, as
 * scipy.ndimage.median_filter's mode 'nearest').
 */
export function medianFilter3x3(image: ImageArray): ImageArray {
  const { height: H, width: W, channels: C, data } = image;
  const out = new Float64Array(data.length);
  const window = new Float64Array(9);
  const clampRow = (y: number) => (y < 0 ? 0 : y >= H ? H - 1 : y);
  const clampColumn = (x: number) => (x < 0 ? 0 : x >= W ? W - 1 : x);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      for (let c = 0; c < C; c++) {
        let k = 0;
        for (let dy = -1; dy <= 1; dy++) {
          const row = clampRow(y + dy) * W;
          for (let dx = -1; dx <= 1; dx++) window[k++] = data[(row + clampColumn(x + dx)) * C + c];
        }
        out[(y * W + x) * C + c] = medianOfNine(window);
      }
    }
  }
  return { height: H, width: W, channels: C, data: out };
}

/** Insertion sort of the 9 values in place, then the middle one. */
function medianOfNine(values: Float64Array): number {
  for (let i = 1; i < 9; i++) {
    const v = values[i];
    let j = i - 1;
    while (j >= 0 && values[j] > v) {
      values[j + 1] = values[j];
      j--;
    }
    values[j + 1] = v;
  }
  return values[4];
}

export function createMedianFilterDefense(): Defense {
  return {
    name: 'median3',
    description: 'median filter 3x3 per channel, border replicated (feature squeezing)',
    randomized: false,
    purify: (image) => timedDefense(image, 'median3', () => ({ image: medianFilter3x3(image) })),
    dispose: async () => {},
  };
}
