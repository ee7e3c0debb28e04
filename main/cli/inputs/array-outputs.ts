/** Writing an H x W x C result as .npy (exact) or as a PNG (for looking at), chosen by extension. */
import { writePng } from '../../io/image.ts';
import { createNdArray } from '../../io/ndarray.ts';
import { writeNpy } from '../../io/npy.ts';
import { UserInputError } from '../../errors/user-input-error.ts';

export interface ChannelsLastArray {
  height: number;
  width: number;
  channels: number;
  data: Float64Array | Float32Array;
}

const PNG_EXTENSION = /\.png$/i;
const NPY_EXTENSION = /\.npy$/i;

export function assertOutputPath(path: string, flag: string): void {
  if (!PNG_EXTENSION.test(path) && !NPY_EXTENSION.test(path)) {
    throw new UserInputError(`--${flag} ${path}: the output must end in .npy (exact values) or .png (8-bit picture)`);
  }
}

/**
 * `offset` is added before a PNG is written: a high-frequency part lives around 0, so it is shown
 * around mid-grey (0.5) rather than clipped to black. The .npy output is never shifted.
 */
export async function writeArrayOrPng(path: string, array: ChannelsLastArray, options: { offset?: number } = {}): Promise<void> {
  const { height, width, channels, data } = array;
  if (NPY_EXTENSION.test(path)) {
    await writeNpy(path, createNdArray(channels === 1 ? [height, width] : [height, width, channels], data));
    return;
  }
  if (channels !== 1 && channels !== 3) throw new UserInputError(`${path}: a PNG holds 1 or 3 channels, this array has ${channels}; write .npy instead`);
  const offset = options.offset ?? 0;
  const shown = offset === 0 ? data : data.map((value) => value + offset);
  await writePng(path, { height, width, channels, data: shown });
}
