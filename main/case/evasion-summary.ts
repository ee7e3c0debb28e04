/**
 * What a list of items says about evasion, per item: the score of its newest purification run,
 * the threshold that run's calibration set, and whether it lies above it. null: not purified, or
 * purified with a bundle that has no evasion check.
 */
import type { CaseDatabase } from './case-database.ts';

export interface EvasionSummary {
  score: number;
  threshold: number;
  suspected: boolean;
}

export function evasionSummariesByItem(db: CaseDatabase): (itemId: number) => EvasionSummary | null {
  const latest = db.stores.runs.latestEvasionByItem();
  return (itemId) => {
    const evasion = latest.get(itemId);
    return evasion ? { score: evasion.score, threshold: evasion.threshold, suspected: evasion.suspected } : null;
  };
}
