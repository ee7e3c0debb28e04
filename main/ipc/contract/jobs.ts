/** Every long action runs as a job in one queue: the requests that start one, its snapshot, and the outputs it shows besides progress. */
import { z } from 'zod';
import {
  absolutePathSchema,
  bundleIdSchema,
  caseIdSchema,
  classifierIdSchema,
  clusterIdSchema,
  isoTimeSchema,
  itemIdSchema,
  jobIdSchema,
  progressEventSchema,
  shortTextSchema,
} from './common.ts';
import { evalJobRequestSchema, evaluationOutputSchema } from './evaluation.ts';
import { categoryCodeSchema } from './items.ts';
import { atomsOutputSchema, specificityOutputSchema, trainJobRequestSchema, wcssOutputSchema } from './training.ts';

/** 'purify-on-workers': a purification computed by the worker fleet and recorded by this workstation. */
export const jobKindSchema = z.enum(['import', 'purify', 'purify-on-workers', 'train', 'eval', 'report', 'verify']);
export const jobStateSchema = z.enum(['queued', 'running', 'completed', 'failed', 'cancelled']);

export const jobSnapshotSchema = z.object({
  jobId: jobIdSchema,
  kind: jobKindSchema,
  /** A line for people, e.g. "Import into 2026-0042". */
  label: z.string(),
  caseId: caseIdSchema.nullable(),
  state: jobStateSchema,
  progress: progressEventSchema.nullable(),
  /** Why a failed job failed, in words for the investigator. */
  error: z.string().nullable(),
  /** The technical line behind a failure that is the workstation's fault, shown on demand only (for a bug report). */
  errorDetails: z.string().nullable(),
  /** What the job reports when it completes (counts, output paths), as plain JSON. */
  summary: z.record(z.string(), z.unknown()).nullable(),
  queuedAt: isoTimeSchema,
  finishedAt: isoTimeSchema.nullable(),
});

export const importJobRequestSchema = z
  .strictObject({
    kind: z.literal('import'),
    caseId: caseIdSchema,
    /** Folders (searched recursively) or files; originals are only read, never modified. */
    sources: z.array(absolutePathSchema).min(1).max(100).optional(),
    /** Instead of sources: continue this unfinished import of the case (its job id in the case database). */
    resumeCaseJobId: z.number().int().positive().optional(),
  })
  .refine((request) => (request.sources === undefined) !== (request.resumeCaseJobId === undefined), 'give either sources or resumeCaseJobId');

/** Stage iii purification of evidence items, stored in the case with its record (main/case/purify-evidence.ts). */
export const purifyJobRequestSchema = z
  .strictObject({
    kind: z.literal('purify'),
    caseId: caseIdSchema,
    itemIds: z.array(itemIdSchema).min(1).max(10_000).optional(),
    /** Default: the bundle that ships with the workstation. */
    bundleId: bundleIdSchema.optional(),
    /** Scores evidence and output (verdicts before/after); default nsfwjs-mobilenet-v2, null for none. */
    classifierId: classifierIdSchema.nullable().optional(),
    /** An investigator's choice of cluster instead of the method's own, with the reason recorded in the audit log. */
    override: z.strictObject({ cluster: clusterIdSchema, reason: shortTextSchema.pipe(z.string().min(1, 'say why you chose another cluster')) }).optional(),
    /** Instead of itemIds: carry on with this unfinished purify job of the case, with its own settings (a run on workers re-attaches to its queue). */
    resumeCaseJobId: z.number().int().positive().optional(),
    /** Computed by the workers of the workspace's queue and recorded here (the verdicts are computed here too). */
    onWorkers: z.boolean().optional(),
  })
  .refine((request) => (request.itemIds === undefined) !== (request.resumeCaseJobId === undefined), 'give either itemIds or resumeCaseJobId')
  .refine(
    (request) =>
      request.resumeCaseJobId === undefined || (request.bundleId === undefined && request.classifierId === undefined && request.override === undefined),
    'a resumed purify job keeps its own bundle, classifier and override',
  )
  .refine((request) => !request.onWorkers || request.resumeCaseJobId === undefined, 'a resumed purify job runs where it ran before');

/** The case's audit report, written into the case's reports/ folder and recorded in the case. */
export const reportJobRequestSchema = z.strictObject({
  kind: z.literal('report'),
  caseId: caseIdSchema,
  formats: z
    .array(z.enum(['html', 'pdf', 'json']))
    .min(1)
    .max(3),
  /** Thumbnails in HTML/PDF blurred and greyscale (the default) or as they are. */
  blurThumbnails: z.boolean().optional(),
  /** Report only these items, or only the items of this category (not both); the whole case by default. */
  itemIds: z.array(itemIdSchema).min(1).max(100_000).optional(),
  category: categoryCodeSchema.optional(),
  /** Print GPS coordinates found in EXIF (by default only whether a position is recorded). */
  gpsCoordinates: z.boolean().optional(),
});

/** Recompute the audit chain and every stored file's hash; the result is recorded in the audit log. */
export const verifyJobRequestSchema = z.strictObject({ kind: z.literal('verify'), caseId: caseIdSchema });

export const jobRequestSchema = z.discriminatedUnion('kind', [
  importJobRequestSchema,
  purifyJobRequestSchema,
  trainJobRequestSchema,
  evalJobRequestSchema,
  reportJobRequestSchema,
  verifyJobRequestSchema,
]);

/** What a job shows while it runs, besides its progress (main/jobs/job-outputs.ts). */
export const jobOutputSchema = z.discriminatedUnion('type', [wcssOutputSchema, atomsOutputSchema, specificityOutputSchema, evaluationOutputSchema]);

/** An output of a job, numbered from 0 in the order the job produced them. */
export const jobOutputEventSchema = z.object({ jobId: jobIdSchema, index: z.number().int().nonnegative(), output: jobOutputSchema });

export type JobSnapshot = z.output<typeof jobSnapshotSchema>;
export type JobRequest = z.output<typeof jobRequestSchema>;
export type JobKind = z.output<typeof jobKindSchema>;
export type JobOutput = z.output<typeof jobOutputSchema>;
export type JobOutputEvent = z.output<typeof jobOutputEventSchema>;
