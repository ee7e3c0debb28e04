/**
 * The signals of the evasion score, per image: the detection side of feature squeezing (Xu et al.
 * 2018), with ACSR's purification as one more squeezer, plus the classifier's own confidence and
 * where the image's latent lies. A squeezer removes detail a clean image does not need; an
 * adversarial perturbation is such detail, so squeezing it away moves the verdict.
 * - <squeezer>Shift: L1 distance between the classifier's softmax on the image and on its squeezed
 *   version, for ACSR purification, JPEG (quality 50), the 3 x 3 median filter, and bit-depth
 *   reduction to 1 bit (black and white; the best single squeezer on MNIST in Xu et al.) and 4 bits.
 * - bit3Shift, bit2Shift (and their flips): bit-depth reduction to 8 and 4 levels. A squeezer
 *   undoes a perturbation when its step is a few times the perturbation's: 4 bits undo the small
 *   sign steps of FGSM at dissimilarity 0.04 but not those at 0.08 (about 9 of 255 per pixel on
 *   Fashion-MNIST), which 3 bits undo.
 * - maxSqueezeShift: the largest of the first five shifts, feature squeezing's own joint detector.
 * - <squeezer>Flip: 1 when the squeezed version gets another label than the image, else 0;
 *   flipCount: how many of the first five squeezers flip it. (The maximum and the count keep the
 *   five squeezers they were defined with, so older calibrations keep their meaning.)
 * - logitMargin: top-1 minus top-2 score on the image itself. Attacks held to a small budget (and
 *   minimal-norm attacks by design) leave the image just across the decision boundary.
 * - latentOutlier: the Mahalanobis distance of the image's latent to its nearest cluster, as a
 *   robust z-score against that cluster's own training members (distance minus their median,
 *   over 1.4826 MAD): an attacked image may sit between clusters, far from all of them.
 * - noiseLevel, noiseUpperQuartile: the median and the 75th percentile of |x - median3x3(x)| over
 *   all pixel values, a robust estimate of the image's fine-grain noise (edges are a minority of
 *   pixels, so they barely move it). A sign attack (FGSM, BIM) adds a small change to nearly every
 *   pixel, which raises the noise floor of flat regions; the verdict shifts miss an attack that
 *   pushed the image far across the boundary, where no squeezer brings it back.
 */
import { predictedClasses, softmaxRows } from '../attacks/score-objectives.ts';
import type { ImageArray } from '../array/image-array.ts';
import { reduceBitDepth } from '../defenses/bit-depth-defense.ts';
import { jpegRoundTrip } from '../defenses/jpeg-defense.ts';
import { medianFilter3x3 } from '../defenses/median-filter-defense.ts';
import type { ImageClassifier } from '../models/model-contracts.ts';

import type { EvasionSignals, SignalName } from './evasion-calibration-schema.ts';

export { type EvasionSignals, SIGNAL_NAMES, type SignalName } from './evasion-calibration-schema.ts';
export const SQUEEZE_JPEG_QUALITY = 50;

/** The squeezers in the order their versions are classified. */
const SQUEEZERS = ['purification', 'jpeg', 'median', 'bit1', 'bit4', 'bit3', 'bit2'] as const;
/** The squeezers the joint maximum and the flip count are taken over. */
const JOINT_SQUEEZERS = 5;

export function signalVector(signals: EvasionSignals, names: readonly SignalName[]): number[] {
  return names.map((name) => signals[name]);
}

/** Softmax of one image's logits or log-probabilities (both give the class probabilities). */
export function softmax(scores: ArrayLike<number>): Float64Array {
  return softmaxRows(Float32Array.from(scores), scores.length);
}

export function l1Distance(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new RangeError(`vectors of ${a.length} and ${b.length} values`);
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += Math.abs(a[i] - b[i]);
  return sum;
}

/** Values beyond this many are sampled with an even stride: a quantile needs no more. */
const NOISE_SAMPLE_LIMIT = 1 << 22;

