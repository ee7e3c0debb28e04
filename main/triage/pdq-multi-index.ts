/**
 * A multi-index hash (Norouzi, Punjani & Fleet, "Fast exact search in Hamming space with
 * multi-index hashing", 2014; the scheme of Meta's pdq/cpp/index/mih.h) over packed PDQ hashes:
 * exact answers to "every hash within t bits of this one", without comparing against them all.
 *
 * The 256 bits are cut into 16 slots of 16 bits. If two hashes differ in at most t bits, then by
 * the pigeonhole principle some slot differs in at most floor(t / 16) bits. So per slot the hashes
 * are bucketed by that slot's exact 16-bit value, and a query visits, per slot, the buckets of
 * every value within floor(t / 16) bits of its own: at PDQ's threshold 31 that is 1 + 16 = 17
 * buckets per slot, 272 in all, each a direct array lookup (no hashing: 2^16 buckets per slot).
 * Each hash in a visited bucket is a candidate and is checked with the full distance.
 *
 * Why these parameters: with m slots of 256/m bits the random candidates per query and indexed
 * hash are m * (probes per slot) / 2^(256/m). m = 16 gives 272 / 65536 = 0.4 %, and each probe is
 * a typed-array read. Larger slots (m = 8: 32-bit slots within 3 bits) make random candidates
 * vanish but need 5,489 probes per slot into sparse hash tables, which costs more than the
 * candidates saved; smaller ones (m = 32: 8-bit slots, exact) make 12 % of the index candidates.
 * Measured in test/bench/pdq-index-bench.ts.
 *
 * A hash found through several slots is reported once: only from the first slot in which it lies
 * within floor(t / 16) bits of the query, so no set of seen candidates is needed.
 *
 * Beyond t = 63 (Meta's limit too) the neighbourhoods grow past what a scan of the whole index
 * costs, so such queries scan linearly; the answers are the same.
 */
import { PDQ_WORDS, packedDistanceAtMost, packPdqHex } from './packed-pdq.ts';
import { MASKS, MASKS_WITHIN, SLOTS, SLOT_VALUES, firstSlotWithin, slotValue } from './pdq-slots.ts';

/** Above this threshold a query scans every hash instead (see the header). */
export const LARGEST_INDEXED_THRESHOLD = 63;

export type PdqMatchVisitor = (entry: number, distance: number) => void;

export class PdqMultiIndex {
  readonly size: number;
  /** The indexed hashes, packed (entry k at words 8k..8k+7); not copied, so not to be changed. */
  readonly words: Uint32Array;
  /** Per slot, bucket v holds entries[slot * size + bucketStart[slot * 65537 + v] ..]. */
  private readonly bucketStart: Uint32Array;
  private readonly entries: Uint32Array;

  /** Indexes the first `count` hashes of `words` (all of them by default). */
  constructor(words: Uint32Array, count = Math.floor(words.length / PDQ_WORDS)) {
    if (count * PDQ_WORDS > words.length) throw new RangeError(`${count} hashes need ${count * PDQ_WORDS} words, got ${words.length}`);
    this.size = count;
    this.words = words;
    this.bucketStart = new Uint32Array(SLOTS * (SLOT_VALUES + 1));
    this.entries = new Uint32Array(SLOTS * count);
    // A counting sort per slot: entries land in each bucket in ascending order, so answers come
    // out in the same order on every run.
    for (let slot = 0; slot < SLOTS; slot++) {
      const base = slot * (SLOT_VALUES + 1);
      for (let entry = 0; entry < count; entry++) this.bucketStart[base + 1 + slotValue(words, entry * PDQ_WORDS, slot)]++;
      for (let v = 0; v < SLOT_VALUES; v++) this.bucketStart[base + v + 1] += this.bucketStart[base + v];
      const fill = this.bucketStart.slice(base, base + SLOT_VALUES);
      const entryBase = slot * count;
      for (let entry = 0; entry < count; entry++) this.entries[entryBase + fill[slotValue(words, entry * PDQ_WORDS, slot)]++] = entry;
    }
  }

  /** Bytes held by the index itself (the packed hashes it was given not counted). */
  get indexBytes(): number {
    return this.bucketStart.byteLength + this.entries.byteLength;
  }

  /**
   * Calls `visit(entry, distance)` once for every indexed hash within `threshold` bits of the
   * query (the hash at query[queryAt .. queryAt + 7]), in no particular order.
   */
  forEachWithin(query: Uint32Array, queryAt: number, threshold: number, visit: PdqMatchVisitor): void {
    if (threshold < 0) return;
    if (threshold > LARGEST_INDEXED_THRESHOLD) {
      this.scan(query, queryAt, threshold, visit);
      return;
    }
    const { words, bucketStart, entries, size } = this;
    const slotRadius = threshold >> 4;
    const probes = MASKS_WITHIN[slotRadius];
    for (let slot = 0; slot < SLOTS; slot++) {
      const value = slotValue(query, queryAt, slot);
      const base = slot * (SLOT_VALUES + 1);
      const entryBase = slot * size;
      for (let probe = 0; probe < probes; probe++) {
        const bucket = base + (value ^ MASKS[probe]);
        const end = entryBase + bucketStart[bucket + 1];
        for (let k = entryBase + bucketStart[bucket]; k < end; k++) {
          const entry = entries[k];
          const distance = packedDistanceAtMost(words, entry * PDQ_WORDS, query, queryAt, threshold);
          if (distance > threshold) continue;
          if (firstSlotWithin(query, queryAt, words, entry * PDQ_WORDS, slotRadius) !== slot) continue;
          visit(entry, distance);
        }
      }
    }
  }

  /** Every indexed hash within `threshold` bits of a hex hash, by entry. */
  within(hex: string, threshold: number): Array<{ entry: number; distance: number }> {
    const query = new Uint32Array(PDQ_WORDS);
    if (!packPdqHex(hex, query, 0)) throw new Error(`not a PDQ hash: '${hex}'`);
    const found: Array<{ entry: number; distance: number }> = [];
    this.forEachWithin(query, 0, threshold, (entry, distance) => found.push({ entry, distance }));
    return found.sort((a, b) => a.entry - b.entry);
  }

  private scan(query: Uint32Array, queryAt: number, threshold: number, visit: PdqMatchVisitor): void {
    for (let entry = 0; entry < this.size; entry++) {
      const distance = packedDistanceAtMost(this.words, entry * PDQ_WORDS, query, queryAt, threshold);
      if (distance <= threshold) visit(entry, distance);
    }
  }
}
