/**
 * The IPC contract: the one module that the main process, the preload script and the renderer
 * share. Every request channel names its input and output schema; every event channel names its
 * payload schema. The renderer is untrusted, so hosts (Electron's ipcMain and the loopback
 * WebSocket of `acsr serve`) parse every input with these schemas before any service sees it
 * (see validated-dispatch.ts); strict objects refuse unknown keys, so a compromised renderer
 * cannot smuggle options past the boundary.
 *
 * Everything here must stay free of Node and Electron imports: it is bundled into the renderer.
 */
import { z } from 'zod';
import type { ProgressEvent } from '../progress/progress.ts';
import { CATEGORY_CODES } from '../case/tag-categories.ts';

// ---- building blocks ------------------------------------------------------------------------

const noControlCharacters = (text: string) => !/\p{Cc}/u.test(text);

/** A case is addressed by its folder's name inside the workspace, never by a path. */
export const caseIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'a case id is a folder name: letters, digits, . _ - (at most 64)')
  .refine((id) => !id.includes('..'), 'a case id cannot contain ..');

const examinerNameSchema = z
  .string()
  .trim()
  .min(1, 'the examiner name cannot be empty')
  .max(100)
  .refine(noControlCharacters, 'the examiner name contains control characters');

const shortTextSchema = z.string().trim().max(200).refine(noControlCharacters, 'text contains control characters');

/** Paths typed by a person or returned by a native dialog: absolute, at most 4096 characters. */
export const absolutePathSchema = z
  .string()
  .min(1)
  .max(4096)
  .refine((path) => !path.includes('\0'), 'a path cannot contain NUL')
  .refine((path) => path.startsWith('/') || /^[A-Za-z]:[\\/]/.test(path) || path.startsWith('\\\\'), 'give an absolute path');

const itemIdSchema = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);
const jobIdSchema = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);
export const categoryCodeSchema = z.enum(CATEGORY_CODES);
const isoTimeSchema = z.string();
const sha256Schema = z.string().regex(/^[0-9a-f]{64}$/);
const emptyInputSchema = z.strictObject({});
/** A reference bundle by id: the shipped default or one trained into the workspace; never a path. */
export const bundleIdSchema = z.string().regex(/^(default-bundle|trained:[A-Za-z0-9][A-Za-z0-9._-]{0,63})$/, 'not a bundle id');
/** A content filter of the model registry, by id. */
export const classifierIdSchema = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/, 'not a classifier id');

// ---- progress (main/progress/progress.ts is the one progress interface) ----------------------

export const progressEventSchema = z.object({
  stage: z.string(),
  stageFraction: z.number(),
  fraction: z.number(),
  message: z.string().optional(),
  metrics: z.record(z.string(), z.union([z.number(), z.array(z.number())])).optional(),
  elapsedSeconds: z.number(),
  etaSeconds: z.number().nullable(),
});
// Compile-time proof that the schema and the interface describe the same object.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const progressEventMatches: Same<z.infer<typeof progressEventSchema>, ProgressEvent> = true;
void progressEventMatches;

// ---- records shown by the renderer ----------------------------------------------------------

export const appStateSchema = z.object({
  host: z.enum(['electron', 'browser']),
  /** Null until the person at the keyboard has said who they are (first run). */
  examiner: z.string().nullable(),
  /** Investigator wellness: thumbnails blurred and greyscale unless revealed one by one. */
  blurByDefault: z.boolean(),
  /** Electron offers native folder dialogs; the browser host asks for a typed path instead. */
  nativeFolderDialog: z.boolean(),
  workspace: z.string(),
});

const unfinishedJobSchema = z.object({
  caseJobId: z.number().int().positive(),
  state: z.enum(['cancelled', 'failed', 'interrupted']),
  done: z.number().int(),
  total: z.number().int().nullable(),
});

