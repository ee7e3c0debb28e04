/** `acsr eval` as a job of the workstation: its request, what the form may choose, its live accuracy table and its plots. */
import { z } from 'zod';
import {
  absolutePathSchema,
  bundleChoiceSchema,
  bundleIdSchema,
  classifierChoiceSchema,
  classifierIdSchema,
  folderNameSchema,
  isoTimeSchema,
  jobIdSchema,
} from './common.ts';

/** An evaluation's folder in the workspace's evaluations/, by name (the workstation names it). */
export const evaluationIdSchema = folderNameSchema;
export const evaluationPlotSchema = z.enum(['accuracy-by-attack', 'accuracy-vs-budget']);

/**
 * `acsr eval` on a labelled folder (class sub-folders named as the classifier's classes), into the
 * workspace's evaluations/ (main/actions/evaluate-action.ts). Attacks are specs as `acsr eval --attacks`
 * takes them, parsed again on the main side; defenses by name; the bundle by id.
 */
export const evalJobRequestSchema = z.strictObject({
  kind: z.literal('eval'),
  labelledFolder: absolutePathSchema,
  modelId: classifierIdSchema.optional(),
  /** The bundle acsr purifies with; default the shipped one. */
  bundleId: bundleIdSchema.optional(),
  attacks: z
    .string()
    .trim()
    .max(300)
    .regex(/^[A-Za-z0-9:.,=/_-]*$/, 'write each attack as a name or name:budget, separated by commas (for example fgsm-dis:0.08)'),
  defenses: z
    .array(z.string().regex(/^[a-z0-9-]{1,32}$/, 'choose from the list'))
    .min(1)
    .max(12),
  /** Evaluate the first N images only (classes interleaved). */
  limit: z.number().int().min(1).max(100_000).optional(),
});

/** What an evaluation may use: registry classifiers, bundles by id, defense names, and the defaults of the main side. */
export const evaluationChoicesSchema = z.object({
  models: z.array(classifierChoiceSchema),
  bundles: z.array(bundleChoiceSchema),
  defenses: z.array(z.string()),
  defaultBundleId: z.string().nullable(),
  defaultModelId: z.string().nullable(),
});

/** An evaluation's accuracy table: rows 'clean' and each attack, columns the defenses, Wilson 95 % intervals. */
export const evaluationTableSchema = z.object({
  evaluationId: evaluationIdSchema,
  /** False while units are still running: the cells so far. */
  complete: z.boolean(),
  imageCount: z.number().int(),
  rows: z.array(z.string()),
  /** How each row's budget is measured and normalised, in words (e.g. "L2 dissimilarity ||x'-x||_2 / ||x||_2 <= 0.04"). */
  rowBudgets: z.array(z.object({ row: z.string(), budget: z.string() })),
  defenses: z.array(z.string()),
  cells: z.array(
    z.object({
      row: z.string(),
      defense: z.string(),
      correct: z.number().int(),
      total: z.number().int(),
      accuracy: z.number(),
      low: z.number(),
      high: z.number(),
    }),
  ),
});

export const evaluationOutputSchema = z.object({ type: z.literal('evaluation'), table: evaluationTableSchema });

/**
 * An evaluation of the workspace's evaluations/ folder as the list of past evaluations shows it.
 * 'stopped': cancelled, failed or cut off by a restart, with the units it finished in its journal.
 */
export const evaluationStatusSchema = z.enum(['complete', 'running', 'stopped']);
export const pastEvaluationSchema = z.object({
  evaluationId: evaluationIdSchema,
  /** Where its results.json, results.md, plots and journal are (shown so that it can be opened or copied). */
  folder: z.string(),
  startedAt: isoTimeSchema.nullable(),
  /** When its results were last written. */
  updatedAt: isoTimeSchema.nullable(),
  /** e.g. "16 images of the Fashion-MNIST test split" */
  dataset: z.string(),
  /** The classifier by its description, and by id. */
  model: z.object({ id: z.string(), label: z.string() }).nullable(),
  /** The reference bundle by its human name; null when no defense used one. */
  bundle: z.string().nullable(),
  attacks: z.array(z.string()),
  defenses: z.array(z.string()),
  status: evaluationStatusSchema,
  /** Why Resume is not offered for a stopped evaluation (null when it is, or when it is not stopped). */
  cannotResume: z.string().nullable(),
  /** The job of this session running or last run for it. */
  jobId: jobIdSchema.nullable(),
  /** Its accuracy table so far; null before its first unit finished. */
  table: evaluationTableSchema.nullable(),
  plots: z.array(evaluationPlotSchema),
});

export type EvaluationTable = z.output<typeof evaluationTableSchema>;
export type PastEvaluation = z.output<typeof pastEvaluationSchema>;
export type EvaluationPlot = z.output<typeof evaluationPlotSchema>;
