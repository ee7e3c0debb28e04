/**
 * Writes what an evaluation publishes into its --out folder, each file atomically (a reader never
 * sees half a table): results.json (every number, machine-readable), results.md (the tables),
 * accuracy-by-attack.png and, when an attack ran at several budgets, accuracy-vs-budget.png.
 * Rewritten after every unit, so an interrupted run still leaves readable partial results.
 */
import { join } from 'node:path';
import { writeFileAtomic } from '../../io/atomic-write.ts';
import type { EvaluationResults } from './evaluation-results.ts';
import { accuracyBarsPng, accuracyVsBudgetPng } from './results-plots.ts';
import { resultsMarkdown } from './results-markdown.ts';

export const RESULT_FILES = {
  json: 'results.json',
  markdown: 'results.md',
  bars: 'accuracy-by-attack.png',
  budget: 'accuracy-vs-budget.png',
} as const;

export async function writeEvaluationOutputs(outDir: string, results: EvaluationResults, options: { plots: boolean }): Promise<string[]> {
  const written: string[] = [];
  const write = async (name: string, content: string | Uint8Array) => {
    await writeFileAtomic(join(outDir, name), content);
    written.push(join(outDir, name));
  };
  await write(RESULT_FILES.json, `${JSON.stringify(results, null, 2)}\n`);
  await write(RESULT_FILES.markdown, resultsMarkdown(results));
  if (options.plots) {
    await write(RESULT_FILES.bars, await accuracyBarsPng(results));
    const budget = await accuracyVsBudgetPng(results);
    if (budget) await write(RESULT_FILES.budget, budget);
  }
  return written;
}
