/**
 * Worker thread: `acsr eval` on a labelled folder (main/acsr/evaluation/evaluate-folder.ts, the
 * same wiring as the command line) into the workspace's evaluations/<id>/. After every finished
 * unit the accuracy table so far goes out as a job output; the folder keeps the journal, so the
 * results of a cancelled evaluation stay readable there.
 */
import { parseAttackSpecs } from '../acsr/attacks/attack-spec.ts';
import { describeBudget } from '../acsr/attacks/budget-description.ts';
import { evaluateFolder } from '../acsr/evaluation/evaluate-folder.ts';
import { BPDA_ROW, CLEAN_ROW, type EvaluationResults } from '../acsr/evaluation/evaluation-results.ts';
import type { EvaluationTable } from '../ipc/contract/index.ts';
import { runJobWorker } from './run-job-worker.ts';

export interface EvalJobParameters {
  evaluationId: string;
  labelledFolder: string;
  modelId: string;
  /** Resolved by the service from a bundle id; null when no defense needs one. */
  bundlePath: string | null;
  bundleLabel: string | null;
  /** Attack specs as acsr eval --attacks takes them ('none' for the clean row only). */
  attacks: string;
  defenses: string[];
  limit: number | null;
  /** <workspace>/evaluations/<evaluationId> */
  out: string;
}

/**
 * Images attacked together (a journal unit). Smaller than the command line's 32, so that the
 * table fills in while the investigator watches; each image's outcome does not depend on it.
 */
const APP_BATCH_SIZE = 8;

runJobWorker<EvalJobParameters>(async (parameters, { progress, signal, output }) => {
  progress.report({ stage: 'loading', fraction: 0, message: parameters.modelId });
  const notes: string[] = [];
  const outcome = await evaluateFolder({
    model: parameters.modelId, data: parameters.labelledFolder,
    attacks: parameters.attacks === 'none' ? [] : parseAttackSpecs(parameters.attacks),
    defenseNames: parameters.defenses, batchSize: APP_BATCH_SIZE, seed: 0, out: parameters.out, plots: true,
    progress, signal, note: (line) => notes.push(line),
    ...(parameters.bundlePath !== null ? { bundlePath: parameters.bundlePath } : {}),
    ...(parameters.limit !== null ? { limit: parameters.limit } : {}),
    onPartialResults: (results) => output({ type: 'evaluation', table: accuracyTable(parameters.evaluationId, results) }),
  });
  if (outcome.kind !== 'evaluated') throw new Error('an app evaluation always computes');
  const table = accuracyTable(parameters.evaluationId, outcome.results);
  output({ type: 'evaluation', table });
  return {
    evaluationId: parameters.evaluationId,
    evaluationFolder: parameters.out,
    images: table.imageCount,
    unitsRun: outcome.unitsRun,
    plots: outcome.written.filter((path) => path.endsWith('.png')).map((path) => path.slice(path.lastIndexOf('/') + 1, -'.png'.length)),
    notes,
  };
});

function accuracyTable(evaluationId: string, results: EvaluationResults): EvaluationTable {
  return {
    evaluationId,
    complete: results.complete,
    imageCount: results.setup.data.count,
    rows: results.rows,
    rowBudgets: results.rows.map((row) => ({ row, budget: rowBudget(results, row) })),
    defenses: results.setup.defenses.map((defense) => defense.name),
    cells: results.cells.map((cell) => ({
      row: cell.row, defense: cell.defense, correct: cell.accuracy.successes, total: cell.accuracy.total,
      accuracy: cell.accuracy.value, low: cell.accuracy.ci95[0], high: cell.accuracy.ci95[1],
    })),
  };
}

/** The row's budget in words, as results.md states it. */
function rowBudget(results: EvaluationResults, row: string): string {
  if (row === CLEAN_ROW) return 'no attack';
  const budget = row === BPDA_ROW ? results.setup.adaptive?.budget : results.setup.attacks.find((attack) => attack.name === row)?.budget;
  return budget === undefined ? '' : describeBudget(budget);
}
