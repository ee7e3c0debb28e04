/**
 * j(n), the clean cluster of each training image (method.md, stage ii: "j the cluster of the
 * clean x from stage i"). An image that stage i clustered keeps that cluster, as the bundle's
 * member lists record it; any other image of the class (stage i may have used fewer images) gets
 * the nearest cluster of its own class by Mahalanobis distance of its clean latent under the
 * stage-i extractor f_bsl, the rule stage iii applies, restricted to the true class.
 */
import * as tf from '@tensorflow/tfjs';
import { UserInputError } from '../../errors/user-input-error.ts';
import { throwIfCancelled } from '../../progress/progress.ts';
import { mahalanobisDistance } from '../clustering/mahalanobis.ts';
import type { ReferenceBundle } from '../references/bundle-reader.ts';
import type { RobustTrainingSet } from './robust-training-set.ts';

export interface CleanClusters {
  /** index into bundle.clusters, per training image */
  readonly clusterOfImage: Int32Array;
  /** images whose cluster came from the bundle's member lists; the rest were assigned by distance */
  readonly fromMembers: number;
}

/**
 * `stageOneLatents` computes f_bsl's latents for a block of images ([n, d] rows); called only for
 * the images the member lists do not cover.
 */
export async function cleanClusters(
  bundle: ReferenceBundle,
  set: RobustTrainingSet,
  classNames: readonly string[],
  stageOneLatents: (pixels: tf.Tensor4D) => tf.Tensor2D,
  signal?: AbortSignal,
): Promise<CleanClusters> {
  const clusterIndex = new Map(bundle.clusters.map((cluster, j) => [cluster.id, j]));
  const memberCluster = new Map<string, number>();
  for (const cls of bundle.manifest.classes) {
    for (const cluster of cls.clusters) for (const name of cluster.members) memberCluster.set(name, clusterIndex.get(cluster.id)!);
  }
  const clusterOfImage = new Int32Array(set.count).fill(-1);
  const unassigned: number[] = [];
  let fromMembers = 0;
  for (let n = 0; n < set.count; n++) {
    const j = memberCluster.get(set.names[n]);
    if (j !== undefined && bundle.clusters[j].className === classNames[set.labels[n]]) {
      clusterOfImage[n] = j;
      fromMembers++;
    } else {
      unassigned.push(n);
    }
  }
  const candidatesOfClass = new Map<string, number[]>();
  bundle.clusters.forEach((cluster, j) => candidatesOfClass.set(cluster.className, [...(candidatesOfClass.get(cluster.className) ?? []), j]));
  const size = set.height * set.width * set.channels;
  const chunk = 256;
  for (let start = 0; start < unassigned.length; start += chunk) {
    throwIfCancelled(signal);
    const rows = unassigned.slice(start, start + chunk);
    const block = new Float32Array(rows.length * size);
    rows.forEach((n, r) => block.set(set.pixels.subarray(n * size, (n + 1) * size), r * size));
    const latents = tf.tidy(() => stageOneLatents(tf.tensor4d(block, [rows.length, set.height, set.width, set.channels])));
    const values = await latents.data<'float32'>();
    latents.dispose();
    const d = values.length / rows.length;
    rows.forEach((n, r) => {
      const className = classNames[set.labels[n]];
      const candidates = candidatesOfClass.get(className);
      if (!candidates) throw new UserInputError(`the bundle ${bundle.path} has no cluster of class '${className}'`);
      const latent = values.subarray(r * d, (r + 1) * d);
      let best = candidates[0];
      let bestDistance = Infinity;
      for (const j of candidates) {
        const distance = mahalanobisDistance(latent, bundle.clusters[j].distribution);
        if (distance < bestDistance) [best, bestDistance] = [j, distance];
      }
      clusterOfImage[n] = best;
    });
  }
  return { clusterOfImage, fromMembers };
}
