/**
 * Per item, what the grid shows and filters on about triage: its known-content hash list matches
 * (lists, categories, how close) and the near-duplicate group it is in. One read of the matches
 * per listing, not one per item; the grouping of the whole case is kept until an import changes it.
 */
import type { CaseDatabase } from '../case/case-database.ts';
import { hashMatchesByItem, VARIANT_WORDS } from '../case/hash-match-view.ts';
import type { HashMatchRecord } from '../case/records.ts';
import type { HashMatchBrief, HashMatchView, NearDuplicateGroupBrief } from '../ipc/contract/index.ts';
import { nearDuplicateGroupsOf } from './near-duplicate-cache.ts';

export interface TriageFacts {
  hashMatch: HashMatchBrief | null;
  nearDuplicates: NearDuplicateGroupBrief | null;
}

export function triageFactsByItem(db: CaseDatabase): (itemId: number) => TriageFacts {
  const matchesOf = hashMatchesByItem(db.hashMatches());
  const groupOf = new Map<number, NearDuplicateGroupBrief>();
  for (const group of nearDuplicateGroupsOf(db)) for (const member of group.members) groupOf.set(member, group);
  return (itemId) => ({ hashMatch: hashMatchBrief(matchesOf(itemId)), nearDuplicates: groupOf.get(itemId) ?? null });
}

function hashMatchBrief(matches: readonly HashMatchRecord[]): HashMatchBrief | null {
  if (matches.length === 0) return null;
  const pdq = matches.filter((match) => match.kind === 'pdq').map((match) => match.distance);
  return {
    lists: [...new Set(matches.map((match) => match.listName))],
    categories: [...new Set(matches.flatMap((match) => (match.category ? [match.category] : [])))],
    exact: matches.some((match) => match.kind !== 'pdq'),
    closestPdqDistance: pdq.length > 0 ? Math.min(...pdq) : null,
  };
}

export function hashMatchViews(matches: readonly HashMatchRecord[]): HashMatchView[] {
  return [...matches]
    .sort((a, b) => a.id - b.id)
    .map(({ listName, listSha256, line, kind, distance, variant, category, source, createdAt, examiner }) => ({
      listName,
      listSha256,
      line,
      kind,
      distance,
      variant: variant ? VARIANT_WORDS[variant] : null,
      category,
      source,
      foundAt: createdAt,
      examiner,
    }));
}
