/** Evidence items of a case and their purification runs, as the grid, the item view and the image view show them. */
import { z } from 'zod';
import { CATEGORY_CODES } from '../../case/tag-categories.ts';
import { isoTimeSchema, itemIdSchema, sha256Schema } from './common.ts';

export const categoryCodeSchema = z.enum(CATEGORY_CODES);

export const evidenceSummarySchema = z.object({
  itemId: itemIdSchema,
  originalName: z.string(),
  mediaType: z.string(),
  width: z.number().int(),
  height: z.number().int(),
  sizeBytes: z.number().int(),
  sha256: sha256Schema,
  pdqHash: z.string(),
  category: categoryCodeSchema.nullable(),
  tags: z.array(z.string()),
  /** How many purification runs the item has (0: not purified). */
  purificationRuns: z.number().int().nonnegative(),
  /** The content filter's top class on the evidence and on the latest purified output, if classified. */
  verdictBefore: z.string().nullable(),
  verdictAfter: z.string().nullable(),
  /**
   * The evasion score of the latest purification run ("was this image made to fool the filter?"):
   * the estimated probability, the calibrated threshold and whether it lies above it. null: not
   * purified, or purified with a bundle that has no evasion check.
   */
  evasion: z.object({ score: z.number(), threshold: z.number(), suspected: z.boolean() }).nullable(),
});

/** One item with its whole record: what the item view shows. */
export const evidenceDetailSchema = evidenceSummarySchema.extend({
  md5: z.string(),
  pdqQuality: z.number(),
  originalPath: z.string(),
  importedAt: isoTimeSchema,
  importedBy: z.string(),
  decodeNotes: z.array(z.string()),
  /** Every category and tag ever given, oldest first (the latest category is the current one). */
  tagHistory: z.array(
    z.object({
      kind: z.enum(['category', 'user']),
      value: z.string(),
      comment: z.string().nullable(),
      examiner: z.string(),
      createdAt: isoTimeSchema,
      /** Taken back by an undo: shown in the history, no longer in effect. */
      reversed: z.boolean(),
    }),
  ),
  notes: z.array(z.object({ text: z.string(), examiner: z.string(), createdAt: isoTimeSchema })),
});

/** Notes may span lines; other control characters are refused. */
export const noteTextSchema = z
  .string()
  .trim()
  .min(1, 'a note cannot be empty')
  .max(5000)
  .refine((text) => !/[\u0000-\u0008\u000b-\u001f\u007f]/.test(text), 'the note contains control characters');

/** The parts of a purification run the image view shows, side by side. */
export const viewPartSchema = z.enum(['original', 'low', 'high', 'reconstructedHigh', 'purified', 'difference']);

/**
 * A part as a display PNG. Signed parts are drawn as value x gain + 0.5 (grey is zero); `gain`
 * says which factor was applied (null: drawn as stored), so the screen can state it.
 */
export const renderedViewPartSchema = z.object({
  mediaType: z.literal('image/png'),
  base64: z.string(),
  width: z.number().int(),
  height: z.number().int(),
  gain: z.number().positive().nullable(),
});

const scoresSchema = z.record(z.string(), z.number());

/** A run's evasion score with every signal behind it: what the item view explains. */
export const runEvasionSchema = z.object({
  score: z.number(),
  threshold: z.number(),
  suspected: z.boolean(),
  /** The share of clean images the threshold was set to flag, e.g. 0.05. */
  falsePositiveTarget: z.number(),
  /** Each signal's value and its share of the log-odds (positive: towards "made to fool the filter"). */
  signals: z.array(z.object({ name: z.string(), value: z.number(), contribution: z.number() })),
  classifierId: z.string(),
  /** The run used other purification settings than the calibration's: its threshold may not hold its rate. */
  settingsDiffer: z.boolean(),
});

/** One purification run of an item, as the image view shows it. */
export const purificationRunViewSchema = z.object({
  runId: z.number().int().positive(),
  caseJobId: z.number().int().nullable(),
  createdAt: isoTimeSchema,
  examiner: z.string(),
  bundleId: z.string(),
  bundleManifestSha256: sha256Schema,
  /** Every cluster of the bundle with the input's Mahalanobis distance to it, in bundle order. */
  clusters: z.array(z.object({ clusterId: z.string(), distance: z.number() })),
  /** The nearest cluster (the method's choice) and the one the dictionary came from. */
  chosenClusterId: z.string(),
  usedClusterId: z.string(),
  override: z.object({ clusterId: z.string(), examiner: z.string(), reason: z.string() }).nullable(),
  inputSha256: sha256Schema,
  inputPdqHash: z.string(),
  outputSha256: sha256Schema,
  outputPdqHash: z.string(),
  pdqDistance: z.number().int(),
  converged: z.boolean(),
  iterations: z.number().int(),
  totalMs: z.number(),
  /** False for runs recorded before the parts were kept: only original and purified can be shown. */
  hasComponents: z.boolean(),
  verdicts: z.object({ modelId: z.string(), before: scoresSchema, after: scoresSchema, topBefore: z.string(), topAfter: z.string() }).nullable(),
  /** null: the run's bundle has no evasion check. */
  evasion: runEvasionSchema.nullable(),
});

export type CategoryCode = z.output<typeof categoryCodeSchema>;
export type EvidenceSummary = z.output<typeof evidenceSummarySchema>;
export type EvidenceDetail = z.output<typeof evidenceDetailSchema>;
export type ViewPart = z.output<typeof viewPartSchema>;
export type RenderedViewPart = z.output<typeof renderedViewPartSchema>;
export type PurificationRunView = z.output<typeof purificationRunViewSchema>;
export type RunEvasion = z.output<typeof runEvasionSchema>;
