import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { UserInputError } from '../../errors/user-input-error.ts';
import { decodeNpy } from '../../io/npy.ts';
import { formatShape, type NdArray } from '../../io/ndarray.ts';
import type { ClusterDistribution } from '../clustering/cluster-distribution.ts';
import { type ConvDictionary, fromSporcoLayout } from '../signal/conv-dictionary.ts';
import { BUNDLE_FORMAT, MANIFEST_FILE, READABLE_FORMAT_VERSIONS, manifestSchema, type BundleManifest } from './bundle-manifest.ts';
import { sha256Hex } from '../../io/hashing.ts';

/**
 * Loads a bundle and refuses it, with a UserInputError naming the file, unless every file the
 * manifest lists has exactly the recorded SHA-256 and every array has the shape the manifest
 * implies. A bundle is evidence-handling configuration: a silently altered dictionary or
 * covariance would change every purification made with it.
 */
export interface ReferenceCluster {
  /** '<class name>:<cluster index>', what --cluster takes */
  readonly id: string;
  readonly className: string;
  readonly classIndex: number;
  readonly index: number;
  readonly sampleCount: number;
  readonly distribution: ClusterDistribution;
  readonly dictionary: ConvDictionary<Float64Array>;
}

export interface ReferenceBundle {
  readonly path: string;
  readonly manifest: BundleManifest;
  readonly manifestSha256: string;
  readonly clusters: readonly ReferenceCluster[];
}

export async function loadReferenceBundle(path: string): Promise<ReferenceBundle> {
  const manifestPath = join(path, MANIFEST_FILE);
  const manifestText = await readFile(manifestPath, 'utf8').catch((error: NodeJS.ErrnoException) => {
    throw new UserInputError(error.code === 'ENOENT' ? `${path}: not a reference bundle (no ${MANIFEST_FILE})` : `${manifestPath}: ${error.message}`);
  });
  let parsed: unknown;
  try {
    parsed = JSON.parse(manifestText);
  } catch (error) {
    throw new UserInputError(`${manifestPath}: not valid JSON (${(error as Error).message})`);
  }
  const format = parsed as { format?: unknown; formatVersion?: unknown } | null;
  if (format?.format === BUNDLE_FORMAT && !(READABLE_FORMAT_VERSIONS as readonly unknown[]).includes(format.formatVersion)) {
    throw new UserInputError(
      `${manifestPath}: bundle format version ${String(format.formatVersion)} is not supported by this version ` +
        `(reads versions ${READABLE_FORMAT_VERSIONS.join(' and ')}); use a newer acsr or retrain the bundle`,
    );
  }
  const checked = manifestSchema.safeParse(parsed);
  if (!checked.success) {
    const issue = checked.error.issues[0];
    throw new UserInputError(`${manifestPath}: not a valid reference-bundle manifest (${issue.path.join('.') || 'top level'}: ${issue.message})`);
  }
  const manifest = checked.data;

  const arrays = new Map<string, NdArray>();
  for (const [file, expected] of Object.entries(manifest.files)) {
    const bytes = await readFile(join(path, file)).catch((error: NodeJS.ErrnoException) => {
      throw new UserInputError(`${path}: bundle file ${file} ${error.code === 'ENOENT' ? 'is missing' : `cannot be read (${error.message})`}`);
    });
    const actual = sha256Hex(bytes);
    if (actual !== expected) {
      throw new UserInputError(
        `${path}: bundle file ${file} has SHA-256 ${actual}, the manifest records ${expected}; the bundle was altered or damaged and is refused`,
      );
    }
    // the check's JSON and PNG are verified like the arrays but are not arrays
    if (file.endsWith('.npy')) arrays.set(file, decodeNpy(bytes, join(path, file)));
  }

  const d = manifest.extractor.latentDimension;
  const clusters: ReferenceCluster[] = [];
  for (const cls of manifest.classes) {
    for (const cluster of cls.clusters) {
      const get = (file: string, what: string): NdArray => {
        const array = arrays.get(file);
        if (!array) throw new UserInputError(`${path}: cluster ${cluster.id} names ${what} ${file}, which the manifest's file list does not cover`);
        return array;
      };
      const where = `${path}: cluster ${cluster.id}`;
      const mean = get(cluster.files.mean, 'mean');
      expectShape(mean, [d], `${where} mean`);
      const r = cluster.covariance.rank;
      const basis = get(cluster.files.precisionBasis, 'precision basis');
      expectShape(basis, [r, d], `${where} precision basis`);
      const eigenvalues = get(cluster.files.precisionEigenvalues, 'precision eigenvalues');
      expectShape(eigenvalues, [r], `${where} precision eigenvalues`);
      const dictionaryArray = get(cluster.files.dictionary, 'dictionary');
      const { atomHeight, atomWidth, channels, atoms } = cluster.dictionary;
      expectShape(dictionaryArray, channels === 1 ? [atomHeight, atomWidth, atoms] : [atomHeight, atomWidth, channels, atoms], `${where} dictionary`);
      clusters.push({
        id: cluster.id,
        className: cls.name,
        classIndex: cls.index,
        index: cluster.index,
        sampleCount: cluster.sampleCount,
        distribution: {
          method: cluster.covariance.method,
          dimension: d,
          sampleCount: cluster.sampleCount,
          mean: Float64Array.from(mean.data),
          basis: Float64Array.from(basis.data),
          precisions: Float64Array.from(eigenvalues.data),
          complementPrecision: cluster.covariance.complementPrecision,
          shrinkage: cluster.covariance.shrinkage,
          covarianceEigenvalues: Float64Array.from(eigenvalues.data, (p) => 1 / p),
        },
        dictionary: fromSporcoLayout(dictionaryArray.shape, Float64Array.from(dictionaryArray.data)),
      });
    }
  }
  return { path, manifest, manifestSha256: sha256Hex(manifestText), clusters };
}

function expectShape(array: NdArray, shape: readonly number[], what: string): void {
  if (array.shape.length !== shape.length || array.shape.some((n, i) => n !== shape[i])) {
    throw new UserInputError(`${what} has shape ${formatShape(array.shape)}, the manifest implies ${formatShape(shape)}`);
  }
}

/** A cluster by id ('class:index') or by position in the bundle's list. */
export function findCluster(bundle: ReferenceBundle, id: string): ReferenceCluster {
  const byId = bundle.clusters.find((c) => c.id === id);
  if (byId) return byId;
  if (/^\d+$/.test(id) && Number(id) < bundle.clusters.length) return bundle.clusters[Number(id)];
  throw new UserInputError(`no cluster '${id}' in ${bundle.path}; it has ${bundle.clusters.map((c) => c.id).join(', ')}`);
}
