/**
 * The channel names: every request channel names its input and output schema, every event channel
 * its payload schema. Hosts parse every input with these schemas before any service sees it
 * (validated-dispatch.ts).
 */
import { z } from 'zod';
import { appStateSchema, caseSummarySchema, createCaseInputSchema, importFailureSchema, setExaminerInputSchema } from './cases.ts';
import {
  bundleChoiceSchema,
  bundleIdSchema,
  caseIdSchema,
  classifierChoiceSchema,
  emptyInputSchema,
  itemIdSchema,
  jobIdSchema,
  shortTextSchema,
} from './common.ts';
import { evaluationChoicesSchema, evaluationIdSchema, evaluationPlotSchema, pastEvaluationSchema } from './evaluation.ts';
import { folderBrowseInputSchema, folderListingSchema } from './folders.ts';
import {
  caseFilterModelSchema,
  categoryCodeSchema,
  evidenceDetailSchema,
  evidenceSortSchema,
  evidenceSummarySchema,
  noteTextSchema,
  purificationEstimateSchema,
  purificationRunViewSchema,
  renderedViewPartSchema,
  viewPartSchema,
} from './items.ts';
import { jobOutputEventSchema, jobRequestSchema, jobSnapshotSchema } from './jobs.ts';
import { trainingChoicesSchema } from './training.ts';
import { workerQueueSettingSchema, workerQueueStatusSchema } from './workers.ts';

function request<I extends z.ZodType, O extends z.ZodType>(input: I, output: O) {
  return { input, output };
}

const tagSchema = shortTextSchema.pipe(z.string().min(1, 'cannot be empty').max(100));
const tagIdSchema = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);
/** A tag or category change: how many items, and the new tags' ids, which an undo takes back. */
const taggedSchema = z.object({ tagged: z.number().int(), tagIds: z.array(tagIdSchema) });

