/**
 * How long the rest of an evaluation will take, from what its units actually took. The units of
 * one evaluation differ by orders of magnitude (a clean unit is a few classifier calls, a PGD or
 * CW unit hundreds of gradient steps, a BPDA unit runs the defense inside every step), and they
 * run in batch order (clean, then each attack, for batch 0, then batch 1...). Extrapolating the
 * fraction of units done is therefore badly wrong early on (a run that has only timed its clean
 * units announces seconds left and then runs for minutes). Instead every row (clean, each
 * attack, each BPDA target) gets its own measured seconds per image, and the remaining images of
 * each row are weighted by it. While a row still to run has no measurement there is no honest
 * number: the estimate is null ("estimating").
 */
import type { JournalUnit } from './evaluation-journal.ts';

/** A unit still to run: its row and how many images it holds. */
export interface PendingUnit {
  readonly row: string;
  readonly images: number;
}

/** A finished unit's row, images and the wall-clock seconds it took. */
export interface MeasuredUnit extends PendingUnit {
  readonly seconds: number;
}

export interface RemainingWork {
  readonly finished: readonly MeasuredUnit[];
  /** Units not started yet (the one running excluded). */
  readonly pending: readonly PendingUnit[];
  /** The unit running now and how long it has run. */
  readonly running?: PendingUnit & { readonly elapsedSeconds: number };
}

/**
 * How much the latest unit of a row counts against the row's earlier ones. The load of a shared
 * machine drifts over an hour-long run; on a recorded 1,000-image run (test/evaluation) a plain
 * mean of each row was off by 40 % on average, this weighting by 27 %, extrapolating the fraction
 * by 32 %.
 */
export const LATEST_UNIT_WEIGHT = 0.3;

/** Measured seconds per image of each row: its finished units in the order they finished, the recent ones weighted more. */
export function secondsPerImageByRow(finished: readonly MeasuredUnit[]): Map<string, number> {
  const rates = new Map<string, number>();
  for (const unit of finished) {
    if (!(unit.images > 0) || !Number.isFinite(unit.seconds) || unit.seconds < 0) continue;
    const rate = unit.seconds / unit.images;
    const before = rates.get(unit.row);
    rates.set(unit.row, before === undefined ? rate : LATEST_UNIT_WEIGHT * rate + (1 - LATEST_UNIT_WEIGHT) * before);
  }
  return rates;
}

/**
 * Seconds left, or null while some row still to run has not been timed once. A running unit
 * that has already taken longer than its row's measure counts as about to finish (0 s), never
 * as negative time.
 */
export function estimateRemainingEvaluationSeconds(work: RemainingWork): number | null {
  const perImage = secondsPerImageByRow(work.finished);
  let seconds = 0;
  for (const unit of work.pending) {
    const rate = perImage.get(unit.row);
    if (rate === undefined) return null;
    seconds += rate * unit.images;
  }
  if (work.running) {
    const rate = perImage.get(work.running.row);
    if (rate === undefined) return null;
    seconds += Math.max(0, rate * work.running.images - work.running.elapsedSeconds);
  }
  return seconds;
}

/**
 * A journal unit's measure. Units recorded before wall-clock seconds were journalled count their
 * attack time plus every defense's time: a little less than the whole unit (the classifier calls
 * are missing), but of the right size.
 */
export function measuredUnit(unit: JournalUnit): MeasuredUnit {
  const seconds = unit.seconds ?? unit.attackSeconds + unit.outcomes.reduce((sum, outcome) => sum + outcome.defended.reduce((s, d) => s + d.seconds, 0), 0);
  return { row: unit.row, images: unit.outcomes.length, seconds };
}
