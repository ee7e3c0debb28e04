/**
 * PDQ hashes packed as eight 32-bit words (hash k at words 8k..8k+7), the form every index and
 * scan here works on: a million hashes are 32 MB in one typed array instead of a million
 * strings, and a distance is eight XORs and popcounts.
 *
 * Word p holds the reference's 16-bit words 2p (low half) and 2p + 1 (high half) (hash-bits.ts),
 * which is exactly hex characters 56 - 8p .. 63 - 8p of the printed hash.
 */
export const PDQ_WORDS = 8;

const HEX_VALUE = new Int8Array(128).fill(-1);
for (let c = 0; c < 10; c++) HEX_VALUE[48 + c] = c;
for (let c = 0; c < 6; c++) HEX_VALUE[65 + c] = HEX_VALUE[97 + c] = 10 + c;

const scratch = new Uint32Array(PDQ_WORDS);

/**
 * Writes the 64-hex-character hash into words[at .. at + 7]; false, with nothing written, when
 * the text is not 64 hexadecimal characters.
 */
export function packPdqHex(hex: string, words: Uint32Array, at: number): boolean {
  if (hex.length !== 64) return false;
  for (let q = 0; q < PDQ_WORDS; q++) {
    let word = 0;
    for (let c = q * 8; c < q * 8 + 8; c++) {
      const code = hex.charCodeAt(c);
      const value = code < 128 ? HEX_VALUE[code] : -1;
      if (value < 0) return false;
      word = (word << 4) | value;
    }
    scratch[PDQ_WORDS - 1 - q] = word >>> 0;
  }
  words.set(scratch, at);
  return true;
}

export function unpackPdqHex(words: Uint32Array, at: number): string {
  let hex = '';
  for (let p = PDQ_WORDS - 1; p >= 0; p--) hex += words[at + p].toString(16).padStart(8, '0');
  return hex;
}

/** Packs a list of hex hashes; throws on a malformed one (callers validate user input first). */
export function packPdqHashes(hashes: readonly string[]): Uint32Array {
  const words = new Uint32Array(hashes.length * PDQ_WORDS);
  hashes.forEach((hash, k) => {
    if (!packPdqHex(hash, words, k * PDQ_WORDS)) throw new Error(`not a PDQ hash: '${hash}'`);
  });
  return words;
}

export function popcount32(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  x = (x + (x >>> 4)) & 0x0f0f0f0f;
  return Math.imul(x, 0x01010101) >>> 24;
}

/** The Hamming distance of hash a (in `aWords`) and hash b (in `bWords`), both given by word offset. */
export function packedDistance(aWords: Uint32Array, a: number, bWords: Uint32Array, b: number): number {
  let distance = 0;
  for (let p = 0; p < PDQ_WORDS; p++) distance += popcount32(aWords[a + p] ^ bWords[b + p]);
  return distance;
}

/**
 * The distance when it is at most `limit`, otherwise some number above `limit`: stops after the
 * word that crosses it. Two unrelated hashes differ in about 16 bits per word, so most pairs are
 * rejected after two or three of the eight words; this is the inner loop of every search.
 */
export function packedDistanceAtMost(aWords: Uint32Array, a: number, bWords: Uint32Array, b: number, limit: number): number {
  let distance = popcount32(aWords[a] ^ bWords[b]) + popcount32(aWords[a + 1] ^ bWords[b + 1]);
  if (distance > limit) return distance;
  distance += popcount32(aWords[a + 2] ^ bWords[b + 2]);
  if (distance > limit) return distance;
  distance += popcount32(aWords[a + 3] ^ bWords[b + 3]);
  if (distance > limit) return distance;
  distance += popcount32(aWords[a + 4] ^ bWords[b + 4]) + popcount32(aWords[a + 5] ^ bWords[b + 5]);
  if (distance > limit) return distance;
  return distance + popcount32(aWords[a + 6] ^ bWords[b + 6]) + popcount32(aWords[a + 7] ^ bWords[b + 7]);
}
