/** `acsr eval` as a job of the workstation: its request, what the form may choose, its live accuracy table and its plots. */
import { z } from 'zod';
import { absolutePathSchema, bundleChoiceSchema, bundleIdSchema, classifierChoiceSchema, classifierIdSchema, folderNameSchema } from './common.ts';

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

export type EvaluationTable = z.output<typeof evaluationTableSchema>;
export type EvaluationPlot = z.output<typeof evaluationPlotSchema>;
