/**
 * Decompression bombs under the pixel cap: 10000 x 10000 16-bit RGBA PNGs (800 MB of samples once
 * decoded) of about a megabyte, all one colour but for one pixel, so that variants differ in
 * content and are not duplicates of each other.
 */
import { writeFile } from 'node:fs/promises';
import sharp from 'sharp';

export const BOMB_SIDE = 10_000;
/** width x height x 4 channels x 2 bytes. */
export const BOMB_DECODED_BYTES = BOMB_SIDE * BOMB_SIDE * 4 * 2;

/** The bomb whose single odd pixel is at column `variant` of the first row. */
export async function sixteenBitBombPng(variant: number): Promise<Buffer> {
  const dot = await sharp({ create: { width: 1, height: 1, channels: 4, background: { r: 255, g: 0, b: 0, alpha: 1 } } })
    .png()
    .toBuffer();
  return sharp({ create: { width: BOMB_SIDE, height: BOMB_SIDE, channels: 4, background: { r: 40, g: 90, b: 200, alpha: 1 } }, limitInputPixels: false })
    .composite([{ input: dot, left: variant, top: 0 }])
    .toColourspace('rgb16')
    .png({ compressionLevel: 9 })
    .toBuffer();
}

/**
 * `count` bomb files in `folder`, cycling through `variants` distinct contents (so the rest are
 * byte-identical copies). Returns the paths in order.
 */
export async function writeBombs(folder: string, count: number, variants: number): Promise<string[]> {
  const contents: Buffer[] = [];
  for (let variant = 0; variant < variants; variant++) contents.push(await sixteenBitBombPng(variant));
  const paths: string[] = [];
  for (let index = 0; index < count; index++) {
    const path = `${folder}/bomb-${String(index).padStart(2, '0')}-v${index % variants}.png`;
    await writeFile(path, contents[index % variants]);
    paths.push(path);
  }
  return paths;
}
