/**
 * All pairs within a threshold between two batches of PDQ hashes, by a two-level pigeonhole rule
 * computed as a join of sorted buckets rather than as lookups.
 *
 * The rule. Cut the 256 bits into eight 32-bit words, each into two 16-bit halves (the slots of
 * pdq-slots.ts). If two hashes differ in at most t bits, some word differs in at most
 * R = floor(t / 8) bits (eight words each differing in R + 1 or more would make 8(R + 1) > t),
 * and within that word some half differs in at most r = floor(R / 2) = floor(t / 16) bits. So a
 * matching pair always has a slot h where the half differs in at most r bits AND the whole word
 * around it differs in at most R bits. At t = 31: a half within 1 bit and its word within 3.
 *
 * The join. Per slot, both batches are counting-sorted by the slot's 16-bit value; each row of
 * the sorted copy keeps only the batch index and the other half of the same word (6 bytes, not
 * the 32-byte hash). Each bucket of the larger batch is compared with the buckets of the smaller
 * one within r bits (17 of them at t = 31), and since the bucket pair fixes how many bits the
 * half differs in, the word test is one table lookup on the other halves. That rejects about
 * 99.7 % of the random candidates (a 16-bit half within 2 or 3 bits by chance), so the full
 * distance, read from the original batches in random order, is computed for few pairs. Both
 * sorted copies are read in order and the larger batch's bucket (about 15 rows for a million
 * hashes) stays in the nearest cache while its partners pass.
 *
 * A pair qualifying in several slots is reported once: only from the first slot that qualifies.
 */
import { PDQ_WORDS, packedDistanceAtMost, popcount32 } from './packed-pdq.ts';
import { LARGEST_INDEXED_THRESHOLD } from './pdq-multi-index.ts';
import { MASKS, MASKS_WITHIN, SLOTS, SLOT_VALUES } from './pdq-slots.ts';

export interface PackedHashes {
  words: Uint32Array;
  count: number;
}

/** Bits set in each 16-bit value. */
const POPCOUNT16 = new Uint8Array(SLOT_VALUES);
for (let v = 1; v < SLOT_VALUES; v++) POPCOUNT16[v] = POPCOUNT16[v >> 1] + (v & 1);

interface SortedBySlot {
  /** Bucket v is rows bucketStart[v] .. bucketStart[v + 1] - 1 of the sorted copy. */
  bucketStart: Uint32Array;
  /** Per row: the hash's index in its batch, and the other 16-bit half of the slot's word. */
  original: Uint32Array;
  otherHalf: Uint16Array;
}

function sortedScratch(count: number): SortedBySlot {
  return { bucketStart: new Uint32Array(SLOT_VALUES + 1), original: new Uint32Array(count), otherHalf: new Uint16Array(count) };
}

/** Fills `into` with the batch counting-sorted by slot `slot` (rows of a bucket in batch order). */
function sortBySlot(set: PackedHashes, slot: number, into: SortedBySlot): void {
  const { bucketStart, original, otherHalf } = into;
  const word = slot >> 1;
  const ownShift = (slot & 1) << 4;
  const otherShift = 16 - ownShift;
  const words = set.words;
  const stride = PDQ_WORDS; // a local: imported bindings are read through a getter in the loop
  const count = set.count;
  bucketStart.fill(0);
  for (let k = 0, at = word; k < count; k++, at += stride) bucketStart[((words[at] >>> ownShift) & 0xffff) + 1]++;
  for (let v = 0; v < SLOT_VALUES; v++) bucketStart[v + 1] += bucketStart[v];
  const next = bucketStart.slice(0, SLOT_VALUES);
  for (let k = 0, at = word; k < count; k++, at += stride) {
    const value = words[at];
    const row = next[(value >>> ownShift) & 0xffff]++;
    original[row] = k;
    otherHalf[row] = value >>> otherShift;
  }
}

/**
 * The first slot where hashes a and b differ in at most `halfRadius` bits and their word in at
 * most `wordRadius` (SLOTS if none): the one slot a pair is reported from.
 */
