/**
 * Detection quality of a score: higher means "more likely attacked". The ROC curve, its area, the
 * true-positive rate at a given false-positive rate, and the threshold a target false-positive
 * rate implies on clean scores. An image is flagged when its score is strictly above the threshold.
 */
export interface RocPoint {
  readonly threshold: number;
  readonly falsePositiveRate: number;
  readonly truePositiveRate: number;
}

/** Every distinct threshold, from "flag nothing" (+Infinity) to "flag everything". */
export function rocCurve(clean: readonly number[], attacked: readonly number[]): RocPoint[] {
  if (clean.length === 0 || attacked.length === 0) throw new RangeError('a ROC curve needs clean and attacked scores');
  const thresholds = [...new Set([...clean, ...attacked])].sort((a, b) => b - a);
  const points: RocPoint[] = [{ threshold: Infinity, falsePositiveRate: 0, truePositiveRate: 0 }];
  for (const t of thresholds) {
    // flagged: score >= t, i.e. strictly above the next lower threshold
    points.push({ threshold: t, falsePositiveRate: share(clean, (s) => s >= t), truePositiveRate: share(attacked, (s) => s >= t) });
  }
  return points;
}

/** Area under the curve: the probability that an attacked image outscores a clean one (ties count half). */
export function rocAuc(clean: readonly number[], attacked: readonly number[]): number {
  let wins = 0;
  for (const a of attacked) for (const c of clean) wins += a > c ? 1 : a === c ? 0.5 : 0;
  return wins / (clean.length * attacked.length);
}

/**
 * The lowest threshold whose false-positive rate on `clean` is at most `target`: flagged means
 * score > threshold. With n clean scores, floor(target n) of them may lie above it.
 */
export function thresholdForFalsePositiveRate(clean: readonly number[], target: number): number {
  if (clean.length === 0) throw new RangeError('a threshold needs clean scores');
  if (!(target >= 0 && target < 1)) throw new RangeError(`the false-positive rate must be in [0, 1), got ${target}`);
  const sorted = [...clean].sort((a, b) => b - a);
  const allowed = Math.floor(target * sorted.length);
  return sorted[allowed];
}

/** True-positive rate with the threshold set on the clean scores for `falsePositiveRate`, and the rate reached. */
export function truePositiveRateAt(
  clean: readonly number[],
  attacked: readonly number[],
  falsePositiveRate: number,
): { threshold: number; truePositiveRate: number; falsePositiveRate: number } {
  const threshold = thresholdForFalsePositiveRate(clean, falsePositiveRate);
  return { threshold, truePositiveRate: share(attacked, (s) => s > threshold), falsePositiveRate: share(clean, (s) => s > threshold) };
}

function share(values: readonly number[], predicate: (v: number) => boolean): number {
  let count = 0;
  for (const v of values) if (predicate(v)) count++;
  return count / values.length;
}
