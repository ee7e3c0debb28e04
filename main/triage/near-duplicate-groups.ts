/**
 * Near-duplicate groups: items whose PDQ hashes lie within the threshold (default 31 bits), in
 * any of the eight dihedral variants, are joined, and groups are the connected components
 * (union-find). Joining is transitive, so a chain of small edits can put two pictures further
 * apart than the threshold in one group; that is what an investigator wants from "copies of the
 * same picture", and each link in the chain is a real near-duplicate.
 *
 * Pairs are found with the multi-index (pdq-multi-index.ts): the items' own hashes are indexed
 * and every variant of every item is looked up, so the work grows with the number of items times
 * the size of a bucket, not with the number of pairs.
 *
 * Hashes of quality at or below the reference's discard level (49) are unreliable (a flat or
 * tiny picture gets a hash that many unrelated ones share), so such items stay on their own.
 */
import { DIHEDRAL_NAMES } from '../pdq/dihedral.ts';
import { PDQ_MATCH_THRESHOLD, PDQ_QUALITY_DISCARD_AT_OR_BELOW, type PdqDihedralHashes } from '../pdq/pdq.ts';
import { PDQ_WORDS } from './packed-pdq.ts';
import { forEachPdqPairWithin, packDihedralHashes } from './pdq-matching.ts';
import { UnionFind } from './union-find.ts';

export interface NearDuplicateItem {
  id: string;
  pdq: PdqDihedralHashes;
}

export interface NearDuplicateGroup {
  /** The representative's id: stable for the same items and hashes. */
  id: string;
  /** The member with the highest PDQ quality (the earliest in the input on a tie). */
  representative: string;
  /** Ids in input order. */
  members: string[];
}

export interface NearDuplicateOptions {
  threshold?: number;
  /** Items of this PDQ quality or lower stay on their own (default 49, the reference's). */
  qualityDiscardAtOrBelow?: number;
}

/**
 * Every item in exactly one group (unmatched ones alone), groups ordered by their first member's
 * position in `items`.
 */
export function nearDuplicateGroups(items: readonly NearDuplicateItem[], options: NearDuplicateOptions = {}): NearDuplicateGroup[] {
  const threshold = options.threshold ?? PDQ_MATCH_THRESHOLD;
  const discardAtOrBelow = options.qualityDiscardAtOrBelow ?? PDQ_QUALITY_DISCARD_AT_OR_BELOW;
  const eligible = items.map((_, index) => index).filter((index) => items[index].pdq.original.quality > discardAtOrBelow);
  const variants = packDihedralHashes(eligible.map((index) => items[index].pdq));
  // The originals are variant 0 of each item: every eighth hash of the packed variants.
  const originals = new Uint32Array(eligible.length * PDQ_WORDS);
  for (let k = 0; k < eligible.length; k++) {
    originals.set(variants.words.subarray(k * DIHEDRAL_NAMES.length * PDQ_WORDS, (k * DIHEDRAL_NAMES.length + 1) * PDQ_WORDS), k * PDQ_WORDS);
  }
  const sets = new UnionFind(items.length);
  forEachPdqPairWithin({ words: originals, count: eligible.length }, variants, threshold, (original, variant) => {
    sets.union(eligible[original], eligible[Math.floor(variant / DIHEDRAL_NAMES.length)]);
  });

  const membersByRoot = new Map<number, number[]>();
  items.forEach((_, index) => {
    const root = sets.find(index);
    const members = membersByRoot.get(root);
    if (members) members.push(index);
    else membersByRoot.set(root, [index]);
  });
  // Map iteration follows insertion, i.e. each group's first member in input order.
  return [...membersByRoot.values()].map((members) => {
    let best = members[0];
    for (const index of members) if (items[index].pdq.original.quality > items[best].pdq.original.quality) best = index;
    const representative = items[best].id;
    return { id: representative, representative, members: members.map((index) => items[index].id) };
  });
}
