/**
 * Each cluster's own distribution of member distances: the Mahalanobis distances of its training
 * members' latents to it, summarised by median and 1.4826 x MAD (a standard deviation for a
 * normal distribution, but not moved by a few far members). A distance is then read against the
 * cluster it belongs to: a loose cluster's members lie far from its mean as a matter of course.
 */
import { UserInputError } from '../../errors/user-input-error.ts';
import { throwIfCancelled } from '../../progress/progress.ts';
import type { ImageArray } from '../array/image-array.ts';
import { mahalanobisDistance } from '../clustering/mahalanobis.ts';
import type { LatentExtractor } from '../models/model-contracts.ts';
import type { ReferenceBundle } from '../references/bundle-reader.ts';
import type { ClusterDistanceNorm } from './evasion-signals.ts';

const CHUNK = 256;

export function robustNorm(values: readonly number[]): ClusterDistanceNorm {
  if (values.length === 0) throw new RangeError('a norm needs at least one distance');
  const median = medianOf(values);
  const mad = medianOf(values.map((v) => Math.abs(v - median)));
  // a cluster whose members all lie at the same distance: fall back to a scale that cannot divide by 0
  const scale = mad > 0 ? 1.4826 * mad : Math.max(Math.abs(median) * 1e-3, 1e-9);
  return { median, scale, members: values.length };
}

/** `loadMember(name)` returns a training image by the name the manifest lists among a cluster's members. */
export async function clusterDistanceNorms(
  bundle: ReferenceBundle,
  extractor: Pick<LatentExtractor, 'extract'>,
  loadMember: (name: string) => Promise<ImageArray>,
  signal?: AbortSignal,
): Promise<Record<string, ClusterDistanceNorm>> {
  const norms: Record<string, ClusterDistanceNorm> = {};
  const listed = new Map(bundle.manifest.classes.flatMap((c) => c.clusters.map((k) => [k.id, k.members] as const)));
  for (const cluster of bundle.clusters) {
    const members = listed.get(cluster.id) ?? [];
    if (members.length === 0) throw new UserInputError(`${bundle.path}: cluster ${cluster.id} lists no members; its distances cannot be normalised`);
    const distances: number[] = [];
    for (let start = 0; start < members.length; start += CHUNK) {
      throwIfCancelled(signal);
      const images = await Promise.all(members.slice(start, start + CHUNK).map(loadMember));
      for (const latent of await extractor.extract(images)) distances.push(mahalanobisDistance(latent, cluster.distribution));
    }
    norms[cluster.id] = robustNorm(distances);
  }
  return norms;
}

function medianOf(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}