export const caseSummarySchema = z.object({
  caseId: caseIdSchema,
  number: z.string(),
  title: z.string(),
  requester: z.string().nullable(),
  createdAt: isoTimeSchema,
  createdBy: z.string(),
  itemCount: z.number().int().nonnegative(),
  /** Imports that stopped before finishing (cancelled, failed, or their process died): each can be resumed. */
  unfinishedImports: z.array(unfinishedJobSchema),
  /** Purify jobs that stopped before finishing (a host restart leaves them interrupted or cancelled): resuming purifies the rest. */
  unfinishedPurifications: z.array(unfinishedJobSchema),
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
  tagHistory: z.array(z.object({ kind: z.enum(['category', 'user']), value: z.string(), comment: z.string().nullable(), examiner: z.string(), createdAt: isoTimeSchema })),
  notes: z.array(z.object({ text: z.string(), examiner: z.string(), createdAt: isoTimeSchema })),
});

/** A reference bundle the renderer may choose (the path stays on the main side). */
export const bundleChoiceSchema = z.object({
  bundleId: bundleIdSchema,
  label: z.string(),
  /** What a purification run records as the bundle's identity. */
  manifestSha256: sha256Schema,
  extractorId: z.string(),
  clusterIds: z.array(z.string()),
  description: z.string(),
  /** the defense tuning recommended on the bundle's own validation images, in one sentence (absent: never compared) */
  recommendation: z.object({ defense: z.string(), sentence: z.string() }).nullable().optional(),
});

export const classifierChoiceSchema = z.object({ classifierId: classifierIdSchema, label: z.string(), classNames: z.array(z.string()) });

/** The parts of a purification run the image view shows, side by side. */
export const viewPartSchema = z.enum(['original', 'low', 'high', 'reconstructedHigh', 'purified', 'difference']);

/**
 * Display scaling of the signed parts: value x gain + 0.5 (grey is zero), stated on screen next
 * to each panel. Small parts need a gain to be seen at all; the gain is for display only.
 */
export const VIEW_PART_DISPLAY: Record<z.output<typeof viewPartSchema>, { title: string; gain: number | null; scaling: string }> = {
  original: { title: 'Original x', gain: null, scaling: 'as stored' },
  low: { title: 'Low frequency x_low', gain: null, scaling: 'as computed' },
  high: { title: 'High frequency x_high', gain: 4, scaling: 'x_high ×4 + 0.5' },
  reconstructedHigh: { title: 'Reconstructed high D·y', gain: 4, scaling: 'D·y ×4 + 0.5' },
  purified: { title: 'Purified x_pur', gain: null, scaling: 'as stored' },
  difference: { title: 'Difference x_pur − x', gain: 8, scaling: '(x_pur − x) ×8 + 0.5' },
};

const scoresSchema = z.record(z.string(), z.number());

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
  verdicts: z
    .object({ modelId: z.string(), before: scoresSchema, after: scoresSchema, topBefore: z.string(), topAfter: z.string() })
    .nullable(),
});

/** Notes may span lines; other control characters are refused. */
const noteTextSchema = z
  .string()
  .trim()
  .min(1, 'a note cannot be empty')
  .max(5000)
  .refine((text) => !/[\u0000-\u0008\u000b-\u001f\u007f]/.test(text), 'the note contains control characters');

export const jobKindSchema = z.enum(['import', 'purify', 'train', 'eval', 'report', 'verify']);
export const jobStateSchema = z.enum(['queued', 'running', 'completed', 'failed', 'cancelled']);

export const jobSnapshotSchema = z.object({
  jobId: jobIdSchema,
  kind: jobKindSchema,
  /** A line for people, e.g. "Import into 2026-0042". */
  label: z.string(),
  caseId: caseIdSchema.nullable(),
  state: jobStateSchema,
  progress: progressEventSchema.nullable(),
  error: z.string().nullable(),
  /** What the job reports when it completes (counts, output paths), as plain JSON. */
  summary: z.record(z.string(), z.unknown()).nullable(),
  queuedAt: isoTimeSchema,
  finishedAt: isoTimeSchema.nullable(),
});

// ---- job requests: one queue for every long action ------------------------------------------

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

