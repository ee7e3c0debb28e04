import { z } from 'zod';
import { evasionCalibrationSchema } from '../evasion/evasion-calibration-schema.ts';

/**
 * The stage-i bundle Phi = {dictionaries, cluster means, inverse covariances, class and cluster
 * labels, the extractor's identity, training parameters, data hashes} (method.md, stage i.5):
 * a folder holding manifest.json and one sub-folder of .npy files per cluster. The manifest lists
 * the SHA-256 of every other file; loading refuses a bundle where any of them differs.
 *
 * Per cluster (clusters/<class index>-<cluster index>/):
 *   mean.npy                   (d,)        mu, float64
 *   precision-basis.npy        (r, d)      orthonormal v_i spanning the cluster's latents
 *   precision-eigenvalues.npy  (r,)        p_i: P = sum p_i v_i v_i^T + p_perp (I - sum v_i v_i^T)
 *   dictionary.npy             (h, w, C, M) or (h, w, M) for C = 1, SPORCO's layout, unit-norm atoms
 * p_perp (complementPrecision) is in the manifest. The inverse covariance is stored in this
 * factored form because the full d x d matrix of a 1280-d latent is 13 MB with rank < n.
 */
export const BUNDLE_FORMAT = 'acsr-reference-bundle';
/**
 * Version 2 added how each dictionary was learned (method, images, patches, epochs), the
 * validation split and the specificity check (JSON and PNG files, hashed like the arrays).
 * Version 1 bundles still load: every added field is optional.
 */
export const BUNDLE_FORMAT_VERSION = 2;
export const READABLE_FORMAT_VERSIONS = [1, 2] as const;
export const MANIFEST_FILE = 'manifest.json';

