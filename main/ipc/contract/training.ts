/** Stage i training of a reference bundle as a job: its request, the form's starting values and what it shows while it runs. */
import { z } from 'zod';
import { absolutePathSchema, classifierChoiceSchema, classifierIdSchema, folderNameSchema } from './common.ts';

const covarianceSchema = z.enum(['ledoit-wolf', 'pinv']);

/**
 * Stage i training of a reference bundle from a labelled folder (one sub-folder per class) into
 * the workspace's bundles/<bundleName>/ (main/actions/train-references-action.ts). The folder comes from the
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
  covariance: covarianceSchema.optional(),
  cdlIterations: z.number().int().min(1).max(1000).optional(),
  seed: z
    .number()
    .int()
    .min(0)
    .max(2 ** 31 - 1)
    .optional(),
});

/** What the training form may use: the extractors, and the values `acsr train` takes when none is given (the science's defaults). */
export const trainingChoicesSchema = z.object({
  extractors: z.array(classifierChoiceSchema),
  defaults: z.object({
    extractorId: z.string(),
    kMax: z.number().int(),
    atoms: z.number().int(),
    atomSize: z.number().int(),
    covariance: covarianceSchema,
    cdlIterations: z.number().int(),
    seed: z.number().int(),
  }),
});

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

export type TrainingChoices = z.output<typeof trainingChoicesSchema>;
