/**
 * The grid's "group by near-duplicate" view: each group of near-duplicates among the listed items
 * is shown as one tile (its representative, or the first member the filters let through) with the
 * group's size, unless the investigator expanded it; an expanded group shows its members side by
 * side. An action on a folded group's tile is an action on every listed member of the group.
 */
import type { EvidenceSummary } from '../../main/ipc/contract/index.ts';

export interface GroupedView {
  /** The tiles to show, in the listed order. */
  items: EvidenceSummary[];
  /** Tile item id -> the listed members it stands for (folded) or belongs with (expanded). */
  membersOf: ReadonlyMap<number, number[]>;
  /** Tile item id -> the group's key (its representative), for expanding and folding. */
  groupOf: ReadonlyMap<number, number>;
}

export function groupNearDuplicates(items: readonly EvidenceSummary[], expanded: ReadonlySet<number>): GroupedView {
  const listed = new Map<number, number[]>();
  for (const item of items) {
    if (!item.nearDuplicates) continue;
    const key = item.nearDuplicates.representative;
    listed.set(key, [...(listed.get(key) ?? []), item.itemId]);
  }
  const shown: EvidenceSummary[] = [];
  const membersOf = new Map<number, number[]>();
  const groupOf = new Map<number, number>();
  const byId = new Map(items.map((item) => [item.itemId, item]));
  const placed = new Set<number>();
  for (const item of items) {
    if (placed.has(item.itemId)) continue;
    const key = item.nearDuplicates?.representative;
    const members = key === undefined ? undefined : listed.get(key);
    if (key === undefined || !members || members.length < 2) {
      shown.push(item);
      continue;
    }
    if (expanded.has(key)) {
      // Members together, where the group's first listed member stood.
      for (const id of members) {
        shown.push(byId.get(id)!);
        placed.add(id);
        membersOf.set(id, members);
        groupOf.set(id, key);
      }
    } else {
      const tile = byId.get(members.includes(key) ? key : members[0])!;
      shown.push(tile);
      members.forEach((id) => placed.add(id));
      membersOf.set(tile.itemId, members);
      groupOf.set(tile.itemId, key);
    }
  }
  return { items: shown, membersOf, groupOf };
}

/** The item ids an action on these tiles covers: a folded group's tile stands for all its members. */
export function membersCovered(view: GroupedView, expanded: ReadonlySet<number>, tileIds: readonly number[]): number[] {
  const ids = new Set<number>();
  for (const id of tileIds) {
    const group = view.groupOf.get(id);
    if (group !== undefined && !expanded.has(group)) view.membersOf.get(id)!.forEach((member) => ids.add(member));
    else ids.add(id);
  }
  return [...ids];
}