/** A cluster of a bundle: '<class name>:<index>'. */
const clusterIdSchema = z.string().max(100).regex(/^[^:]+:\d{1,3}$/, 'a cluster id reads <class>:<index>').refine(noControlCharacters, 'the cluster id contains control characters');

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
    override: z.strictObject({ cluster: clusterIdSchema, reason: shortTextSchema.pipe(z.string().min(1, 'an override needs a reason')) }).optional(),
    /** Instead of itemIds: carry on with this unfinished purify job of the case, with its own settings. */
    resumeCaseJobId: z.number().int().positive().optional(),
  })
  .refine((request) => (request.itemIds === undefined) !== (request.resumeCaseJobId === undefined), 'give either itemIds or resumeCaseJobId')
  .refine(
    (request) => request.resumeCaseJobId === undefined || (request.bundleId === undefined && request.classifierId === undefined && request.override === undefined),
    'a resumed purify job keeps its own bundle, classifier and override',
  );

/** A name for a new folder the workstation creates (a trained bundle): never a path. */
export const folderNameSchema = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'a name of letters, digits, . _ - (at most 64), starting with a letter or digit').refine((name) => !name.includes('..'), 'a name cannot contain ..');

/** What the training form starts from: main/acsr/references/train-references.ts's defaults (a test keeps them equal). */
export const TRAINING_FORM_DEFAULTS = { extractorId: 'nsfwjs-mobilenet-v2', kMax: 5, atoms: 32, atomSize: 8, covariance: 'ledoit-wolf', cdlIterations: 60, seed: 0 } as const;

/**
 * Stage i training of a reference bundle from a labelled folder (one sub-folder per class) into
 * the workspace's bundles/<bundleName>/ (main/jobs/train-job.ts). The folder comes from the
 * native dialog (Electron, granted paths) or is typed by the person (browser host), as for import.
 */
export const trainJobRequestSchema = z.strictObject({
  kind: z.literal('train'),
  labelledFolder: absolutePathSchema,
  bundleName: folderNameSchema,
  /** A model of the registry whose latent space is clustered; default nsfwjs-mobilenet-v2. */
  extractorId: classifierIdSchema.optional(),
  /** Largest k tried per class (elbow rule), or a fixed k per class. */
  kMax: z.number().int().min(1).max(16).optional(),
  fixedK: z.number().int().min(1).max(16).nullable().optional(),
  atoms: z.number().int().min(1).max(256).optional(),
  atomSize: z.number().int().min(2).max(32).optional(),
  covariance: z.enum(['ledoit-wolf', 'pinv']).optional(),
  cdlIterations: z.number().int().min(1).max(1000).optional(),
  seed: z.number().int().min(0).max(2 ** 31 - 1).optional(),
});

/** What the evaluation form starts from: a small evaluation that still says something. */
export const EVALUATION_FORM_DEFAULTS = { modelId: 'nsfwjs-mobilenet-v2', attacks: 'fgsm:0.04,deepfool', defenses: ['none', 'jpeg75', 'median3', 'acsr'] } as const;

/** An evaluation's folder in the workspace's evaluations/, by name (the workstation names it). */
export const evaluationIdSchema = folderNameSchema;
export const evaluationPlotSchema = z.enum(['accuracy-by-attack', 'accuracy-vs-budget']);

/**
 * `acsr eval` on a labelled folder (class sub-folders named as the classifier's classes), into the
 * workspace's evaluations/ (main/jobs/eval-job.ts). Attacks are specs as `acsr eval --attacks`
 * takes them, parsed again on the main side; defenses by name; the bundle by id.
 */
export const evalJobRequestSchema = z.strictObject({
  kind: z.literal('eval'),
  labelledFolder: absolutePathSchema,
  modelId: classifierIdSchema.optional(),
  /** The bundle acsr purifies with; default the shipped one. */
  bundleId: bundleIdSchema.optional(),
  attacks: z.string().trim().max(300).regex(/^[A-Za-z0-9:.,=/_-]*$/, 'attack specs read name[:EPS][:key=value], comma-separated'),
  defenses: z.array(z.string().regex(/^[a-z0-9-]{1,32}$/, 'not a defense name')).min(1).max(12),
  /** Evaluate the first N images only (classes interleaved). */
  limit: z.number().int().min(1).max(100_000).optional(),
});

