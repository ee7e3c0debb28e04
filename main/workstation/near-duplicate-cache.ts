/**
 * The near-duplicate groups of each open case, kept between listings: grouping compares every
 * item's eight PDQ hashes with the others', too much to repeat on every evidence.list and
 * evidence.get. The groups depend only on the items and the hashes their imports kept, both
 * append-only, so they are kept against CaseDatabase.itemHashesVersion and computed again once an
 * import (here, in a job, or by the CLI) has added anything.
 */
import type { CaseDatabase } from '../case/case-database.ts';
import { caseNearDuplicateGroups, type CaseNearDuplicateGroup } from '../case/near-duplicates.ts';

interface KeptGroups {
  version: string;
  groups: readonly CaseNearDuplicateGroup[];
}

/** By the open database: a case closed and opened again starts afresh, and a closed one is forgotten. */
const kept = new WeakMap<CaseDatabase, KeptGroups>();

/** The case's groups (the default threshold), computed again only when its items or their hashes changed. */
export function nearDuplicateGroupsOf(db: CaseDatabase): readonly CaseNearDuplicateGroup[] {
  const version = db.itemHashesVersion();
  const known = kept.get(db);
  if (known?.version === version) return known.groups;
  const groups = caseNearDuplicateGroups(db);
  // Shared by every answer until the next import: frozen, so that none can change another's.
  for (const group of groups) Object.freeze(Object.freeze(group).members);
  kept.set(db, { version, groups: Object.freeze(groups) });
  return groups;
}