export function firstQualifyingSlot(a: Uint32Array, aAt: number, b: Uint32Array, bAt: number, halfRadius: number, wordRadius: number): number {
  for (let word = 0; word < PDQ_WORDS; word++) {
    const x = a[aAt + word] ^ b[bAt + word];
    if (popcount32(x) > wordRadius) continue;
    if (POPCOUNT16[x & 0xffff] <= halfRadius) return word * 2;
    if (POPCOUNT16[x >>> 16] <= halfRadius) return word * 2 + 1;
  }
  return SLOTS;
}

export interface JoinProgress {
  signal?: AbortSignal;
  /** Called after each of the 16 slots with (slots done, 16). */
  onProgress?: (done: number, total: number) => void;
}

/** Calls visit(a, b, distance) once for every pair within `threshold` bits, in no set order. */
export function joinPdqWithin(
  a: PackedHashes,
  b: PackedHashes,
  threshold: number,
  visit: (a: number, b: number, distance: number) => void,
  progress: JoinProgress = {},
): void {
  if (threshold < 0 || a.count === 0 || b.count === 0) return;
  if (threshold > LARGEST_INDEXED_THRESHOLD) {
    for (let i = 0; i < a.count; i++) {
      for (let j = 0; j < b.count; j++) {
        const distance = packedDistanceAtMost(a.words, i * PDQ_WORDS, b.words, j * PDQ_WORDS, threshold);
        if (distance <= threshold) visit(i, j, distance);
      }
    }
    return;
  }
  const outerIsA = a.count >= b.count;
  const outerSet = outerIsA ? a : b;
  const innerSet = outerIsA ? b : a;
  const outer = sortedScratch(outerSet.count);
  const inner = sortedScratch(innerSet.count);
  const halfRadius = threshold >> 4;
  const wordRadius = threshold >> 3;
  const probes = MASKS_WITHIN[halfRadius];
  // Locals, not the imported bindings, in the hot loops (those are read through getters).
  const masks = MASKS,
    popcount16 = POPCOUNT16,
    stride = PDQ_WORDS,
    slotValues = SLOT_VALUES;
  const oWords = outerSet.words,
    iWords = innerSet.words;
  for (let slot = 0; slot < SLOTS; slot++) {
    progress.signal?.throwIfAborted();
    sortBySlot(outerSet, slot, outer);
    sortBySlot(innerSet, slot, inner);
    const oStart = outer.bucketStart,
      oHalf = outer.otherHalf,
      oOriginal = outer.original;
    const iStart = inner.bucketStart,
      iHalf = inner.otherHalf,
      iOriginal = inner.original;
    for (let value = 0; value < slotValues; value++) {
      const oFirst = oStart[value],
        oEnd = oStart[value + 1];
      if (oFirst === oEnd) continue;
      for (let probe = 0; probe < probes; probe++) {
        const mask = masks[probe];
        const partner = value ^ mask;
        const iFirst = iStart[partner],
          iEnd = iStart[partner + 1];
        if (iFirst === iEnd) continue;
        // The bucket pair differs in POPCOUNT16[mask] bits of this half; the rest of the word may
        // differ in what is left of the word radius.
        const otherLimit = wordRadius - popcount16[mask];
        for (let j = iFirst; j < iEnd; j++) {
          const jHalf = iHalf[j];
          for (let o = oFirst; o < oEnd; o++) {
            if (popcount16[oHalf[o] ^ jHalf] > otherLimit) continue;
            const oAt = oOriginal[o] * stride,
              iAt = iOriginal[j] * stride;
            const distance = packedDistanceAtMost(oWords, oAt, iWords, iAt, threshold);
            if (distance > threshold || firstQualifyingSlot(oWords, oAt, iWords, iAt, halfRadius, wordRadius) !== slot) continue;
            if (outerIsA) visit(oOriginal[o], iOriginal[j], distance);
            else visit(iOriginal[j], oOriginal[o], distance);
          }
        }
      }
    }
    progress.onProgress?.(slot + 1, SLOTS);
  }
}
