import { UserInputError } from '../../errors/user-input-error.ts';
import type { ImageArray } from '../array/image-array.ts';
import type { DefenseOutput } from './defense.ts';

/**
 * What every defense checks on the way in and does on the way out: the image is H x W x C with
 * values that are numbers (an attack's NaN must fail loudly, not turn black), and the output is a
 * fresh float64 image in [0, 1] of the same size, with the time the defense took.
 */
export function checkDefenseInput(image: ImageArray, defense: string): void {
  const { height, width, channels, data } = image;
  if (![height, width].every((n) => Number.isInteger(n) && n > 0) || (channels !== 1 && channels !== 3)) {
    throw new UserInputError(`${defense}: the image must be H x W x 1 or 3 with H, W >= 1, got ${height}x${width}x${channels}`);
  }
  if (data.length !== height * width * channels) {
    throw new UserInputError(`${defense}: the image has ${data.length} values, ${height}x${width}x${channels} needs ${height * width * channels}`);
  }
  for (let i = 0; i < data.length; i++) {
    if (!Number.isFinite(data[i])) throw new UserInputError(`${defense}: pixel value at flat index ${i} is ${data[i]}`);
  }
}

export function clipToUnit(value: number): number {
  return value < 0 ? 0 : value > 1 ? 1 : value;
}

/** Runs `purify` on a checked image and stamps its output with the seconds it took. */
export async function timedDefense(
  image: ImageArray,
  defense: string,
  purify: () => Promise<{ image: ImageArray; clusterId?: string }> | { image: ImageArray; clusterId?: string },
): Promise<DefenseOutput> {
  const started = performance.now();
  checkDefenseInput(image, defense);
  const result = await purify();
  const seconds = (performance.now() - started) / 1000;
  return result.clusterId === undefined ? { image: result.image, seconds } : { image: result.image, clusterId: result.clusterId, seconds };
}