/** The `quantiles` (each in [0, 1]) of |image - filtered| over all values (or an even sample of them). */
export function residualQuantiles(image: ArrayLike<number>, filtered: ArrayLike<number>, quantiles: readonly number[]): number[] {
  if (image.length !== filtered.length) throw new RangeError(`images of ${image.length} and ${filtered.length} values`);
  if (image.length === 0) throw new RangeError('an empty image has no noise level');
  const stride = Math.ceil(image.length / NOISE_SAMPLE_LIMIT);
  const residual = new Float32Array(Math.ceil(image.length / stride));
  for (let i = 0, k = 0; i < image.length; i += stride, k++) residual[k] = Math.abs(image[i] - filtered[i]);
  residual.sort();
  return quantiles.map((q) => residual[Math.round(q * (residual.length - 1))]);
}

export function argmax(scores: ArrayLike<number>): number {
  return predictedClasses(Float32Array.from(scores), scores.length)[0];
}

/** Top-1 minus top-2 score (the same for logits and log-probabilities: they differ by a constant). */
export function topTwoMargin(scores: ArrayLike<number>): number {
  let first = -Infinity;
  let second = -Infinity;
  for (let i = 0; i < scores.length; i++) {
    if (scores[i] > first) [first, second] = [scores[i], first];
    else if (scores[i] > second) second = scores[i];
  }
  return Number.isFinite(second) ? first - second : 0;
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
  if (purified.length !== images.length || nearest.length !== images.length)
    throw new RangeError('one purified image and one nearest cluster per image are needed');
  const quality = request.jpegQuality ?? SQUEEZE_JPEG_QUALITY;
  const squeezed: Record<(typeof SQUEEZERS)[number], ImageArray[]> = {
    purification: purified.map((p, i) => ({ ...p, channels: images[i].channels })),
    jpeg: await Promise.all(images.map((image) => jpegRoundTrip(image, quality))),
    median: images.map(medianFilter3x3),
    bit1: images.map((image) => reduceBitDepth(image, 1)),
    bit4: images.map((image) => reduceBitDepth(image, 4)),
    bit3: images.map((image) => reduceBitDepth(image, 3)),
    bit2: images.map((image) => reduceBitDepth(image, 2)),
  };
  const n = images.length;
  // one classifier call for every version of every image
  const scores = await request.classifier.scores([...images, ...SQUEEZERS.flatMap((name) => squeezed[name])]);
  const probabilities = scores.map(softmax);
  return images.map((_, i) => {
    const norm = request.clusterDistances[nearest[i].clusterId];
    if (!norm) throw new RangeError(`no member-distance record for cluster ${nearest[i].clusterId}`);
    const label = argmax(scores[i]);
    const shifts = SQUEEZERS.map((_, k) => l1Distance(probabilities[i], probabilities[(k + 1) * n + i]));
    const flips = SQUEEZERS.map((_, k) => (argmax(scores[(k + 1) * n + i]) === label ? 0 : 1));
    return {
      purificationShift: shifts[0],
      jpegShift: shifts[1],
      medianShift: shifts[2],
      bit1Shift: shifts[3],
      bit4Shift: shifts[4],
      bit3Shift: shifts[5],
      bit2Shift: shifts[6],
      maxSqueezeShift: Math.max(...shifts.slice(0, JOINT_SQUEEZERS)),
      purificationFlip: flips[0],
      jpegFlip: flips[1],
      medianFlip: flips[2],
      bit1Flip: flips[3],
      bit4Flip: flips[4],
      bit3Flip: flips[5],
      bit2Flip: flips[6],
      flipCount: flips.slice(0, JOINT_SQUEEZERS).reduce((s: number, f) => s + f, 0),
      logitMargin: topTwoMargin(scores[i]),
      latentOutlier: latentOutlier(nearest[i].distance, norm),
      ...noiseSignals(images[i], squeezed.median[i]),
    };
  });
}

function noiseSignals(image: ImageArray, median: ImageArray): Pick<EvasionSignals, 'noiseLevel' | 'noiseUpperQuartile'> {
  const [noiseLevel, noiseUpperQuartile] = residualQuantiles(image.data, median.data, [0.5, 0.75]);
  return { noiseLevel, noiseUpperQuartile };
}