/** Renderer-to-main calls, each answered once. */
export const requestChannels = {
  'app.state': request(emptyInputSchema, appStateSchema),
  'app.setExaminer': request(setExaminerInputSchema, appStateSchema),
  'app.setBlurByDefault': request(z.strictObject({ blur: z.boolean() }), appStateSchema),
  'cases.list': request(emptyInputSchema, z.array(caseSummarySchema)),
  'cases.create': request(createCaseInputSchema, caseSummarySchema),
  'cases.get': request(z.strictObject({ caseId: caseIdSchema }), caseSummarySchema),
  /** Every file the case's imports did not take in (file, plain reason, detail), oldest import first. */
  'cases.importFailures': request(z.strictObject({ caseId: caseIdSchema }), z.array(importFailureSchema)),
  'evidence.list': request(
    z.strictObject({
      caseId: caseIdSchema,
      category: categoryCodeSchema.optional(),
      uncategorised: z.boolean().optional(),
      /** Items carrying every one of these user tags. */
      tags: z
        .array(shortTextSchema.pipe(z.string().min(1).max(100)))
        .max(20)
        .optional(),
      /** true: purified at least once; false: never purified. */
      purified: z.boolean().optional(),
      /** Items whose latest verdict at this stage has this top class. */
      verdict: z.strictObject({ stage: z.enum(['before', 'after']), topClass: shortTextSchema.pipe(z.string().min(1).max(100)) }).optional(),
      /** Items that match a known-content hash list; with a category, a list entry of that category. */
      hashMatch: z.strictObject({ category: shortTextSchema.pipe(z.string().min(1).max(100)).optional() }).optional(),
      /** Items whose file name or original path contains this text (any case). */
      search: shortTextSchema.optional(),
      /** Default: by item number, ascending. */
      sort: evidenceSortSchema.optional(),
      /** true: only items whose latest purification scored above its evasion threshold. */
      suspectedEvasion: z.boolean().optional(),
    }),
    z.array(evidenceSummarySchema),
  ),
  /** The content filters that have scored items of this case, with their classes (an empty list before any import). */
  'evidence.filterModels': request(z.strictObject({ caseId: caseIdSchema }), z.array(caseFilterModelSchema)),
  'evidence.thumbnail': request(
    z.strictObject({ caseId: caseIdSchema, itemId: itemIdSchema, maxEdge: z.number().int().min(32).max(1024) }),
    z.object({ mediaType: z.literal('image/jpeg'), base64: z.string() }),
  ),
  'evidence.setCategory': request(
    z.strictObject({
      caseId: caseIdSchema,
      itemIds: z.array(itemIdSchema).min(1).max(10_000),
      category: categoryCodeSchema,
      comment: shortTextSchema.optional(),
    }),
    taggedSchema,
  ),
  /** Takes back one change (the tag ids a setCategory or tagItems answered), recorded as a reversal in the audit log. */
  'evidence.undoTags': request(
    z.strictObject({ caseId: caseIdSchema, tagIds: z.array(tagIdSchema).min(1).max(10_000) }),
    z.object({ undone: z.number().int(), itemIds: z.array(itemIdSchema) }),
  ),
  'evidence.get': request(z.strictObject({ caseId: caseIdSchema, itemId: itemIdSchema }), evidenceDetailSchema),
  'evidence.addTag': request(z.strictObject({ caseId: caseIdSchema, itemId: itemIdSchema, tag: tagSchema }), evidenceDetailSchema),
  /** Bulk action of the grid: one user tag for every selected item. */
  'evidence.tagItems': request(z.strictObject({ caseId: caseIdSchema, itemIds: z.array(itemIdSchema).min(1).max(10_000), tag: tagSchema }), taggedSchema),
  'evidence.addNote': request(z.strictObject({ caseId: caseIdSchema, itemId: itemIdSchema, text: noteTextSchema }), evidenceDetailSchema),
  /** Every purification run of an item, oldest first. */
  'evidence.purifications': request(z.strictObject({ caseId: caseIdSchema, itemId: itemIdSchema }), z.array(purificationRunViewSchema)),
  /** One part of a run (or the original) as a display PNG, its signed parts scaled by the gain the answer states. */
  'evidence.viewPart': request(
    z.strictObject({
      caseId: caseIdSchema,
      itemId: itemIdSchema,
      runId: z.number().int().positive().max(Number.MAX_SAFE_INTEGER),
      part: viewPartSchema,
      maxEdge: z.number().int().min(64).max(2048),
    }),
    renderedViewPartSchema,
  ),
  /** How long purifying these items with this bundle will take, from the case's earlier runs. */
  'purification.estimate': request(
    z.strictObject({ caseId: caseIdSchema, itemIds: z.array(itemIdSchema).min(1).max(10_000), bundleId: bundleIdSchema }),
    purificationEstimateSchema,
  ),
  /** The bundles and content filters a purify job may use (ids only travel back). */
  'purification.choices': request(
    emptyInputSchema,
    z.object({
      bundles: z.array(bundleChoiceSchema),
      classifiers: z.array(classifierChoiceSchema),
      defaultBundleId: z.string().nullable(),
      defaultClassifierId: z.string().nullable(),
    }),
  ),
  /** What the training form may use and starts from. */
  'training.choices': request(emptyInputSchema, trainingChoicesSchema),
  /** What an evaluation may use: registry classifiers, bundles by id, defense names, and the defaults. */
  'evaluation.choices': request(emptyInputSchema, evaluationChoicesSchema),
  /** A plot of a finished evaluation of this workspace, by evaluation id and plot name (never a path). */
  'evaluation.plot': request(
    z.strictObject({ evaluationId: evaluationIdSchema, plot: evaluationPlotSchema }),
    z.object({ mediaType: z.literal('image/png'), base64: z.string() }),
  ),
  /** The workspace's evaluations, newest first: status, dataset, bundle, accuracy table and plots. */
  'evaluation.list': request(emptyInputSchema, z.array(pastEvaluationSchema)),
  /** Continues a stopped evaluation in its own folder: the units in its journal are not computed again. */
  'evaluation.resume': request(z.strictObject({ evaluationId: evaluationIdSchema }), jobSnapshotSchema),
  /** The workspace's worker queue, and how many workers are connected to it now. */
  'workers.status': request(emptyInputSchema, workerQueueStatusSchema),
  /** Sets (or, with null, removes) the workspace's worker queue; answers its status. */
  'workers.setQueue': request(z.strictObject({ setting: workerQueueSettingSchema.nullable() }), workerQueueStatusSchema),
  'jobs.start': request(jobRequestSchema, jobSnapshotSchema),
  'jobs.cancel': request(z.strictObject({ jobId: jobIdSchema }), jobSnapshotSchema),
  'jobs.list': request(emptyInputSchema, z.array(jobSnapshotSchema)),
  /** Everything a job has shown so far besides progress (elbow curves, atom grids...), for a screen opened mid-job. */
  'jobs.outputs': request(z.strictObject({ jobId: jobIdSchema }), z.array(jobOutputEventSchema)),
  /** The browser host's folder browser: sub-folders inside the allowed roots only (main/workstation/folder-browser.ts). */
  'folders.browse': request(folderBrowseInputSchema, folderListingSchema),
  /** A native folder dialog (Electron only; the browser host answers 'unavailable'). */
  'dialog.chooseFolder': request(z.strictObject({ title: shortTextSchema.optional() }), z.object({ path: z.string().nullable() })),
} as const;

/** Main-to-renderer notifications. */
export const eventChannels = {
  /** Every state change and (throttled) progress of a job. */
  'jobs.changed': jobSnapshotSchema,
  /** Each output of a job (main/jobs/job-outputs.ts), once, as the job produces it. */
  'jobs.output': jobOutputEventSchema,
} as const;

export type RequestChannel = keyof typeof requestChannels;
export type EventChannel = keyof typeof eventChannels;
export type RequestInput<C extends RequestChannel> = z.input<(typeof requestChannels)[C]['input']>;
export type ParsedRequestInput<C extends RequestChannel> = z.output<(typeof requestChannels)[C]['input']>;
export type RequestOutput<C extends RequestChannel> = z.output<(typeof requestChannels)[C]['output']>;
export type EventPayload<E extends EventChannel> = z.output<(typeof eventChannels)[E]>;

export const REQUEST_CHANNELS = Object.keys(requestChannels) as RequestChannel[];
export const EVENT_CHANNELS = Object.keys(eventChannels) as EventChannel[];

export function isRequestChannel(name: unknown): name is RequestChannel {
  return typeof name === 'string' && Object.hasOwn(requestChannels, name);
}

export function isEventChannel(name: unknown): name is EventChannel {
  return typeof name === 'string' && Object.hasOwn(eventChannels, name);
}
