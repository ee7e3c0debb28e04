import { z } from 'zod';

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
export const BUNDLE_FORMAT_VERSION = 1;
export const MANIFEST_FILE = 'manifest.json';

const sha256 = z.string().regex(/^[0-9a-f]{64}$/, 'a lowercase hex SHA-256');
const relativePath = z.string().regex(/^[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/, 'a plain relative path').refine((p) => !p.split('/').includes('..'));

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
  patchesPerImage: z.number().int().min(1),
  maxPatchesPerCluster: z.number().int().min(1),
  cdlLambda: z.number().nonnegative(),
  cdlIterations: z.number().int().min(1),
  cdlMethod: z.literal('batch-admm-pgm'),
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
    iterations: z.number().int().min(1),
    objective: z.array(z.number().nullable()),
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
  imageCount: z.number().int().min(1),
  wcss: z.array(z.number().nonnegative()),
  elbowChordDistances: z.array(z.number()),
  elbowK: z.number().int().min(1),
  chosenK: z.number().int().min(1),
  chosenBy: z.enum(['elbow', 'fixed']),
  clusters: z.array(clusterSchema).min(1),
});
export type BundleClass = z.infer<typeof classSchema>;

export const manifestSchema = z.object({
  format: z.literal(BUNDLE_FORMAT),
  formatVersion: z.literal(BUNDLE_FORMAT_VERSION),
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
    /** SHA-256 over the sorted (class, name, sha256) lines: one number naming the data set */
    datasetSha256: sha256,
    sources: z.array(z.object({ name: z.string(), className: z.string().nullable(), sha256 })),
  }),
  classes: z.array(classSchema).min(1),
  files: z.record(relativePath, sha256),
});
export type BundleManifest = z.infer<typeof manifestSchema>;
