/**
 * Decoding a file for PDQ: main/io/image.ts (EXIF orientation applied, ICC ignored, alpha
 * dropped) as RGB, plus the one decoder detail of the Python reference that survives into the
 * pixels: PIL reads 16-bit PNG samples as their high byte, where our raster holds x / 65535.
 * Re-quantising here keeps computePdq itself on the plain round(v * 255) of any raster.
 */
import { readImage, type DecodedImage } from '../io/image.ts';

export async function readImageForPdq(path: string): Promise<DecodedImage> {
  const image = await readImage(path, { channels: 'rgb', precision: 'float32' });
  if (image.sourceBitDepth > 8) keepHighByte(image.data);
  return image;
}

/** x / 65535 -> (x >> 8) / 255. */
function keepHighByte(data: Float32Array | Float64Array): void {
  for (let i = 0; i < data.length; i++) data[i] = Math.floor(Math.round(data[i] * 65535) / 256) / 255;
}
