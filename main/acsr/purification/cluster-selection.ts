import { UserInputError } from '../../errors/user-input-error.ts';
import { mahalanobisDistance } from '../clustering/mahalanobis.ts';
import { findCluster, type ReferenceBundle, type ReferenceCluster } from '../references/bundle-reader.ts';

/**
 * Stage iii, step 2: j* = argmin_j MD(r, mu_j, Sigma_j) over every cluster of every class. All
 * distances are kept for the investigator, who may override j*; the nearest cluster is reported
 * either way so that an override is visible as one.
 */
export interface ClusterDistance {
  readonly id: string;
  readonly className: string;
  readonly distance: number;
}

export interface ClusterSelection {
  readonly selected: ReferenceCluster;
  readonly selectedBy: 'distance' | 'override';
  readonly nearest: ReferenceCluster;
  /** in bundle order */
  readonly distances: ClusterDistance[];
}

export function selectCluster(bundle: ReferenceBundle, latent: ArrayLike<number>, overrideId?: string): ClusterSelection {
  const d = bundle.manifest.extractor.latentDimension;
  if (latent.length !== d) throw new UserInputError(`the latent has ${latent.length} values but bundle ${bundle.path} was trained on ${d}-d latents`);
  const distances = bundle.clusters.map((cluster) => ({
    id: cluster.id,
    className: cluster.className,
    distance: mahalanobisDistance(latent, cluster.distribution),
  }));
  let nearestIndex = 0;
  // strict <: on a tie the first cluster in bundle order wins, deterministically
  distances.forEach((entry, i) => {
    if (entry.distance < distances[nearestIndex].distance) nearestIndex = i;
  });
  const nearest = bundle.clusters[nearestIndex];
  if (overrideId === undefined) return { selected: nearest, selectedBy: 'distance', nearest, distances };
  return { selected: findCluster(bundle, overrideId), selectedBy: 'override', nearest, distances };
}
