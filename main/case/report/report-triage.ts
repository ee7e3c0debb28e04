/**
 * The report's triage parts: the known-content hash list matches kept in the case, and the
 * near-duplicate groups, for the items the report covers; and the rows the HTML and PDF reports
 * print them as (plain text cells, escaped by the HTML renderer).
 */
import type { CaseDatabase } from '../case-database.ts';
import { describeMatchKind } from '../hash-match-view.ts';
import { caseNearDuplicateGroups } from '../near-duplicates.ts';
import type { CaseReport } from './report-model.ts';

export function gatherTriage(db: CaseDatabase, inScope: ReadonlySet<number>): Pick<CaseReport, 'hashLists' | 'nearDuplicateGroups'> {
  const matches = db
    .hashMatches()
    .filter((match) => inScope.has(match.itemId))
    .map(({ itemId, listName, listSha256, line, kind, distance, variant, category, source, threshold, createdAt, examiner }) => ({
      itemId,
      listName,
      listSha256,
      line,
      kind,
      distance,
      variant,
      category,
      source,
      threshold,
      foundAt: createdAt,
      examiner,
    }));
  // Groups are of the whole case; a report of some items shows the members it covers.
  const nearDuplicateGroups = caseNearDuplicateGroups(db)
    .map((group) => ({ ...group, members: group.members.filter((id) => inScope.has(id)) }))
    .filter((group) => group.members.length > 1)
    .map((group) => ({ representative: group.members.includes(group.representative) ? group.representative : group.members[0], members: group.members }));
  return { hashLists: { matchedItems: new Set(matches.map((match) => match.itemId)).size, matches }, nearDuplicateGroups };
}

export const HASH_MATCH_HEADERS = ['Item', 'List', 'Line', 'Category', 'How it matched', 'Source', 'Found (UTC)', 'Examiner'];

export function hashMatchRows(report: CaseReport, itemId?: number): string[][] {
  return report.hashLists.matches
    .filter((match) => itemId === undefined || match.itemId === itemId)
    .map((match) => [
      String(match.itemId),
      match.listName,
      String(match.line),
      match.category ?? '-',
      describeMatchKind(match as Parameters<typeof describeMatchKind>[0]),
      match.source ?? '-',
      match.foundAt,
      match.examiner,
    ]);
}

/** One paragraph-sized line per near-duplicate group. */
export function nearDuplicateLines(report: CaseReport): string[] {
  return report.nearDuplicateGroups.map(
    (group) => `Items ${group.members.join(', ')}: ${group.members.length} near-duplicates (item ${group.representative} has the most reliable PDQ hash)`,
  );
}

/** The list versions the matches came from, so a reader can fetch the same list. */
export function hashListVersionLines(report: CaseReport): string[] {
  const versions = new Map<string, string>();
  for (const match of report.hashLists.matches) versions.set(`${match.listName}\n${match.listSha256}`, `${match.listName}: SHA-256 ${match.listSha256}`);
  return [...versions.values()];
}

export const TRIAGE_INTRO =
  'Matches with the known-content hash lists of the workspace: exact MD5, SHA-1 or SHA-256, or PDQ within the threshold over the eight rotations and mirrors of each item. Near-duplicates are items whose PDQ hashes lie within 31 bits of each other, in any rotation or mirror, joined in chains.';
