/** Evidence items of a case and their purification runs, as the grid, the item view and the image view show them. */
import { z } from 'zod';
import { CATEGORY_CODES } from '../../case/tag-categories.ts';
import { isoTimeSchema, itemIdSchema, sha256Schema, shortTextSchema } from './common.ts';

export const categoryCodeSchema = z.enum(CATEGORY_CODES);

/** What the grid shows of an item's known-content hash list matches (null: none). */
export const hashMatchBriefSchema = z.object({
  /** Names of the lists it matches, and the categories those lists give it. */
  lists: z.array(z.string()),
  categories: z.array(z.string()),
  /** Whether a file hash matched exactly (MD5, SHA-1, SHA-256), and the closest PDQ match in bits (null: none by PDQ). */
  exact: z.boolean(),
  closestPdqDistance: z.number().int().nullable(),
});

/** One known-content hash list match kept in the case, as the item view shows it. */
export const hashMatchViewSchema = z.object({
  listName: z.string(),
  /** The list's version: the SHA-256 of the file it was imported from. */
  listSha256: sha256Schema,
  line: z.number().int(),
  kind: z.enum(['pdq', 'md5', 'sha1', 'sha256']),
  distance: z.number().int(),
  /** In words: "as it is", "mirrored left to right"... (null for an exact hash). */
  variant: z.string().nullable(),
  category: z.string().nullable(),
  source: z.string().nullable(),
  foundAt: isoTimeSchema,
  examiner: z.string(),
});

/** The near-duplicate group an item is in (null: it has no near-duplicate in the case). */
export const nearDuplicateGroupBriefSchema = z.object({
  /** The item shown for the whole group when the grid groups near-duplicates. */
  representative: itemIdSchema,
  /** Every member, the representative included, in import order. */
  members: z.array(itemIdSchema),
});

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
  hashMatch: hashMatchBriefSchema.nullable(),
  nearDuplicates: nearDuplicateGroupBriefSchema.nullable(),
  /**
   * The content filter's probability per class on the evidence (its newest verdict on it: given at
   * import, or before a purification), or null when the item has not been scored.
   */
  filterScores: z.record(z.string(), z.number()).nullable(),
  /**
   * The evasion score of the latest purification run ("was this image made to fool the filter?"):
   * the estimated probability, the calibrated threshold and whether it lies above it. null: not
   * purified, or purified with a bundle that has no evasion check.
   */
  evasion: z.object({ score: z.number(), threshold: z.number(), suspected: z.boolean() }).nullable(),
});

/** How the grid is ordered: by item number (import order), name, size, date imported, one class's filter score, or the evasion score. */
export const evidenceSortSchema = z
  .strictObject({
    /** evasion: the evasion score of each item's newest purification (items without one last). */
    by: z.enum(['number', 'name', 'size', 'date', 'score', 'evasion']),
    /** The class whose score orders the grid; only with by 'score'. */
    className: shortTextSchema.pipe(z.string().min(1).max(100)).optional(),
    descending: z.boolean(),
  })
  .refine((sort) => (sort.by === 'score') === (sort.className !== undefined), 'choose the class to sort by score (and only then)');

/** A content filter that has scored items of the case, with its classes: what the verdict filter and the score sort offer. */
export const caseFilterModelSchema = z.object({
  modelId: z.string(),
  /** The filter's name as people say it (e.g. "nsfwjs 4.4 MobileNetV2 content filter"). */
  name: z.string(),
  classNames: z.array(z.string()),
});

/** One item with its whole record: what the item view shows. */
export const evidenceDetailSchema = evidenceSummarySchema.extend({
  md5: z.string(),
  pdqQuality: z.number(),
  originalPath: z.string(),
  importedAt: isoTimeSchema,
  importedBy: z.string(),
  decodeNotes: z.array(z.string()),
  /** Where filterScores come from: the filter (its name and id), its weights hash and when it scored the item. */
  filterScoresBy: z.object({ modelId: z.string(), name: z.string(), weightsSha256: sha256Schema, scoredAt: isoTimeSchema, atImport: z.boolean() }).nullable(),
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
  /** Every known-content hash list match kept for this item, oldest first. */
  hashMatches: z.array(hashMatchViewSchema),
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
export type HashMatchBrief = z.output<typeof hashMatchBriefSchema>;
export type HashMatchView = z.output<typeof hashMatchViewSchema>;
export type NearDuplicateGroupBrief = z.output<typeof nearDuplicateGroupBriefSchema>;
export type ViewPart = z.output<typeof viewPartSchema>;
export type RenderedViewPart = z.output<typeof renderedViewPartSchema>;
export type PurificationRunView = z.output<typeof purificationRunViewSchema>;

/**
 * How long purifying some items will take, from the case's earlier runs scaled by the images'
 * sizes: with this bundle ('this-bundle'), with other bundles when this one never ran here, or
 * no estimate yet ('none').
 */
export const purificationEstimateSchema = z.object({
  basis: z.enum(['this-bundle', 'other-bundles', 'none']),
  runsMeasured: z.number().int(),
  /** For the items asked about; null without measured runs. */
  seconds: z.number().nullable(),
  secondsPerImage: z.number().nullable(),
  secondsPerMegapixel: z.number().nullable(),
});
export type PurificationEstimate = z.output<typeof purificationEstimateSchema>;
export type EvidenceSort = z.output<typeof evidenceSortSchema>;
export type CaseFilterModel = z.output<typeof caseFilterModelSchema>;
export type RunEvasion = z.output<typeof runEvasionSchema>;
