/**
 * Matching items' PDQ hashes against a list's: every (item, list hash) pair within the threshold
 * (default 31 bits, Meta's recommended match threshold), over the item's eight dihedral variants,
 * so a rotated or mirrored copy of a listed picture matches too. The list holds each picture's
 * hash as it was listed; the item brings all eight hashes (main/pdq computes them from one DCT;
 * they cannot be derived from the 64 hex characters alone, so an item's variants must be kept
 * from the time it was hashed).
 *
 * Both sides are batches (a case's items when a list is added; an import's items against every
 * list), so the pairs are found by a join of the two batches' slot buckets (pdq-bucket-join.ts):
 * the multi-index's buckets, read in order, with an exact word-level filter that spares the full
 * distance for almost every random candidate.
 */
import { DIHEDRAL_NAMES, type DihedralName } from '../pdq/dihedral.ts';
import { PDQ_MATCH_THRESHOLD, type PdqDihedralHashes } from '../pdq/pdq.ts';
import { PDQ_WORDS, packPdqHex } from './packed-pdq.ts';
import { joinPdqWithin, type JoinProgress } from './pdq-bucket-join.ts';

/** Packed hashes: hash k at words[8k .. 8k + 7]. */
export interface PackedPdqSet {
  words: Uint32Array;
  count: number;
}

export type PdqScanOptions = JoinProgress;

/** Calls visit(a, b, distance) for every pair of hashes of `a` and `b` within `threshold` bits. */
export function forEachPdqPairWithin(
  a: PackedPdqSet,
  b: PackedPdqSet,
  threshold: number,
  visit: (a: number, b: number, distance: number) => void,
  options: PdqScanOptions = {},
): void {
  joinPdqWithin(a, b, threshold, visit, options);
}

/** The eight variants of each item packed in DIHEDRAL_NAMES order: item i, variant v is hash 8i + v. */
export function packDihedralHashes(items: readonly PdqDihedralHashes[]): PackedPdqSet {
  const words = new Uint32Array(items.length * DIHEDRAL_NAMES.length * PDQ_WORDS);
  items.forEach((variants, item) => {
    DIHEDRAL_NAMES.forEach((name, v) => {
      if (!packPdqHex(variants[name].hash, words, (item * DIHEDRAL_NAMES.length + v) * PDQ_WORDS)) {
        throw new Error(`item ${item}: '${variants[name].hash}' is not a PDQ hash`);
      }
    });
  });
  return { words, count: items.length * DIHEDRAL_NAMES.length };
}

export interface PdqListMatch {
  item: number;
  /** The row of the list's PDQ hashes (HashList.pdq.entryOfRow maps it to the entry). */
  row: number;
  /** The smallest distance over the item's variants, and the variant that gave it. */
  distance: number;
  variant: DihedralName;
}

/**
 * Every (item, list row) within `threshold` over the item's variants, once, with the closest
 * variant (the first in DIHEDRAL_NAMES order on a tie), sorted by item, then row.
 * `itemVariants` comes from packDihedralHashes.
 */
export function matchPdqList(itemVariants: PackedPdqSet, list: PackedPdqSet, threshold = PDQ_MATCH_THRESHOLD, options: PdqScanOptions = {}): PdqListMatch[] {
  const variantsPerItem = DIHEDRAL_NAMES.length;
  const best = new Map<number, number>(); // item * rows + row -> distance * 8 + variant
  forEachPdqPairWithin(
    itemVariants,
    list,
    threshold,
    (query, row, distance) => {
      const item = Math.floor(query / variantsPerItem);
      const key = item * list.count + row;
      const score = distance * variantsPerItem + (query % variantsPerItem);
      const previous = best.get(key);
      if (previous === undefined || score < previous) best.set(key, score);
    },
    options,
  );
  const matches: PdqListMatch[] = [];
  for (const [key, score] of best) {
    matches.push({
      item: Math.floor(key / list.count),
      row: key % list.count,
      distance: Math.floor(score / variantsPerItem),
      variant: DIHEDRAL_NAMES[score % variantsPerItem],
    });
  }
  return matches.sort((x, y) => x.item - y.item || x.row - y.row);
}
