/**
 * Seeded random PDQ-sized hashes, and near copies of them with a chosen number of bits flipped,
 * spread as the test asks: anywhere, evenly over the sixteen 16-bit slots (the case the
 * multi-index's pigeonhole bound is tight for), or crowded into as few slots as possible.
 */
import { PDQ_WORDS } from '../../main/triage/packed-pdq.ts';

export { seededRandom } from '../../main/acsr/random/seeded-random.ts';

export function randomHashes(count: number, random: () => number): Uint32Array {
  const words = new Uint32Array(count * PDQ_WORDS);
  for (let i = 0; i < words.length; i++) words[i] = Math.floor(random() * 4294967296);
  return words;
}

export type FlipSpread = 'anywhere' | 'even' | 'crowded';

/** Bit positions 0..255 to flip: `count` distinct ones, spread as asked. */
export function flipPositions(count: number, spread: FlipSpread, random: () => number): number[] {
  const order = Array.from({ length: 256 }, (_, k) => k);
  for (let k = 255; k > 0; k--) {
    const j = Math.floor(random() * (k + 1));
    [order[k], order[j]] = [order[j], order[k]];
  }
  if (spread === 'anywhere') return order.slice(0, count);
  if (spread === 'crowded') order.sort((a, b) => (a >> 4) - (b >> 4) || a - b);
  else order.sort((a, b) => (a & 15) - (b & 15) || (a >> 4) - (b >> 4)); // round-robin over slots
  const slotOffset = Math.floor(random() * 16);
  return order.slice(0, count).map((bit) => (((bit >> 4) + slotOffset) % 16) * 16 + (bit & 15));
}

/** Copies hash `from` of `source` into hash `to` of `target` with the given bits flipped. */
export function plantNear(source: Uint32Array, from: number, target: Uint32Array, to: number, flips: number[]): void {
  target.set(source.subarray(from * PDQ_WORDS, from * PDQ_WORDS + PDQ_WORDS), to * PDQ_WORDS);
  for (const bit of flips) target[to * PDQ_WORDS + (bit >> 5)] ^= 1 << (bit & 31);
}
