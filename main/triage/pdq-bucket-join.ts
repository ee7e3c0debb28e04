/**
 * All pairs within a threshold between two batches of PDQ hashes, by the multi-index's
 * pigeonhole rule (pdq-multi-index.ts: some 16-bit slot of a matching pair differs in at most
 * floor(t / 16) bits) but computed as a join of sorted buckets rather than as lookups.
 *
 * Per slot, both batches are counting-sorted by that slot's value into copies whose buckets are
 * contiguous; then each bucket of the larger batch is compared with the buckets of the smaller
 * one within the slot radius (17 of them at t = 31). A lookup per hash would read the million
 * list hashes in random order (a cache miss per candidate, ~330 million candidates for a million
 * list hashes against 80,000 item variants); here the larger batch's bucket (about 15 hashes)
 * stays in the nearest cache while its 17 partners pass, and both copies are read in order, so
 * the same candidates cost arithmetic instead of memory latency.
 */
import { PDQ_WORDS, packedDistanceAtMost } from './packed-pdq.ts';
import { LARGEST_INDEXED_THRESHOLD } from './pdq-multi-index.ts';
import { MASKS, MASKS_WITHIN, SLOTS, SLOT_VALUES, firstSlotWithin, slotValue } from './pdq-slots.ts';

export interface PackedHashes {
  words: Uint32Array;
  count: number;
}

interface SortedBySlot {
  /** Bucket v is rows bucketStart[v] .. bucketStart[v + 1] - 1 of the sorted copy. */
  bucketStart: Uint32Array;
  /** The hashes in bucket order, and each one's index in the batch. */
  words: Uint32Array;
  original: Uint32Array;
}

function sortBySlot(set: PackedHashes, slot: number, into: SortedBySlot): void {
  const { bucketStart, words, original } = into;
  bucketStart.fill(0);
  for (let k = 0; k < set.count; k++) bucketStart[slotValue(set.words, k * PDQ_WORDS, slot) + 1]++;
  for (let v = 0; v < SLOT_VALUES; v++) bucketStart[v + 1] += bucketStart[v];
  const next = bucketStart.slice(0, SLOT_VALUES);
  for (let k = 0; k < set.count; k++) {
    const row = next[slotValue(set.words, k * PDQ_WORDS, slot)]++;
    words.set(set.words.subarray(k * PDQ_WORDS, (k + 1) * PDQ_WORDS), row * PDQ_WORDS);
    original[row] = k;
  }
}

function sortedScratch(count: number): SortedBySlot {
  return { bucketStart: new Uint32Array(SLOT_VALUES + 1), words: new Uint32Array(count * PDQ_WORDS), original: new Uint32Array(count) };
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
  const slotRadius = threshold >> 4;
  const probes = MASKS_WITHIN[slotRadius];
  for (let slot = 0; slot < SLOTS; slot++) {
    progress.signal?.throwIfAborted();
    sortBySlot(outerSet, slot, outer);
    sortBySlot(innerSet, slot, inner);
    const oWords = outer.words, iWords = inner.words, iStart = inner.bucketStart, oStart = outer.bucketStart;
    for (let value = 0; value < SLOT_VALUES; value++) {
      const oFirst = oStart[value], oEnd = oStart[value + 1];
      if (oFirst === oEnd) continue;
      for (let probe = 0; probe < probes; probe++) {
        const partner = value ^ MASKS[probe];
        const iFirst = iStart[partner], iEnd = iStart[partner + 1];
        for (let j = iFirst; j < iEnd; j++) {
          const jAt = j * PDQ_WORDS;
          for (let o = oFirst; o < oEnd; o++) {
            const distance = packedDistanceAtMost(oWords, o * PDQ_WORDS, iWords, jAt, threshold);
            if (distance > threshold || firstSlotWithin(oWords, o * PDQ_WORDS, iWords, jAt, slotRadius) !== slot) continue;
            if (outerIsA) visit(outer.original[o], inner.original[j], distance);
            else visit(inner.original[j], outer.original[o], distance);
          }
        }
      }
    }
    progress.onProgress?.(slot + 1, SLOTS);
  }
}
