/**
 * Decoding a file for PDQ: main/io/image.ts (EXIF orientation applied, ICC ignored, alpha
 * dropped), kept as the 8-bit samples the hash is computed from rather than going through
 * [0, 1] floats and back, plus the one decoder detail of the Python reference that survives into
 * the pixels: PIL reads 16-bit PNG samples as their high byte.
 */
import { readImageSamples, type DecodedSamples } from '../io/image.ts';
import type { BytePlane } from './pil-thumbnail.ts';

export async function readBytePlaneForPdq(path: string): Promise<BytePlane> {
  return bytePlaneForPdq(await readImageSamples(path));
}

/**
 * The samples PDQ hashes: RGB, or grey as a single channel. Grey is not replicated to RGB: the
 * thumbnail treats every channel alike and the luma of r = g = b is computed from the same
 * weights, so the hash is the one the Python reference gives after its convert('RGB'), for a
 * third of the work. 8-bit samples without alpha are used in place.
 */
export function bytePlaneForPdq(decoded: DecodedSamples, options: { overwriteSamples?: boolean } = {}): BytePlane {
  const { width: cols, height: rows, bands, sourceChannels: channels, samples } = decoded;
  if (samples instanceof Uint8Array && bands === channels) return { rows, cols, channels, data: samples };
  const highByteShift = samples instanceof Uint16Array ? 8 : 0;
  // With overwriteSamples the plane is packed into the front of the samples' own memory (a caller
  // that is done with them saves a third more memory on a big image). Safe in place: output byte
  // o = pixel * channels + c is written just after reading the sample at byte offset
  // (pixel * bands + c) * bytesPerSample >= o, so nothing is overwritten before it is read.
  const data = options.overwriteSamples ? new Uint8Array(samples.buffer, samples.byteOffset, rows * cols * channels) : new Uint8Array(rows * cols * channels);
  for (let at = 0, o = 0; o < data.length; at += bands) {
    for (let c = 0; c < channels; c++) data[o++] = samples[at + c] >> highByteShift;
  }
  return { rows, cols, channels, data };
}
