/**
 * The rule that picks the tuned setting from a sweep. The objective is accuracy under attack, the
 * constraint protects clean accuracy: a purifier that smooths everything away resists attacks
 * trivially while failing the filter's everyday job.
 *
 * Ties (equal attack counts on the same images) go to fewer CBPDN iterations (cheaper), then the
 * larger CBPDN lambda (sparser codes: cheaper, and they keep less of what the attacker added), then
 * the larger Tikhonov lambda (more of the image taken from the smooth part, which sparse coding
 * never touches). Counts, not rounded percentages, are compared, so a tie is an exact tie.
 */
import type { GridPoint } from './tuning-grid.ts';

export const TUNING_OBJECTIVE = 'mean accuracy over the attack columns (acsr defense, attacks crafted once against the undefended classifier)';

export function tuningRule(maxCleanDrop: number): string {
  return (
    `maximise the objective among grid points whose clean accuracy is at least the undefended classifier's clean accuracy minus ${maxCleanDrop} percentage points; ` +
    'ties: fewer iterations, then the larger CBPDN lambda, then the larger Tikhonov lambda'
  );
}

export interface PointTally {
  readonly point: GridPoint;
  readonly cleanCorrect: number;
  /** correct answers summed over the attack columns */
  readonly attackCorrect: number;
}

/** Whether a point keeps clean accuracy within `maxCleanDrop` points of the undefended classifier's. */
export function meetsCleanConstraint(cleanCorrect: number, undefendedCleanCorrect: number, images: number, maxCleanDrop: number): boolean {
  // in counts: clean / n >= undefended / n - drop / 100, with room for the rounding of drop * n / 100
  return 100 * cleanCorrect >= 100 * undefendedCleanCorrect - maxCleanDrop * images - 1e-9;
}

/** The index of the chosen point in `tallies`, or null when no point meets the constraint. */
export function choosePoint(tallies: readonly PointTally[], undefendedCleanCorrect: number, images: number, maxCleanDrop: number): number | null {
  let best: number | null = null;
  tallies.forEach((tally, index) => {
    if (!meetsCleanConstraint(tally.cleanCorrect, undefendedCleanCorrect, images, maxCleanDrop)) return;
    if (best === null || better(tally, tallies[best])) best = index;
  });
  return best;
}

function better(a: PointTally, b: PointTally): boolean {
  if (a.attackCorrect !== b.attackCorrect) return a.attackCorrect > b.attackCorrect;
  if (a.point.maxIterations !== b.point.maxIterations) return a.point.maxIterations < b.point.maxIterations;
  if (a.point.cscLambda !== b.point.cscLambda) return a.point.cscLambda > b.point.cscLambda;
  return a.point.tikhonovLambda > b.point.tikhonovLambda;
}
