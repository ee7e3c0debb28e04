/**
 * A learned dictionary drawn for people: its atoms side by side in a grid, each scaled on its own
 * (atoms are unit-norm, so a shared scale would leave most of them flat grey) with zero as mid-grey,
 * enlarged by whole pixels so the PNG stays crisp without the renderer resampling it.
 */
import sharp from 'sharp';
import { type ConvDictionary, dictionaryIndex } from '../acsr/signal/conv-dictionary.ts';

/** Each atom is drawn about this many pixels wide. */
const ATOM_DISPLAY_PIXELS = 32;
const GAP = 2;
const BACKGROUND = 40;

export interface AtomGridPng {
  mediaType: 'image/png';
  base64: string;
  width: number;
  height: number;
  columns: number;
}

export async function atomGridPng(dictionary: ConvDictionary): Promise<AtomGridPng> {
  const { atoms, atomHeight, atomWidth, channels } = dictionary;
  const scale = Math.max(1, Math.floor(ATOM_DISPLAY_PIXELS / Math.max(atomHeight, atomWidth)));
  const columns = Math.ceil(Math.sqrt(atoms));
  const rows = Math.ceil(atoms / columns);
  const cellWidth = atomWidth * scale;
  const cellHeight = atomHeight * scale;
  const width = columns * cellWidth + (columns + 1) * GAP;
  const height = rows * cellHeight + (rows + 1) * GAP;
  const pixels = new Uint8Array(width * height * 3).fill(BACKGROUND);
  for (let m = 0; m < atoms; m++) {
    let largest = 0;
    for (let c = 0; c < channels; c++) {
      for (let y = 0; y < atomHeight; y++)
        for (let x = 0; x < atomWidth; x++) largest = Math.max(largest, Math.abs(dictionary.data[dictionaryIndex(dictionary, m, c, y, x)]));
    }
    const gain = largest > 0 ? 0.5 / largest : 0;
    const left = GAP + (m % columns) * (cellWidth + GAP);
    const top = GAP + Math.floor(m / columns) * (cellHeight + GAP);
    for (let y = 0; y < cellHeight; y++) {
      for (let x = 0; x < cellWidth; x++) {
        const offset = ((top + y) * width + left + x) * 3;
        for (let k = 0; k < 3; k++) {
          // A one-channel dictionary is shared over the image's channels: drawn grey.
          const value = dictionary.data[dictionaryIndex(dictionary, m, channels === 1 ? 0 : k, Math.floor(y / scale), Math.floor(x / scale))];
          pixels[offset + k] = Math.round(255 * Math.min(1, Math.max(0, 0.5 + gain * value)));
        }
      }
    }
  }
  const png = await sharp(pixels, { raw: { width, height, channels: 3 } })
    .png()
    .toBuffer();
  return { mediaType: 'image/png', base64: png.toString('base64'), width, height, columns };
}
