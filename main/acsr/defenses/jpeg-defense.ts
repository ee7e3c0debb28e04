import sharp from 'sharp';
import { decodeImage } from '../../io/image.ts';
import type { ImageArray } from '../array/image-array.ts';
import type { Defense } from './defense.ts';
import { timedDefense } from './defense-image.ts';

/**
 * `jpeg75`, `jpeg50`: JPEG compression as a defense (Dziugaite et al. 2016; Guo et al. 2018).
 * The image is quantised to 8 bits (round(255 x), as a PNG would store it: this quantisation is
 * part of the defense), encoded by libvips/libjpeg through sharp at the given quality with sharp's
 * defaults (4:2:0 chroma subsampling for RGB, no mozjpeg tricks), and decoded back to [0, 1].
 * Greyscale stays one-channel JPEG.
 */
export async function jpegRoundTrip(image: ImageArray, quality: number): Promise<ImageArray> {
  const { height, width, channels, data } = image;
  if (channels !== 1 && channels !== 3) throw new RangeError(`JPEG compression takes 1 or 3 channels, not ${channels}`);
  const samples = new Uint8Array(data.length);
  for (let i = 0; i < data.length; i++) samples[i] = Math.round(Math.min(1, Math.max(0, data[i])) * 255);
  // without an explicit colour space libvips would treat one raw band as RGB
  const jpeg = await sharp(samples, { raw: { width, height, channels } })
    .toColourspace(channels === 1 ? 'b-w' : 'srgb')
    .jpeg({ quality })
    .toBuffer();
  const decoded = await decodeImage(jpeg, { channels: channels === 1 ? 'gray' : 'rgb', source: `JPEG (quality ${quality})` });
  return { height, width, channels, data: decoded.data };
}

export function createJpegDefense(quality: number): Defense {
  if (!Number.isInteger(quality) || quality < 1 || quality > 100) throw new RangeError(`JPEG quality must be an integer in 1..100, got ${quality}`);
  const name = `jpeg${quality}`;
  return {
    name,
    description: `JPEG compression, quality ${quality} (8-bit, libjpeg via sharp, 4:2:0 chroma for RGB)`,
    randomized: false,
    purify: (image) => timedDefense(image, name, async () => ({ image: await jpegRoundTrip(image, quality) })),
    dispose: async () => {},
  };
}
