/**
 * What stage ii is judged by (method.md, stage ii), for one network on held-out images:
 * - clean accuracy;
 * - PGD accuracy: accuracy on PGD examples crafted against this very network (white box), or
 *   against another one (`attackAgainst`, e.g. the content filter f_bsl whose attacker ACSR faces);
 * - cluster agreement under PGD: the fraction of attacked images whose selected cluster
 *   (argmin of MD over every cluster of every class, the stage-iii rule) equals the clean image's
 *   stage-i cluster, i.e. the one f_bsl selects on the clean image. Also given against this
 *   network's own choice on the clean image (for f_bsl the two coincide), and at class level
 *   (a cluster of the same class: the dictionaries of one class's clusters are alike).
 */
import * as tf from '@tensorflow/tfjs';
import { throwIfCancelled } from '../../progress/progress.ts';
import { attackableLayersModel } from '../attacks/layers-model-classifier.ts';
import { projectedGradientDescent } from '../attacks/pgd.ts';
import { mahalanobisDistance } from '../clustering/mahalanobis.ts';
import type { ReferenceCluster } from '../references/bundle-reader.ts';
import { deriveSeed } from '../random/seeded-random.ts';
import type { PgdSettings, RobustNetwork } from './robust-training.ts';
import { pixelBlock, type RobustTrainingSet } from './robust-training-set.ts';

export interface RobustnessFigures {
  readonly images: number;
  readonly cleanAccuracy: number;
  readonly pgdAccuracy: number;
  /** attacked selection == f_bsl's selection on the clean image */
  readonly clusterAgreement: number;
  /** attacked selection == this network's selection on the clean image */
  readonly selfClusterAgreement: number;
  /** the attacked selection is a cluster of the same class as f_bsl's clean selection (any of its clusters) */
  readonly classAgreement: number;
  /** mean MD of the attacked latents to the clean stage-i cluster */
  readonly meanAttackedDistance: number;
  /** share of clean images whose selected cluster is one of their true class */
  readonly cleanClassConsistency: number;
}

/** The nearest cluster (stage-iii rule) and its distance for each latent row. */
export function selectClusters(
  latents: Float32Array,
  dimension: number,
  clusters: readonly ReferenceCluster[],
): { index: Int32Array; distanceTo: (row: number, cluster: number) => number } {
  const rows = latents.length / dimension;
  const index = new Int32Array(rows);
  for (let n = 0; n < rows; n++) {
    const latent = latents.subarray(n * dimension, (n + 1) * dimension);
    let best = 0;
    let bestDistance = Infinity;
    clusters.forEach((cluster, j) => {
      const distance = mahalanobisDistance(latent, cluster.distribution);
      if (distance < bestDistance) [best, bestDistance] = [j, distance];
    });
    index[n] = best;
  }
  return { index, distanceTo: (row, cluster) => mahalanobisDistance(latents.subarray(row * dimension, (row + 1) * dimension), clusters[cluster].distribution) };
}

/** Latents and logits in inference mode, in chunks. */
export async function latentsAndPredictions(
  net: RobustNetwork,
  set: RobustTrainingSet,
  pixels: Float32Array,
  count: number,
): Promise<{ latents: Float32Array; predicted: Int32Array }> {
  const size = set.height * set.width * set.channels;
  const parts: Float32Array[] = [];
  const predicted = new Int32Array(count);
  const chunk = 100;
  for (let start = 0; start < count; start += chunk) {
    const end = Math.min(count, start + chunk);
    const [latent, labels] = tf.tidy(() => {
      const [logits, latentOut] = net.heads.apply(tf.tensor4d(pixels.subarray(start * size, end * size), [end - start, set.height, set.width, set.channels]), {
        training: false,
      }) as tf.Tensor[];
      return [tf.reshape(latentOut, [end - start, -1]), tf.argMax(logits, 1)] as tf.Tensor[];
    });
    parts.push(await latent.data<'float32'>());
    predicted.set(await labels.data<'int32'>(), start);
    tf.dispose([latent, labels]);
  }
  const latents = new Float32Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    latents.set(part, offset);
    offset += part.length;
  }
  return { latents, predicted };
}

/**
 * `stageOneCleanCluster`: f_bsl's selected cluster on each clean image (selectClusters of f_bsl's
 * clean latents); pass undefined when `net` is f_bsl itself.
 */
export async function evaluateRobustness(request: {
  net: RobustNetwork;
  set: RobustTrainingSet;
  classNames: readonly string[];
  clusters: readonly ReferenceCluster[];
  pgd: PgdSettings;
  seed: number;
  stageOneCleanCluster?: Int32Array;
  /** the network PGD is made against; default `net` itself (white box). f_bsl: the content filter's attacker, transferred */
  attackAgainst?: tf.LayersModel;
  signal?: AbortSignal;
}): Promise<RobustnessFigures & { cleanCluster: Int32Array }> {
  const { net, set, classNames, clusters, pgd, seed, stageOneCleanCluster, signal } = request;
  const dimension = clusters[0].distribution.dimension;
  const clean = await latentsAndPredictions(net, set, set.pixels, set.count);
  const cleanSelection = selectClusters(clean.latents, dimension, clusters).index;
  const reference = stageOneCleanCluster ?? cleanSelection;
  const classifier = attackableLayersModel(request.attackAgainst ?? net.network, { batchSize: 50 });
  const batch = 100;
  let cleanHits = 0;
  let pgdHits = 0;
  let agree = 0;
  let selfAgree = 0;
  let classAgree = 0;
  let distanceSum = 0;
  let classConsistent = 0;
  for (let start = 0; start < set.count; start += batch) {
    throwIfCancelled(signal);
    const end = Math.min(set.count, start + batch);
    const indices = Array.from({ length: end - start }, (_, i) => start + i);
    const labels = Int32Array.from(indices, (n) => set.labels[n]);
    const images = { count: indices.length, height: set.height, width: set.width, channels: set.channels, data: pixelBlock(set, indices) };
    const { adversarial } = await projectedGradientDescent(pgd.norm, pgd, { classifier, images, labels, seed: deriveSeed(seed, 40_000 + start), signal });
    const attacked = await latentsAndPredictions(net, set, adversarial.data, indices.length);
    const attackedSelection = selectClusters(attacked.latents, dimension, clusters);
    indices.forEach((n, row) => {
      if (clean.predicted[n] === set.labels[n]) cleanHits++;
      if (attacked.predicted[row] === set.labels[n]) pgdHits++;
      if (attackedSelection.index[row] === reference[n]) agree++;
      if (attackedSelection.index[row] === cleanSelection[n]) selfAgree++;
      if (clusters[attackedSelection.index[row]].className === clusters[reference[n]].className) classAgree++;
      distanceSum += attackedSelection.distanceTo(row, reference[n]);
      if (clusters[cleanSelection[n]].className === classNames[set.labels[n]]) classConsistent++;
    });
  }
  const n = set.count;
  return {
    images: n,
    cleanAccuracy: cleanHits / n,
    pgdAccuracy: pgdHits / n,
    clusterAgreement: agree / n,
    selfClusterAgreement: selfAgree / n,
    classAgreement: classAgree / n,
    meanAttackedDistance: distanceSum / n,
    cleanClassConsistency: classConsistent / n,
    cleanCluster: cleanSelection,
  };
}