/** The case's audit report, written into the case's reports/ folder and recorded in the case. */
export const reportJobRequestSchema = z.strictObject({
  kind: z.literal('report'),
  caseId: caseIdSchema,
  formats: z.array(z.enum(['html', 'pdf', 'json'])).min(1).max(3),
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

// ---- what a job shows while it runs, besides its progress -----------------------------------

/** The elbow curve of one class, as soon as stage i has clustered it. */
export const wcssOutputSchema = z.object({
  type: z.literal('wcss'),
  className: z.string(),
  /** WCSS for k = 1..kMax (one value when k is fixed). */
  wcss: z.array(z.number()),
  chosenK: z.number().int(),
  chosenBy: z.enum(['elbow', 'fixed']),
  elbowK: z.number().int(),
  /** The elbow only picks a k whose every cluster has at least this many images. */
  minClusterSize: z.number().int(),
});

/** One cluster's learned dictionary, drawn as a grid of atoms (display PNG), as soon as it is learned. */
export const atomsOutputSchema = z.object({
  type: z.literal('atoms'),
  clusterId: z.string(),
  atoms: z.number().int(),
  atomSize: z.number().int(),
  channels: z.number().int(),
  sampleCount: z.number().int(),
  columns: z.number().int(),
  png: z.object({ mediaType: z.literal('image/png'), base64: z.string(), width: z.number().int(), height: z.number().int() }),
});

/** The specificity check of a trained bundle: its heat map (display PNG) and headline shares. */
export const specificityOutputSchema = z.object({
  type: z.literal('specificity'),
  images: z.number().int(),
  ownClusterBestShare: z.number().nullable(),
  ownClassBestShare: z.number().nullable(),
  chanceCluster: z.number().nullable(),
  png: z.object({ mediaType: z.literal('image/png'), base64: z.string() }),
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
  cells: z.array(z.object({ row: z.string(), defense: z.string(), correct: z.number().int(), total: z.number().int(), accuracy: z.number(), low: z.number(), high: z.number() })),
});

export const evaluationOutputSchema = z.object({ type: z.literal('evaluation'), table: evaluationTableSchema });

export const jobOutputSchema = z.discriminatedUnion('type', [wcssOutputSchema, atomsOutputSchema, specificityOutputSchema, evaluationOutputSchema]);

/** An output of a job, numbered from 0 in the order the job produced them. */
export const jobOutputEventSchema = z.object({ jobId: jobIdSchema, index: z.number().int().nonnegative(), output: jobOutputSchema });

// ---- channels ---------------------------------------------------------------------------------

function request<I extends z.ZodType, O extends z.ZodType>(input: I, output: O) {
  return { input, output };
}

/** Renderer-to-main calls, each answered once. */
export const requestChannels = {
  'app.state': request(emptyInputSchema, appStateSchema),
  'app.setExaminer': request(z.strictObject({ name: examinerNameSchema }), appStateSchema),
  'app.setBlurByDefault': request(z.strictObject({ blur: z.boolean() }), appStateSchema),
  'cases.list': request(emptyInputSchema, z.array(caseSummarySchema)),
  'cases.create': request(
    z.strictObject({
      number: shortTextSchema.pipe(z.string().min(1, 'the case number cannot be empty').max(64)),
      title: shortTextSchema,
      requester: shortTextSchema.optional(),
    }),
    caseSummarySchema,
  ),
  'cases.get': request(z.strictObject({ caseId: caseIdSchema }), caseSummarySchema),
  'evidence.list': request(
    z.strictObject({
      caseId: caseIdSchema,
      category: categoryCodeSchema.optional(),
      uncategorised: z.boolean().optional(),
      /** Items carrying every one of these user tags. */
      tags: z.array(shortTextSchema.pipe(z.string().min(1).max(100))).max(20).optional(),
      /** true: purified at least once; false: never purified. */
      purified: z.boolean().optional(),
      /** Items whose latest verdict at this stage has this top class. */
      verdict: z.strictObject({ stage: z.enum(['before', 'after']), topClass: shortTextSchema.pipe(z.string().min(1).max(100)) }).optional(),
    }),
    z.array(evidenceSummarySchema),
  ),
  'evidence.thumbnail': request(
    z.strictObject({ caseId: caseIdSchema, itemId: itemIdSchema, maxEdge: z.number().int().min(32).max(1024) }),
    z.object({ mediaType: z.literal('image/jpeg'), base64: z.string() }),
  ),
  'evidence.setCategory': request(
    z.strictObject({ caseId: caseIdSchema, itemIds: z.array(itemIdSchema).min(1).max(10_000), category: categoryCodeSchema, comment: shortTextSchema.optional() }),
    z.object({ tagged: z.number().int() }),
  ),
  'evidence.get': request(z.strictObject({ caseId: caseIdSchema, itemId: itemIdSchema }), evidenceDetailSchema),
  'evidence.addTag': request(
    z.strictObject({ caseId: caseIdSchema, itemId: itemIdSchema, tag: shortTextSchema.pipe(z.string().min(1, 'a tag cannot be empty').max(100)) }),
    evidenceDetailSchema,
  ),
  /** Bulk action of the grid: one user tag for every selected item. */
  'evidence.tagItems': request(
    z.strictObject({ caseId: caseIdSchema, itemIds: z.array(itemIdSchema).min(1).max(10_000), tag: shortTextSchema.pipe(z.string().min(1, 'a tag cannot be empty').max(100)) }),
    z.object({ tagged: z.number().int() }),
  ),
  'evidence.addNote': request(z.strictObject({ caseId: caseIdSchema, itemId: itemIdSchema, text: noteTextSchema }), evidenceDetailSchema),
  /** Every purification run of an item, oldest first. */
  'evidence.purifications': request(z.strictObject({ caseId: caseIdSchema, itemId: itemIdSchema }), z.array(purificationRunViewSchema)),
  /** One part of a run (or the original) as a display PNG, its signed parts scaled as VIEW_PART_DISPLAY says. */
  'evidence.viewPart': request(
    z.strictObject({ caseId: caseIdSchema, itemId: itemIdSchema, runId: z.number().int().positive().max(Number.MAX_SAFE_INTEGER), part: viewPartSchema, maxEdge: z.number().int().min(64).max(2048) }),
    z.object({ mediaType: z.literal('image/png'), base64: z.string(), width: z.number().int(), height: z.number().int() }),
  ),
  /** The bundles and content filters a purify job may use (ids only travel back). */
  'purification.choices': request(
    emptyInputSchema,
    z.object({ bundles: z.array(bundleChoiceSchema), classifiers: z.array(classifierChoiceSchema), defaultBundleId: z.string().nullable(), defaultClassifierId: z.string().nullable() }),
  ),
  /** What an evaluation may use: registry classifiers, bundles by id, defense names, and the form's defaults. */
  'evaluation.choices': request(
    emptyInputSchema,
    z.object({ models: z.array(classifierChoiceSchema), bundles: z.array(bundleChoiceSchema), defenses: z.array(z.string()), defaultBundleId: z.string().nullable() }),
  ),
  /** A plot of a finished evaluation of this workspace, by evaluation id and plot name (never a path). */
  'evaluation.plot': request(
    z.strictObject({ evaluationId: evaluationIdSchema, plot: evaluationPlotSchema }),
    z.object({ mediaType: z.literal('image/png'), base64: z.string() }),
  ),
  'jobs.start': request(jobRequestSchema, jobSnapshotSchema),
  'jobs.cancel': request(z.strictObject({ jobId: jobIdSchema }), jobSnapshotSchema),
  'jobs.list': request(emptyInputSchema, z.array(jobSnapshotSchema)),
  /** Everything a job has shown so far besides progress (elbow curves, atom grids...), for a screen opened mid-job. */
  'jobs.outputs': request(z.strictObject({ jobId: jobIdSchema }), z.array(jobOutputEventSchema)),
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

/** Electron IPC channel names carry a prefix so that no Electron-internal channel is ever reachable. */
export const ELECTRON_CHANNEL_PREFIX = 'acsr:';

export type AppState = z.output<typeof appStateSchema>;
export type CaseSummary = z.output<typeof caseSummarySchema>;
export type EvidenceSummary = z.output<typeof evidenceSummarySchema>;
export type EvidenceDetail = z.output<typeof evidenceDetailSchema>;
export type JobSnapshot = z.output<typeof jobSnapshotSchema>;
export type JobRequest = z.output<typeof jobRequestSchema>;
export type JobKind = z.output<typeof jobKindSchema>;
export type CategoryCode = z.output<typeof categoryCodeSchema>;
export type BundleChoice = z.output<typeof bundleChoiceSchema>;
export type ClassifierChoice = z.output<typeof classifierChoiceSchema>;
export type ViewPart = z.output<typeof viewPartSchema>;
export type JobOutput = z.output<typeof jobOutputSchema>;
export type JobOutputEvent = z.output<typeof jobOutputEventSchema>;
export type EvaluationTable = z.output<typeof evaluationTableSchema>;
export type EvaluationPlot = z.output<typeof evaluationPlotSchema>;
export type PurificationRunView = z.output<typeof purificationRunViewSchema>;

// ---- answers --------------------------------------------------------------------------------

/**
 * Why a call failed. invalid-input: the schema refused the request (a renderer bug or an attack);
 * user-error: something the person can fix, shown as it is; unavailable: not offered by this
 * host or not built yet; internal: a bug, shown with a generic line (details stay in main's log).
 */
export const failureKindSchema = z.enum(['invalid-input', 'user-error', 'unavailable', 'internal']);
export type FailureKind = z.output<typeof failureKindSchema>;

export interface CallFailure {
  kind: FailureKind;
  message: string;
}

/** Every answer, over Electron IPC and WebSocket alike: errors travel as data, not exceptions. */
export type CallResult<T = unknown> = { ok: true; value: T } | { ok: false; error: CallFailure };

/** The bridge the preload script exposes on `window.acsrBridge`, and nothing else. */
export type ContractBridge = {
  [C in RequestChannel]: (input: RequestInput<C>) => Promise<CallResult<RequestOutput<C>>>;
} & {
  subscribe<E extends EventChannel>(channel: E, listener: (payload: EventPayload<E>) => void): () => void;
};

export const BRIDGE_GLOBAL_NAME = 'acsrBridge';

// ---- the browser host's WebSocket (acsr serve) ---------------------------------------------

/** Where the page opens its WebSocket; the per-launch token travels in the URL fragment to the page. */
export const SOCKET_PATH = '/ipc';

/** Frames from the page: the first must be hello with the launch token, then calls. */
export const socketClientMessageSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('hello'), token: z.string().max(200) }),
  // Any channel string (the frame limit bounds it): an unknown or over-long name is answered
  // invalid-input by the dispatcher, like any other refused call, rather than closing the socket.
  z.strictObject({ type: z.literal('call'), callId: z.number().int().nonnegative(), channel: z.string(), input: z.unknown() }),
]);
export type SocketClientMessage = z.output<typeof socketClientMessageSchema>;

export type SocketServerMessage =
  | { type: 'welcome' }
  | { type: 'result'; callId: number; result: CallResult }
  | { type: 'event'; channel: EventChannel; payload: unknown };

/** WebSocket close codes the page can act on (4000-4999 are the application's). */
export const SOCKET_CLOSE_CODES = {
  /** Missing or wrong token: the page was not opened from the URL this launch printed. */
  refused: 4401,
  /** A frame that is not JSON or not a known message. */
  malformed: 4400,
} as const;

/** Category names for display; the codes above are what travels and is stored. */
export { CATEGORY_LABELS } from '../case/tag-categories.ts';
