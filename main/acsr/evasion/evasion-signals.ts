/**
 * The signals of the evasion score, per image (the detection side of feature squeezing, Xu et al.
 * 2018, with ACSR's purification as one more squeezer, plus where the image's latent lies):
 * - purificationShift: L1 distance between the classifier's softmax on the image and on its
 *   ACSR-purified version. An adversarial perturbation is high-frequency detail the cluster's
 *   dictionary cannot express, so purifying it away moves the verdict; a clean image's barely moves.
 * - jpegShift, medianShift: the same for JPEG (quality 50) and the 3 x 3 median filter.
 * - latentOutlier: the Mahalanobis distance of the image's latent to its nearest cluster, as a
 *   robust z-score against that cluster's own training members (distance minus their median,
 *   over 1.4826 MAD): an attacked image tends to sit between clusters, far from all of them.
 */
import type { ImageArray } from '../array/image-array.ts';
import { jpegRoundTrip } from '../defenses/jpeg-defense.ts';
import { medianFilter3x3 } from '../defenses/median-filter-defense.ts';
import type { ImageClassifier } from '../models/model-contracts.ts';

import { type EvasionSignals, SIGNAL_NAMES } from './evasion-calibration-schema.ts';

export { type EvasionSignals, SIGNAL_NAMES, type SignalName } from './evasion-calibration-schema.ts';
export const SQUEEZE_JPEG_QUALITY = 50;

export function signalVector(signals: EvasionSignals): number[] {
  return SIGNAL_NAMES.map((name) => signals[name]);
}

/** Softmax of logits or log-probabilities (both give the class probabilities). */
export function softmax(scores: ArrayLike<number>): Float64Array {
  let max = -Infinity;
  for (let i = 0; i < scores.length; i++) max = Math.max(max, scores[i]);
  const out = new Float64Array(scores.length);
  let sum = 0;
  for (let i = 0; i < scores.length; i++) sum += (out[i] = Math.exp(scores[i] - max));
  for (let i = 0; i < scores.length; i++) out[i] /= sum;
  return out;
}

export function l1Distance(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new RangeError(`vectors of ${a.length} and ${b.length} values`);
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += Math.abs(a[i] - b[i]);
  return sum;
}

/** Median and robust scale of a cluster's member distances. */
export interface ClusterDistanceNorm {
  readonly median: number;
  readonly scale: number;
  readonly members: number;
}

export function latentOutlier(distance: number, norm: ClusterDistanceNorm): number {
  return (distance - norm.median) / norm.scale;
}

export interface SignalRequest {
  readonly classifier: Pick<ImageClassifier, 'scores'>;
  readonly images: readonly ImageArray[];
  /** each image's ACSR-purified version */
  readonly purified: readonly ImageArray[];
  /** each image's nearest cluster and its Mahalanobis distance to it */
  readonly nearest: readonly { clusterId: string; distance: number }[];
  readonly clusterDistances: Readonly<Record<string, ClusterDistanceNorm>>;
  readonly jpegQuality?: number;
}

export async function computeSignals(request: SignalRequest): Promise<EvasionSignals[]> {
  const { images, purified, nearest } = request;
  if (purified.length !== images.length || nearest.length !== images.length) throw new RangeError('one purified image and one nearest cluster per image are needed');
  const quality = request.jpegQuality ?? SQUEEZE_JPEG_QUALITY;
  const jpeg = await Promise.all(images.map((image) => jpegRoundTrip(image, quality)));
  const median = images.map(medianFilter3x3);
  const n = images.length;
  // one classifier call for the four versions of every image
  const scores = await request.classifier.scores([...images, ...purified.map((p, i) => ({ ...p, channels: images[i].channels })), ...jpeg, ...median]);
  const probabilities = scores.map(softmax);
  return images.map((_, i) => {
    const norm = request.clusterDistances[nearest[i].clusterId];
    if (!norm) throw new RangeError(`no member-distance record for cluster ${nearest[i].clusterId}`);
    return {
      purificationShift: l1Distance(probabilities[i], probabilities[n + i]),
      jpegShift: l1Distance(probabilities[i], probabilities[2 * n + i]),
      medianShift: l1Distance(probabilities[i], probabilities[3 * n + i]),
      latentOutlier: latentOutlier(nearest[i].distance, norm),
    };
  });
}
