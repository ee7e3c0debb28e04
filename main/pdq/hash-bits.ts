/**
 * The 256 hash bits and their text form. Bit k (k = row * 16 + column of the 16 x 16 DCT block) is
 * set when that coefficient is above the block's median. The reference stores the bits in sixteen
 * 16-bit words, bit k in word k >> 4 at position k & 15, and prints the words from 15 down to 0
 * as %04hx (pdqhashtypes.cpp): so the last hex characters hold the first DCT row.
 */
import { UserInputError } from '../errors/user-input-error.ts';
import { torbenMedian } from './torben-median.ts';

export const PDQ_HASH_HEX_LENGTH = 64;

/** `block` is 16 x 16 row-major. */
export function hashWordsFromDct(block: Float64Array): Uint16Array {
  const median = torbenMedian(block);
  const words = new Uint16Array(16);
  for (let k = 0; k < 256; k++) if (block[k] > median) words[k >> 4] |= 1 << (k & 15);
  return words;
}

export function formatHashWords(words: Uint16Array): string {
  let hex = '';
  for (let w = 15; w >= 0; w--) hex += words[w].toString(16).padStart(4, '0');
  return hex;
}

/** Also accepts upper case, as the reference's sscanf does; throws UserInputError otherwise. */
export function parseHashHex(hex: string): Uint16Array {
  if (hex.length !== PDQ_HASH_HEX_LENGTH || !/^[0-9a-fA-F]+$/.test(hex)) {
    throw new UserInputError(`'${hex}' is not a PDQ hash (expected ${PDQ_HASH_HEX_LENGTH} hexadecimal characters)`);
  }
  const words = new Uint16Array(16);
  for (let w = 0; w < 16; w++) words[15 - w] = Number.parseInt(hex.slice(w * 4, w * 4 + 4), 16);
  return words;
}

export function hammingDistanceOfWords(a: Uint16Array, b: Uint16Array): number {
  let distance = 0;
  for (let w = 0; w < 16; w++) {
    let x = a[w] ^ b[w];
    while (x !== 0) {
      x &= x - 1;
      distance++;
    }
  }
  return distance;
}
