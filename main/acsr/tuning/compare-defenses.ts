/**
 * After the sweep: every compared defense on the same clean and stored attacked validation images
 * (nothing is attacked again), recorded in the sweep's journal so that a killed comparison resumes,
 * then summarised with the paired tests and the recommendation (defense-comparison.ts). A folder
 * whose sweep is done gets only the comparison computed.
 */
import { type ProgressReporter, throwIfCancelled } from '../../progress/progress.ts';
import type { AttackableClassifier } from '../attacks/attack-types.ts';
import type { EvaluationJournal } from '../evaluation/evaluation-journal.ts';
import { DEFAULT_PURIFICATION_OPTIONS } from '../purification/purification-options.ts';
import type { ReferenceBundle } from '../references/bundle-reader.ts';
import { comparisonEntries, comparisonSingleDictionary, computedEntries, openComparisonDefense } from './comparison-defenses.ts';
import { type DefenseComparison, summariseComparison } from './defense-comparison.ts';
import { defendUnits } from './defend-units.ts';
import { bundlePurificationDefaults } from './purification-defaults.ts';
import { type SweptImages, UNDEFENDED } from './run-tuning.ts';
import type { GridPoint } from './tuning-grid.ts';
import type { TuningResults } from './tuning-results.ts';

export interface CompareDefensesRequest {
  readonly names: readonly string[];
  /** the finished sweep (its chosen point) */
  readonly results: TuningResults;
  readonly swept: SweptImages;
  readonly bundle: ReferenceBundle;
  readonly dataPath: string;
  readonly channels: 1 | 3;
  readonly out: string;
  readonly singleDict?: string;
  readonly pooled: boolean;
  readonly threads: number;
  readonly classifier: AttackableClassifier;
  readonly journal: EvaluationJournal;
  readonly seed: number;
  readonly maxCleanDrop: number;
  readonly validationSha256: string;
  readonly progress: ProgressReporter;
  readonly signal: AbortSignal;
  /** what was finished, written when the comparison stops early */
  readonly onPartial: (comparison: DefenseComparison) => Promise<unknown>;
}

export async function compareDefenses(request: CompareDefensesRequest): Promise<DefenseComparison> {
  const { results, swept, journal, progress, signal } = request;
  const chosen = results.chosen;
  // without a chosen point, the settings single-dict and lowpass would have had: the bundle's defaults
  const settingsPoint: GridPoint = chosen ?? {
    tikhonovLambda: DEFAULT_PURIFICATION_OPTIONS.tikhonovLambda,
    cscLambda: DEFAULT_PURIFICATION_OPTIONS.cscLambda,
    maxIterations: DEFAULT_PURIFICATION_OPTIONS.maxIterations,
    ...bundlePurificationDefaults(request.bundle.manifest),
  };
  const single = request.names.includes('single-dict')
    ? await comparisonSingleDictionary(
        request.singleDict,
        request.bundle,
        request.dataPath,
        request.channels,
        request.out,
        progress.sub(0, 0.2, 'single-dict'),
        signal,
      )
    : null;
  const entries = comparisonEntries(request.names, chosen, settingsPoint, single?.sha256 ?? null);
  const summarise = () =>
    summariseComparison({
      entries,
      attacks: results.setup.attacks.map((a) => a.name),
      batchKeys: swept.batches.map((b) => b.key),
      units: journal.units(),
      undefendedOwner: UNDEFENDED,
      maxCleanDrop: request.maxCleanDrop,
      validationSha256: request.validationSha256,
    });
  const computed = computedEntries(entries);
  const total = Math.max(1, computed.length * swept.batches.length * swept.rows.length);
  let done = 0;
  const step = (stage: string, message: string) => progress.report({ stage, fraction: 0.2 + (0.8 * done) / total, message });
  try {
    for (const entry of computed) {
      throwIfCancelled(signal);
      await defendUnits({
        owner: entry.owner,
        batches: swept.batches,
        rows: swept.rows,
        adversarial: swept.adversarial,
        classifier: request.classifier,
        journal,
        seed: request.seed,
        step,
        onUnit: () => done++,
        signal,
        open: () =>
          openComparisonDefense(entry.defense, {
            bundle: request.bundle,
            point: settingsPoint,
            pooled: request.pooled,
            threads: request.threads,
            singleDictionaryPath: single?.path ?? null,
          }),
      });
    }
  } catch (error) {
    await request.onPartial(summarise());
    throw error;
  }
  progress.report({ stage: 'compare', fraction: 1 });
  return summarise();
}
