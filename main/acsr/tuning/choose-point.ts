/**
 * The rule that picks the tuned setting from a sweep. The objective is accuracy under attack, the
 * constraint protects clean accuracy: a purifier that smooths everything away resists attacks
 * trivially while failing the filter's everyday job.
 *
 * Ties (equal attack counts on the same images) go to fewer CBPDN iterations (cheaper), then the
 * larger CBPDN lambda (sparser codes: cheaper, and they keep less of what the attacker added), then
 * the larger Tikhonov lambda (more of the image taken from the smooth part, which sparse coding
 * never touches). Counts, not rounded percentages, are compared, so a tie is an exact tie.
 *
 * Then fewer iterations for the same protection: at the best point's lambdas, the smallest
 * iteration cap whose verdicts a paired test cannot tell apart from the best point's is taken.
 * More iterations converge further, but a converged code is not a better purifier, and on a
 * validation split of a few hundred images one image more or less right is noise; each iteration
 * costs the same on every image an investigator purifies afterwards.
 */
import { mcNemarExact } from '../evaluation/mcnemar-test.ts';
import type { GridPoint } from './tuning-grid.ts';

/** The paired test's level: a cheaper cap is refused when it is less accurate at p below this. */
export const FEWER_ITERATIONS_P = 0.05;

export const TUNING_OBJECTIVE = 'mean accuracy over the attack columns (acsr defense, attacks crafted once against the undefended classifier)';

export function tuningRule(maxCleanDrop: number): string {
  return (
    `maximise the objective among grid points whose clean accuracy is at least the undefended classifier's clean accuracy minus ${maxCleanDrop} percentage points; ` +
    'ties: fewer iterations, then the larger CBPDN lambda, then the larger Tikhonov lambda; ' +
    `then, at the chosen lambdas, the fewest iterations that a paired test (McNemar, exact, p < ${FEWER_ITERATIONS_P}) does not find less accurate ` +
    'under attack than the best point, in any attack column or over all columns together (the same clean accuracy constraint applies)'
  );
}

export interface PointTally {
  readonly point: GridPoint;
  readonly cleanCorrect: number;
  /** correct answers summed over the attack columns */
  readonly attackCorrect: number;
  /** per attack column, per image (the same order at every point): right after purification */
  readonly attackVerdicts: readonly (readonly boolean[])[];
}

/** Whether a point keeps clean accuracy within `maxCleanDrop` points of the undefended classifier's. */
export function meetsCleanConstraint(cleanCorrect: number, undefendedCleanCorrect: number, images: number, maxCleanDrop: number): boolean {
  // in counts: clean / n >= undefended / n - drop / 100, with room for the rounding of drop * n / 100
  return 100 * cleanCorrect >= 100 * undefendedCleanCorrect - maxCleanDrop * images - 1e-9;
}

/** The index of the chosen point in `tallies`, or null when no point meets the constraint. */
export function choosePoint(tallies: readonly PointTally[], undefendedCleanCorrect: number, images: number, maxCleanDrop: number): number | null {
  const allowed = (tally: PointTally) => meetsCleanConstraint(tally.cleanCorrect, undefendedCleanCorrect, images, maxCleanDrop);
  let best: number | null = null;
  tallies.forEach((tally, index) => {
    if (!allowed(tally)) return;
    if (best === null || better(tally, tallies[best])) best = index;
  });
  if (best === null) return null;
  const top = tallies[best];
  const cheaper = tallies
    .map((tally, index) => ({ tally, index }))
    .filter(
      ({ tally }) =>
        allowed(tally) &&
        tally.point.tikhonovLambda === top.point.tikhonovLambda &&
        tally.point.cscLambda === top.point.cscLambda &&
        tally.point.maxIterations < top.point.maxIterations,
    )
    .sort((a, b) => a.tally.point.maxIterations - b.tally.point.maxIterations);
  return cheaper.find(({ tally }) => !pairedLessAccurate(tally, top))?.index ?? best;
}

/** Whether McNemar's exact test finds `candidate` less accurate than `reference` in any attack column or over all of them. */
export function pairedLessAccurate(candidate: PointTally, reference: PointTally): boolean {
  let referenceOnly = 0;
  let candidateOnly = 0;
  for (let column = 0; column < reference.attackVerdicts.length; column++) {
    const ours = candidate.attackVerdicts[column];
    const theirs = reference.attackVerdicts[column];
    if (ours.length !== theirs.length) throw new RangeError('paired verdicts must cover the same images');
    let b = 0;
    let c = 0;
    for (let i = 0; i < theirs.length; i++) {
      if (theirs[i] && !ours[i]) b++;
      else if (ours[i] && !theirs[i]) c++;
    }
    if (b > c && mcNemarExact(b, c).exactP < FEWER_ITERATIONS_P) return true;
    referenceOnly += b;
    candidateOnly += c;
  }
  return referenceOnly > candidateOnly && mcNemarExact(referenceOnly, candidateOnly).exactP < FEWER_ITERATIONS_P;
}

function better(a: PointTally, b: PointTally): boolean {
  if (a.attackCorrect !== b.attackCorrect) return a.attackCorrect > b.attackCorrect;
  if (a.point.maxIterations !== b.point.maxIterations) return a.point.maxIterations < b.point.maxIterations;
  if (a.point.cscLambda !== b.point.cscLambda) return a.point.cscLambda > b.point.cscLambda;
  return a.point.tikhonovLambda > b.point.tikhonovLambda;
}