const sha256 = z.string().regex(/^[0-9a-f]{64}$/, 'a lowercase hex SHA-256');
const relativePath = z
  .string()
  .regex(/^[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/, 'a plain relative path')
  .refine((p) => !p.split('/').includes('..'));

export const trainingParametersSchema = z.object({
  kMax: z.number().int().min(1),
  fixedK: z.number().int().min(1).nullable(),
  minClusterSize: z.number().int().min(2),
  covariance: z.enum(['pinv', 'ledoit-wolf']),
  pseudoInverseRcond: z.number().positive(),
  kMeansRestarts: z.number().int().min(1),
  kMeansMaxIterations: z.number().int().min(1),
  seed: z.number().int(),
  tikhonovLambda: z.number().nonnegative(),
  atoms: z.number().int().min(1),
  atomSize: z.number().int().min(1),
  patchSize: z.number().int().min(1),
  /** at most this many distinct (non-overlapping) crops of an image larger than the patch */
  patchesPerImage: z.number().int().min(1),
  /** null: every crop of every image of the cluster (version 1 bundles always had a number) */
  maxPatchesPerCluster: z.number().int().min(1).nullable(),
  cdlLambda: z.number().nonnegative(),
  /** batch CDL iterations */
  cdlIterations: z.number().int().min(1),
  /** 'auto': batch for a cluster of at most batchCdlMaxPatches crops, online above */
  cdlMethod: z.enum(['auto', 'batch-admm-pgm', 'online-liu2018']),
  batchCdlMaxPatches: z.number().int().min(1).optional(),
  /** passes of online CDL over the cluster's crops */
  onlineEpochs: z.number().int().min(1).optional(),
  /** crops per online CDL step */
  onlineBatchSize: z.number().int().min(1).optional(),
  /** cap on the CBPDN iterations of each online step */
  onlineCbpdnIterations: z.number().int().min(1).optional(),
  /** share of each class held out for validation (0: none) */
  validationFraction: z.number().min(0).max(0.9).optional(),
  /** at most this many validation images per class in the specificity check */
  specificityImagesPerClass: z.number().int().min(1).optional(),
});
export type TrainingParameters = z.infer<typeof trainingParametersSchema>;

const clusterSchema = z.object({
  id: z.string().min(1),
  index: z.number().int().min(0),
  sampleCount: z.number().int().min(1),
  members: z.array(z.string()),
  covariance: z.object({
    method: z.enum(['pinv', 'ledoit-wolf']),
    rank: z.number().int().min(0),
    shrinkage: z.number().min(0).max(1),
    complementPrecision: z.number().nonnegative(),
  }),
  dictionary: z.object({
    atoms: z.number().int().min(1),
    atomHeight: z.number().int().min(1),
    atomWidth: z.number().int().min(1),
    channels: z.number().int().min(1),
    trainingPatches: z.number().int().min(1),
    patchSize: z.number().int().min(1),
    /** batch CDL iterations, or online CDL steps */
    iterations: z.number().int().min(1),
    /** batch: per iteration; online: mean per stretch of steps */
    objective: z.array(z.number().nullable()),
    /** version 2: how it was learned and from how many of the cluster's images */
    method: z.enum(['batch-admm-pgm', 'online-liu2018']).optional(),
    trainingImages: z.number().int().min(1).optional(),
    epochs: z.number().int().min(1).optional(),
  }),
  files: z.object({
    mean: relativePath,
    precisionBasis: relativePath,
    precisionEigenvalues: relativePath,
    dictionary: relativePath,
  }),
});
export type BundleCluster = z.infer<typeof clusterSchema>;

const classSchema = z.object({
  name: z.string().min(1),
  index: z.number().int().min(0),
  /** images stage i clustered (validation images excluded) */
  imageCount: z.number().int().min(1),
  wcss: z.array(z.number().nonnegative()),
  elbowChordDistances: z.array(z.number()),
  elbowK: z.number().int().min(1),
  chosenK: z.number().int().min(1),
  chosenBy: z.enum(['elbow', 'fixed']),
  clusters: z.array(clusterSchema).min(1),
});
export type BundleClass = z.infer<typeof classSchema>;

/** The validation split (validation-split.ts): which images of the data source were held out. */
export const validationRecordSchema = z.object({
  fraction: z.number().min(0).max(0.9),
  seed: z.number().int(),
  /** images held out, and images stage i learned from */
  imageCount: z.number().int().min(0),
  trainingImageCount: z.number().int().min(1),
  perClass: z.array(z.object({ className: z.string(), images: z.number().int(), heldOut: z.number().int() })),
  /** SHA-256 over the sorted 'class\tname\tsha256' lines of the held-out images */
  sha256,
});
export type ValidationRecord = z.infer<typeof validationRecordSchema>;

/** Where the specificity check went (specificity-check.ts) and its headline figures. */
export const specificityRecordSchema = z.object({
  json: relativePath,
  png: relativePath,
  images: z.number().int().min(0),
  ownClusterBestShare: z.number().min(0).max(1).nullable(),
  ownClassBestShare: z.number().min(0).max(1).nullable(),
  /** the shares a dictionary picked at random would reach */
  chanceCluster: z.number().min(0).max(1).nullable(),
  chanceClass: z.number().min(0).max(1).nullable(),
});

/**
 * Purification settings chosen by `acsr tune` on the bundle's validation split: `acsr purify` and
 * the acsr, single-dict and lowpass defenses use them as their defaults for this bundle (explicit
 * options still win). `tuning` names the sweep they came from (its tuning.json, copied into the
 * bundle and hashed like every other file).
 */
export const purificationDefaultsSchema = z.object({
  tikhonovLambda: z.number().nonnegative(),
  cscLambda: z.number().nonnegative(),
  maxIterations: z.number().int().min(1),
  tuning: z.object({
    /** SHA-256 of the sweep's tuning.json (also in the bundle, at `json`) */
    sha256,
    json: relativePath,
    /** the validation split's hash (manifest.validation.sha256) the sweep ran on */
    validationSha256: sha256,
    /** the manifest of the bundle that was tuned (before this section was added) */
    sourceBundleManifestSha256: sha256,
    objective: z.string(),
    rule: z.string(),
    images: z.number().int().min(1),
    attacks: z.array(z.string()),
    maxCleanDrop: z.number().nonnegative(),
  }),
});
export type PurificationDefaults = z.infer<typeof purificationDefaultsSchema>;

/**
 * Written by `acsr tune --bundle-out` beside purificationDefaults: the defenses compared on the
 * bundle's validation split (the same clean and attacked images for all), McNemar's exact test of
 * ACSR against each, and which defense the measured rule recommends, with its sentence. It is what
 * `acsr purify` and the training screen tell the investigator; it claims nothing beyond those images.
 */
export const defenseComparisonSchema = z.object({
  validationSha256: sha256,
  /** SHA-256 of the tuning.json it was taken from */
  tuningSha256: sha256,
  images: z.number().int().min(0),
  attacks: z.array(z.string()),
  maxCleanDrop: z.number().nonnegative(),
  rule: z.string(),
  rows: z.array(
    z.object({
      defense: z.string(),
      label: z.string(),
      settings: z.string(),
      cleanCorrect: z.number().int().min(0),
      /** correct answers per attack, in `attacks` order */
      attackCorrect: z.array(z.number().int().min(0)),
      meanAttackAccuracy: z.number().nullable(),
      cleanDropPoints: z.number().nullable(),
      allowed: z.boolean(),
    }),
  ),
  tests: z.array(
    z.object({
      attack: z.string(),
      against: z.string(),
      /** ACSR right and the other wrong; the reverse */
      b: z.number().int().min(0),
      c: z.number().int().min(0),
      exactP: z.number().min(0).max(1),
      better: z.string(),
    }),
  ),
  recommendation: z
    .object({
      defense: z.string(),
      label: z.string(),
      reason: z.string(),
      sentence: z.string(),
    })
    .nullable(),
});
export type DefenseComparisonRecord = z.infer<typeof defenseComparisonSchema>;

export const manifestSchema = z.object({
  format: z.literal(BUNDLE_FORMAT),
  formatVersion: z.union([z.literal(1), z.literal(2)]),
  producer: z.string(),
  channels: z.union([z.literal(1), z.literal(3)]),
  extractor: z.object({
    id: z.string().min(1),
    weightSha256: z.string().min(1),
    backend: z.string(),
    inputSize: z.object({ height: z.number().int(), width: z.number().int(), channels: z.union([z.literal(1), z.literal(3)]) }),
    latentDimension: z.number().int().min(1),
  }),
  parameters: trainingParametersSchema,
  trainingData: z.object({
    kind: z.enum(['folder', 'fashion-mnist']),
    description: z.string(),
    imageCount: z.number().int().min(1),
    /**
     * SHA-256 over the sorted (class, name, sha256) lines: one number naming the data set. It
     * names the whole source as given, validation images included, so that the split can be redone.
     */
    datasetSha256: sha256,
    sources: z.array(z.object({ name: z.string(), className: z.string().nullable(), sha256 })),
  }),
  /** version 2; absent in version 1 bundles (trained on every image) */
  validation: validationRecordSchema.optional(),
  /** version 2; null when nothing was held out */
  specificity: specificityRecordSchema.nullable().optional(),
  /** written by `acsr tune --bundle-out`; absent: the built-in purification defaults apply */
  purificationDefaults: purificationDefaultsSchema.optional(),
  /** written by `acsr tune --bundle-out` (absent in older bundles and untuned ones) */
  defenseComparison: defenseComparisonSchema.optional(),
  /** written by `acsr calibrate-evasion` (absent: no evasion score is computed) */
  evasionCalibration: evasionCalibrationSchema.optional(),
  classes: z.array(classSchema).min(1),
  files: z.record(relativePath, sha256),
});
export type BundleManifest = z.infer<typeof manifestSchema>;
