/**
 * Per item, what the grid shows and filters on about purification: how many runs, and the
 * content filter's latest top class on the evidence and on the output, and the latest run's evasion score. Two grouped queries for
 * the whole case, so a grid of 10,000 items does not cost 20,000 lookups.
 */
import type { CaseDatabase } from '../case/case-database.ts';
import { evasionSummariesByItem, type EvasionSummary } from '../case/evasion-summary.ts';

export interface PurificationFacts {
  purificationRuns: number;
  verdictBefore: string | null;
  verdictAfter: string | null;
  evasion: EvasionSummary | null;
}

const NONE: PurificationFacts = { purificationRuns: 0, verdictBefore: null, verdictAfter: null, evasion: null };

export function purificationFactsByItem(db: CaseDatabase): (itemId: number) => PurificationFacts {
  const runs = db.stores.runs.runCountsByItem();
  // The newest verdict per item and stage (highest id), whichever model gave it.
  const latest = db.stores.verdicts.latestTopClasses();
  const evasionOf = evasionSummariesByItem(db);
  const verdicts = new Map<number, { before: string | null; after: string | null }>();
  for (const row of latest) {
    const entry = verdicts.get(row.itemId) ?? { before: null, after: null };
    entry[row.stage] = row.topClass;
    verdicts.set(row.itemId, entry);
  }
  return (itemId) => {
    const count = runs.get(itemId) ?? 0;
    const verdict = verdicts.get(itemId);
    if (count === 0 && !verdict) return NONE;
    return { purificationRuns: count, verdictBefore: verdict?.before ?? null, verdictAfter: verdict?.after ?? null, evasion: evasionOf(itemId) };
  };
}
