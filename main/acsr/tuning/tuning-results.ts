/**
 * From the sweep's journal to the numbers tuning.json and tuning.md publish: for the undefended
 * classifier and for every grid point, accuracy on the clean validation images and under each
 * attack (Wilson 95 % intervals), the mean over the attack columns, whether the point keeps clean
 * accuracy within the allowed drop, and the chosen point. Always recomputed from the journal's
 * per-image verdicts, so a resumed sweep reports exactly what a straight one would.
 */
import type { AttackBudget } from '../attacks/attack-types.ts';
import { type Proportion, wilsonProportion } from '../evaluation/confidence-interval.ts';
import type { JournalUnit, SampleOutcome } from '../evaluation/evaluation-journal.ts';
import { choosePoint, meetsCleanConstraint } from './choose-point.ts';
import type { DefenseComparison } from './defense-comparison.ts';
import { CLEAN_ROW, UNDEFENDED, tuningUnitKey } from './run-tuning.ts';
import { type GridPoint, type TuningGrid, pointKey } from './tuning-grid.ts';

export const TUNING_KIND = 'acsr-tuning';

export interface TuningSetup {
  readonly producer: string;
  readonly bundle: { path: string; manifestSha256: string; extractor: string };
  readonly model: { id: string; weightSha256: string; backend: string; classNames: readonly string[] };
  readonly data: {
    description: string;
    fingerprint: string;
    count: number;
    /** the validation split's hash (manifest.validation.sha256) and size */
    splitSha256: string;
    splitImages: number;
    /** the images used, by name ('train[12]' or a path below the data folder) */
    samples: readonly string[];
  };
  readonly attacks: readonly { name: string; budget: AttackBudget | null; normalisation: string }[];
  readonly grid: TuningGrid;
  /** settings every point shares */
  readonly fixed: { tolerance: number; tileSize: number };
  readonly maxCleanDrop: number;
  readonly objective: string;
  readonly rule: string;
  readonly seed: number;
  readonly batchSize: number;
}

export interface RowAccuracy {
  readonly row: string;
  readonly accuracy: Proportion;
}

export interface PointResult extends GridPoint {
  readonly key: string;
  readonly clean: Proportion;
  readonly attacks: readonly RowAccuracy[];
  /** the objective: mean of the attack columns' accuracies */
  readonly meanAttackAccuracy: number;
  /** undefended clean accuracy minus this point's, in percentage points */
  readonly cleanDropPoints: number;
  readonly meetsConstraint: boolean;
  /** mean seconds of purification per image (clean and attacked) */
  readonly secondsPerImage: number;
  /** share of attacked images whose selected cluster is the clean image's */
  readonly clusterAgreement: Proportion | null;
}

export interface TuningResults {
  readonly kind: typeof TUNING_KIND;
  readonly setup: TuningSetup;
  readonly undefended: { clean: Proportion; attacks: readonly (RowAccuracy & { success: Proportion; meanDissimilarity: number })[] };
  readonly points: readonly PointResult[];
  readonly chosen: (GridPoint & { key: string }) | null;
  /** false while units are missing (a partial report) */
  readonly complete: boolean;
  /** every compared defense on the same images, and the recommendation; null until the sweep is complete */
  readonly comparison: DefenseComparison | null;
}

export function summariseTuning(setup: TuningSetup, points: readonly GridPoint[], batchKeys: readonly string[], units: readonly JournalUnit[]): TuningResults {
  const byKey = new Map(units.map((unit) => [unit.unit, unit]));
  let complete = true;
  const outcomesOf = (owner: string, row: string): SampleOutcome[] =>
    batchKeys.flatMap((batch) => {
      const unit = byKey.get(tuningUnitKey(owner, row, batch));
      if (!unit) complete = false;
      return unit?.outcomes ?? [];
    });
  const accuracy = (outcomes: readonly SampleOutcome[]) =>
    wilsonProportion(outcomes.filter((o) => o.defended[0].predicted === o.label).length, outcomes.length);
  const rows = setup.attacks.map((a) => a.name);

  const undefendedClean = accuracy(outcomesOf(UNDEFENDED, CLEAN_ROW));
  const undefendedAttacks = rows.map((row) => {
    const outcomes = outcomesOf(UNDEFENDED, row);
    const dissimilarities = outcomes.map((o) => o.attack!.dissimilarity);
    return {
      row,
      accuracy: accuracy(outcomes),
      success: wilsonProportion(outcomes.filter((o) => o.attack!.success).length, outcomes.length),
      meanDissimilarity: dissimilarities.length ? dissimilarities.reduce((s, v) => s + v, 0) / dissimilarities.length : Number.NaN,
    };
  });

  const cleanClusters = new Map<number, string | undefined>();
  const results = points.map((point): PointResult => {
    const key = pointKey(point);
    const clean = outcomesOf(key, CLEAN_ROW);
    cleanClusters.clear();
    for (const o of clean) cleanClusters.set(o.sample, o.defended[0].clusterId);
    const attacked = rows.map((row) => ({ row, outcomes: outcomesOf(key, row) }));
    const attacks = attacked.map(({ row, outcomes }) => ({ row, accuracy: accuracy(outcomes) }));
    const all = [clean, ...attacked.map((a) => a.outcomes)].flat();
    const withClusters = attacked.flatMap((a) => a.outcomes).filter((o) => o.defended[0].clusterId !== undefined && cleanClusters.get(o.sample) !== undefined);
    const cleanAccuracy = accuracy(clean);
    return {
      ...point,
      key,
      clean: cleanAccuracy,
      attacks,
      meanAttackAccuracy: attacks.reduce((s, a) => s + a.accuracy.value, 0) / attacks.length,
      cleanDropPoints: 100 * (undefendedClean.value - cleanAccuracy.value),
      meetsConstraint: meetsCleanConstraint(cleanAccuracy.successes, undefendedClean.successes, undefendedClean.total, setup.maxCleanDrop),
      secondsPerImage: all.length ? all.reduce((s, o) => s + o.defended[0].seconds, 0) / all.length : Number.NaN,
      clusterAgreement:
        withClusters.length === 0
          ? null
          : wilsonProportion(withClusters.filter((o) => o.defended[0].clusterId === cleanClusters.get(o.sample)).length, withClusters.length),
    };
  });
  const chosenIndex = complete
    ? choosePoint(
        results.map((r, i) => ({
          point: r,
          cleanCorrect: r.clean.successes,
          attackCorrect: r.attacks.reduce((s, a) => s + a.accuracy.successes, 0),
          attackVerdicts: rows.map((row) =>
            outcomesOf(pointKey(points[i]), row)
              .toSorted((a, b) => a.sample - b.sample)
              .map((o) => o.defended[0].predicted === o.label),
          ),
        })),
        undefendedClean.successes,
        undefendedClean.total,
        setup.maxCleanDrop,
      )
    : null;
  const chosen = chosenIndex === null ? null : results[chosenIndex];
  return {
    kind: TUNING_KIND,
    setup,
    undefended: { clean: undefendedClean, attacks: undefendedAttacks },
    points: results,
    chosen: chosen && { tikhonovLambda: chosen.tikhonovLambda, cscLambda: chosen.cscLambda, maxIterations: chosen.maxIterations, key: chosen.key },
    complete,
    comparison: null,
  };
}
