/**
 * A classifier's accuracy under attacks for every defense, on a labelled folder
 * (main/acsr/evaluation/evaluate-folder.ts), into a results folder that keeps a journal to
 * resume from: `acsr eval` and the workstation's evaluation job. Where someone watches (a job),
 * the accuracy table so far goes out after every finished unit.
 */
import { basename } from 'node:path';
import { z } from 'zod';
import { parseAttackSpec, parseAttackSpecs } from '../acsr/attacks/attack-spec.ts';
import type { AttackBudget } from '../acsr/attacks/attack-types.ts';
import { describeBudget } from '../acsr/attacks/budget-description.ts';
import { evaluateFolder, type EvaluateFolderOutcome } from '../acsr/evaluation/evaluate-folder.ts';
import { BPDA_ROW, CLEAN_ROW, type EvaluationResults } from '../acsr/evaluation/evaluation-results.ts';
import type { EvaluationTable } from '../ipc/contract/index.ts';
import { defineAction } from './define-action.ts';

export const evaluateParameters = z.strictObject({
  /** The classifier attacked and protected (registry id). */
  model: z.string().min(1),
  /** Class sub-folders named as the classifier's classes, or the Fashion-MNIST folder (resolved). */
  data: z.string().min(1),
  /** Attack specs as `acsr eval --attacks` takes them, comma-separated, or 'none' (the clean row only). */
  attacks: z.string(),
  defenses: z.array(z.string().min(1)).min(1),
  /** The reference bundle acsr purifies with (and single-dict's parameters). */
  bundlePath: z.string().min(1).optional(),
  /** The adaptive attacker (BPDA) with this attack spec and EOT draws, against each defense. */
  adaptive: z.strictObject({ attack: z.string().min(1), eotSamples: z.number().int().min(1) }).optional(),
  limit: z.number().int().min(1).optional(),
  /** Images attacked together (a journal unit); each image's outcome does not depend on it. */
  batchSize: z.number().int().min(1),
  singleDict: z.string().min(1).optional(),
  /** single-dict's training images (a folder, resolved). */
  trainData: z.string().min(1).optional(),
  threads: z.number().int().min(1).optional(),
  /** CBPDN iteration cap of single-dict and acsr instead of the bundle's tuned one (what another budget costs and protects). */
  maxIterations: z.number().int().min(1).optional(),
  seed: z.number().int().default(0),
  /** The results folder; running again into it resumes. */
  out: z.string().min(1),
  plots: z.boolean().default(true),
  /** Compute nothing: write the results of the batches finished so far. */
  reportOnly: z.boolean().default(false),
});

export type EvaluateParameters = z.input<typeof evaluateParameters>;

export interface EvaluateOutcome {
  outcome: EvaluateFolderOutcome;
  /** The evaluation's name (its folder's), as the accuracy tables carry it. */
  evaluationId: string;
  out: string;
  notes: string[];
}

export const evaluateAction = defineAction({
  name: 'eval',
  parameters: evaluateParameters,
  async run(parameters, { progress, signal, output, note }): Promise<EvaluateOutcome> {
    const { model, data, defenses, batchSize, seed, out, plots, reportOnly } = parameters;
    const evaluationId = basename(out);
    progress.report({ stage: 'loading', fraction: 0, message: model });
    const notes: string[] = [];
    const outcome = await evaluateFolder({
      model,
      data,
      defenseNames: defenses,
      batchSize,
      seed,
      out,
      plots,
      reportOnly,
      progress,
      signal,
      attacks: parameters.attacks.trim() === 'none' ? [] : parseAttackSpecs(parameters.attacks),
      note: (line) => {
        notes.push(line);
        note(line);
      },
      ...(parameters.bundlePath !== undefined ? { bundlePath: parameters.bundlePath } : {}),
      ...(parameters.adaptive ? { adaptive: { attack: parseAttackSpec(parameters.adaptive.attack), eotSamples: parameters.adaptive.eotSamples } } : {}),
      ...(parameters.limit !== undefined ? { limit: parameters.limit } : {}),
      ...(parameters.singleDict !== undefined ? { singleDict: parameters.singleDict } : {}),
      ...(parameters.trainData !== undefined ? { trainData: parameters.trainData } : {}),
      ...(parameters.threads !== undefined ? { threads: parameters.threads } : {}),
      ...(parameters.maxIterations !== undefined ? { maxIterations: parameters.maxIterations } : {}),
      ...(output ? { onPartialResults: (results: EvaluationResults) => output({ type: 'evaluation', table: accuracyTable(evaluationId, results) }) } : {}),
    });
    if (output && outcome.kind === 'evaluated') output({ type: 'evaluation', table: accuracyTable(evaluationId, outcome.results) });
    return { outcome, evaluationId, out, notes };
  },
  summary: ({ outcome, evaluationId, out, notes }) =>
    outcome.kind === 'report-only'
      ? { evaluationId, evaluationFolder: out, unitsTotal: outcome.unitsTotal, unitsReported: outcome.unitsReported, notes }
      : {
          evaluationId,
          evaluationFolder: out,
          images: outcome.results.setup.data.count,
          unitsRun: outcome.unitsRun,
          plots: outcome.written.filter((path) => path.endsWith('.png')).map((path) => path.slice(path.lastIndexOf('/') + 1, -'.png'.length)),
          notes,
        },
});

/** What the accuracy table is made of: the results of a run, or those read back from its results.json. */
export interface AccuracyTableSource {
  readonly complete: boolean;
  readonly rows: readonly string[];
  readonly setup: {
    readonly data: { readonly count: number };
    readonly attacks: readonly { readonly name: string; readonly budget: AttackBudget | null }[];
    readonly adaptive: { readonly budget: AttackBudget | null } | null;
    readonly defenses: readonly { readonly name: string }[];
  };
  readonly cells: readonly {
    readonly row: string;
    readonly defense: string;
    readonly accuracy: { readonly successes: number; readonly total: number; readonly value: number; readonly ci95: readonly [number, number] };
  }[];
}

/** The accuracy table as the Evaluation screen shows it. */
export function accuracyTable(evaluationId: string, results: AccuracyTableSource): EvaluationTable {
  return {
    evaluationId,
    complete: results.complete,
    imageCount: results.setup.data.count,
    rows: [...results.rows],
    rowBudgets: results.rows.map((row) => ({ row, budget: rowBudget(results, row) })),
    defenses: results.setup.defenses.map((defense) => defense.name),
    cells: results.cells.map((cell) => ({
      row: cell.row,
      defense: cell.defense,
      correct: cell.accuracy.successes,
      total: cell.accuracy.total,
      accuracy: cell.accuracy.value,
      low: cell.accuracy.ci95[0],
      high: cell.accuracy.ci95[1],
    })),
  };
}

/** The row's budget in words, as results.md states it. */
function rowBudget(results: AccuracyTableSource, row: string): string {
  if (row === CLEAN_ROW) return 'no attack';
  const budget = row === BPDA_ROW ? results.setup.adaptive?.budget : results.setup.attacks.find((attack) => attack.name === row)?.budget;
  return budget === undefined ? '' : describeBudget(budget);
}
