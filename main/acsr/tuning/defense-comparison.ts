/**
 * The defense comparison that follows the sweep: every compared defense judged on the same clean
 * and attacked validation images (no defense and ACSR at the chosen point reuse the sweep's own
 * verdicts), with Wilson intervals, McNemar's exact test of ACSR against each baseline per column,
 * and the recommendation (recommend-defense.ts). Always recomputed from the journal's per-image
 * verdicts, so a resumed run reports exactly what a straight one would.
 */
import { type Proportion, wilsonProportion } from '../evaluation/confidence-interval.ts';
import type { JournalUnit, SampleOutcome } from '../evaluation/evaluation-journal.ts';
import { type PairedTest, pairedTests } from '../evaluation/paired-comparison.ts';
import { meetsCleanConstraint } from './choose-point.ts';
import { CLEAN_ROW, tuningUnitKey } from './defend-units.ts';
import { type Recommendation, defenseLabel, recommendDefense, recommendationRule } from './recommend-defense.ts';

/** A compared defense and where its verdicts are in the journal. */
export interface ComparisonEntry {
  readonly defense: string;
  /** the journal owner of its units ('undefended', a grid point's key, or 'compare:...') */
  readonly owner: string;
  /** the settings it ran with, in words ('' when it has none) */
  readonly settings: string;
}

export interface ComparisonRow {
  readonly defense: string;
  readonly label: string;
  readonly settings: string;
  readonly clean: Proportion;
  readonly attacks: readonly { row: string; accuracy: Proportion }[];
  readonly meanAttackAccuracy: number;
  /** no defense's clean accuracy minus this one's, in percentage points */
  readonly cleanDropPoints: number;
  readonly meetsConstraint: boolean;
  /** mean seconds of defense per image (clean and attacked) */
  readonly secondsPerImage: number;
}

export interface DefenseComparison {
  readonly images: number;
  /** the validation split's hash (manifest.validation.sha256) */
  readonly validationSha256: string;
  readonly attacks: readonly string[];
  readonly maxCleanDrop: number;
  readonly rule: string;
  readonly rows: readonly ComparisonRow[];
  /** ACSR against each other defense, per row (clean and every attack) */
  readonly tests: readonly PairedTest[];
  /** null when nothing was compared or the comparison is incomplete */
  readonly recommendation: Recommendation | null;
  readonly complete: boolean;
}

export interface ComparisonSummaryRequest {
  readonly entries: readonly ComparisonEntry[];
  readonly attacks: readonly string[];
  readonly batchKeys: readonly string[];
  readonly units: readonly JournalUnit[];
  /** the undefended classifier's clean verdicts: the reference of the clean-accuracy constraint */
  readonly undefendedOwner: string;
  readonly maxCleanDrop: number;
  readonly validationSha256: string;
}

export function summariseComparison(request: ComparisonSummaryRequest): DefenseComparison {
  const byKey = new Map(request.units.map((unit) => [unit.unit, unit]));
  let complete = true;
  const outcomesOf = (owner: string, row: string): SampleOutcome[] =>
    request.batchKeys.flatMap((batch) => {
      const unit = byKey.get(tuningUnitKey(owner, row, batch));
      if (!unit) complete = false;
      return unit?.outcomes ?? [];
    });
  const correct = (outcomes: readonly SampleOutcome[]) => outcomes.filter((o) => o.defended[0].predicted === o.label).length;
  const reference = outcomesOf(request.undefendedOwner, CLEAN_ROW);
  const referenceCorrect = correct(reference);
  const images = reference.length;
  const rowNames = [CLEAN_ROW, ...request.attacks];
  // per row, every defense's verdict merged per image (as one evaluation unit holds them), for the paired tests
  const merged = new Map<string, SampleOutcome[]>(rowNames.map((row) => [row, []]));

  const rows = request.entries.map((entry): ComparisonRow => {
    const perRow = rowNames.map((row) => {
      const outcomes = outcomesOf(entry.owner, row).map((o) => ({ ...o, defended: [{ ...o.defended[0], defense: entry.defense }] }));
      merged.get(row)!.push(...outcomes);
      return { row, outcomes };
    });
    const [clean, ...attacked] = perRow;
    const attacks = attacked.map(({ row, outcomes }) => ({ row, accuracy: wilsonProportion(correct(outcomes), outcomes.length) }));
    const all = perRow.flatMap((r) => r.outcomes);
    const cleanAccuracy = wilsonProportion(correct(clean.outcomes), clean.outcomes.length);
    return {
      defense: entry.defense,
      label: defenseLabel(entry.defense),
      settings: entry.settings,
      clean: cleanAccuracy,
      attacks,
      meanAttackAccuracy: attacks.length ? attacks.reduce((s, a) => s + a.accuracy.value, 0) / attacks.length : Number.NaN,
      cleanDropPoints: images ? (100 * (referenceCorrect - cleanAccuracy.successes)) / images : Number.NaN,
      meetsConstraint: meetsCleanConstraint(cleanAccuracy.successes, referenceCorrect, images, request.maxCleanDrop),
      secondsPerImage: all.length ? all.reduce((s, o) => s + o.defended[0].seconds, 0) / all.length : Number.NaN,
    };
  });
  const tests = pairedTests(
    rowNames,
    mergeBySample(merged),
    request.entries.map((e) => e.defense),
  );
  // one defense compared (--compare none) is no comparison: ranking it against itself would
  // "recommend" no defense even where the sweep's ACSR did better
  const recommendation =
    complete && rows.length > 1
      ? recommendDefense({
          defenses: rows.map((r) => ({ defense: r.defense, cleanCorrect: r.clean.successes, attackCorrect: r.attacks.map((a) => a.accuracy.successes) })),
          undefendedCleanCorrect: referenceCorrect,
          images,
          maxCleanDrop: request.maxCleanDrop,
          tests: tests.filter((t) => t.row !== CLEAN_ROW),
          attackColumns: request.attacks.length,
        })
      : null;
  return {
    images,
    validationSha256: request.validationSha256,
    attacks: request.attacks,
    maxCleanDrop: request.maxCleanDrop,
    rule: recommendationRule(request.maxCleanDrop),
    rows,
    tests,
    recommendation,
    complete,
  };
}

/** One outcome per image and row, holding every defense's verdict (pairedTests pairs within an outcome). */
function mergeBySample(byRow: ReadonlyMap<string, SampleOutcome[]>): Map<string, SampleOutcome[]> {
  const result = new Map<string, SampleOutcome[]>();
  for (const [row, outcomes] of byRow) {
    const bySample = new Map<number, SampleOutcome>();
    for (const o of outcomes) {
      const entry = bySample.get(o.sample);
      if (entry) entry.defended.push(...o.defended);
      else bySample.set(o.sample, { sample: o.sample, label: o.label, defended: [...o.defended] });
    }
    result.set(row, [...bySample.values()]);
  }
  return result;
}
