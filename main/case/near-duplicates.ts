/**
 * The case's near-duplicate groups: items whose PDQ hashes lie within the threshold (default 31
 * bits) in any rotation or mirror, joined transitively (triage/near-duplicate-groups.ts). Computed
 * when asked from the hashes an import keeps, never stored: a group is a view of the items, not a
 * finding, and it changes as items are added.
 *
 * An item imported by an older version kept only its hash as it is, so it joins a group only
 * through that hash (its rotations and mirrors are unknown without decoding it again).
 */
import { DIHEDRAL_NAMES } from '../pdq/dihedral.ts';
import { PDQ_MATCH_THRESHOLD, type PdqDihedralHashes } from '../pdq/pdq.ts';
import { nearDuplicateGroups } from '../triage/near-duplicate-groups.ts';
import type { CaseDatabase } from './case-database.ts';

export interface CaseNearDuplicateGroup {
  /** The member with the most reliable hash (highest PDQ quality). */
  representative: number;
  /** Item ids in import order, the representative among them. */
  members: number[];
}

/** Groups of two or more items, ordered by their first member. */
export function caseNearDuplicateGroups(db: CaseDatabase, threshold = PDQ_MATCH_THRESHOLD): CaseNearDuplicateGroup[] {
  const kept = db.itemMatchHashes();
  const items = [...db.items()].map((item) => {
    const variants = kept.get(item.id)?.pdqVariants ?? DIHEDRAL_NAMES.map(() => item.pdqHash);
    const pdq = Object.fromEntries(DIHEDRAL_NAMES.map((name, v) => [name, { hash: variants[v], quality: item.pdqQuality }])) as PdqDihedralHashes;
    return { id: String(item.id), pdq };
  });
  return nearDuplicateGroups(items, { threshold })
    .filter((group) => group.members.length > 1)
    .map((group) => ({ representative: Number(group.representative), members: group.members.map(Number) }));
}
