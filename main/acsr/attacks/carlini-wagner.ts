/**
 * Carlini-Wagner L2 (Carlini and Wagner 2017, their l2_attack.py), minimal-norm. In tanh space,
 * x'(w) = (tanh(atanh((2x - 1) * 0.999999) + w) + 1) / 2 is always a valid image, and Adam
 * (lr 0.01, w starting at 0) minimises per image
 *
 *   ||x' - x||_2^2 + c * max(Z_y - max_{j != y} Z_j, -kappa)        untargeted (Z: logits)
 *   ||x' - x||_2^2 + c * max(max_{j != t} Z_j - Z_t, -kappa)        targeted
 *
 * for `steps` iterations (stopping early, as the original, when the batch's total loss has not
 * fallen by 0.01% over a tenth of them). Over `binarySteps` values of c per image, starting at
 * 1e-3: c is multiplied by 10 until a first success, then bisected between the largest failing and
 * the smallest succeeding c. The smallest successful perturbation seen at any iteration is kept;
 * an image never attacked successfully is returned unchanged.
 *
 * d x'/d w = (1 - tanh^2) / 2 = 2 x' (1 - x'), so the chain rule needs only x'.
 */
import { throwIfCancelled } from '../../progress/progress.ts';
import { AdamOptimizer } from './adam.ts';
import { attackRecords } from './attack-records.ts';
import { assertValidRequest } from './attack-request.ts';
import type { Attack, AttackRequest, AttackResult } from './attack-types.ts';
import { valuesPerImage, withPixels } from './image-batch.ts';

export interface CarliniWagnerOptions {
  /** Adam iterations per value of c; default 100 (the original's 10000 is far beyond a 2-core CPU) */
  readonly steps?: number;
  /** values of c tried per image; default 9 */
  readonly binarySteps?: number;
  /** default 1e-3 */
  readonly initialConst?: number;
  /** kappa, the margin required; default 0 */
  readonly confidence?: number;
  /** default 0.01 */
  readonly learningRate?: number;
  /** the original's ABORT_EARLY; default true */
  readonly abortEarly?: boolean;
}

export const CW_DEFAULTS = { steps: 100, binarySteps: 9, initialConst: 1e-3, confidence: 0, learningRate: 0.01, abortEarly: true } as const;

/** keeps atanh finite at pixels of exactly 0 and 1, as the original does */
const TANH_SHRINK = 0.999999;
/** c above this has never succeeded: the original's "no upper bound yet" */
const NO_UPPER_BOUND = 1e10;

export function carliniWagnerAttack(options: CarliniWagnerOptions = {}): Attack {
  const settings = { ...CW_DEFAULTS, ...options };
  if (!(Number.isInteger(settings.steps) && settings.steps >= 1)) throw new RangeError(`CW steps ${settings.steps} is not a positive integer`);
  if (!(Number.isInteger(settings.binarySteps) && settings.binarySteps >= 1))
    throw new RangeError(`CW binary steps ${settings.binarySteps} is not a positive integer`);
  if (!(settings.initialConst > 0)) throw new RangeError(`CW initial constant ${settings.initialConst} is not positive`);
  if (!(settings.confidence >= 0)) throw new RangeError(`CW confidence ${settings.confidence} is negative`);
  if (!(settings.learningRate > 0)) throw new RangeError(`CW learning rate ${settings.learningRate} is not positive`);
  let name = 'cw';
  if (options.steps !== undefined && options.steps !== CW_DEFAULTS.steps) name += `:steps=${options.steps}`;
  // Every setting that differs from the default is in the name: two CW runs with one name must be the same attack.
  if (options.binarySteps !== undefined && options.binarySteps !== CW_DEFAULTS.binarySteps) name += `:binary=${options.binarySteps}`;
  if (options.initialConst !== undefined && options.initialConst !== CW_DEFAULTS.initialConst) name += `:c=${options.initialConst}`;
  if (options.confidence !== undefined && options.confidence !== CW_DEFAULTS.confidence) name += `:kappa=${options.confidence}`;
  if (options.learningRate !== undefined && options.learningRate !== CW_DEFAULTS.learningRate) name += `:lr=${options.learningRate}`;
  return { name, budget: null, run: (request) => carliniWagner(settings, request) };
}

async function carliniWagner(settings: Required<CarliniWagnerOptions>, request: AttackRequest): Promise<AttackResult> {
  assertValidRequest(request);
  const { classifier, images, labels, targets, signal, onProgress } = request;
  const K = classifier.classCount;
  const N = images.count;
  const d = valuesPerImage(images);
  const x = images.data;
  const kappa = settings.confidence;
  const base = Float64Array.from(x, (value) => Math.atanh((2 * value - 1) * TANH_SHRINK));

  const c = new Float64Array(N).fill(settings.initialConst);
  const lower = new Float64Array(N);
  const upper = new Float64Array(N).fill(NO_UPPER_BOUND);
  const bestL2 = new Float64Array(N).fill(Infinity);
  const best = Float32Array.from(x);
  const iterations = new Array<number>(N).fill(0);
  const goal = (n: number) => (targets ? targets[n] : labels[n]);

  /** The hinge's two classes per image: the one pushed down and the one pushed up. */
  const hinge = (scores: Float32Array, n: number) => {
    const row = scores.subarray(n * K, (n + 1) * K);
    let other = -1;
    for (let k = 0; k < K; k++) if (k !== goal(n) && (other < 0 || row[k] > row[other])) other = k;
    // untargeted: push Z_y below the best other class; targeted: push Z_t above it
    const [down, up] = targets ? [other, goal(n)] : [goal(n), other];
    return { down, up, margin: row[down] - row[up] };
  };

  for (let outer = 0; outer < settings.binarySteps; outer++) {
    const w = new Float64Array(N * d);
    const adam = new AdamOptimizer(N * d, settings.learningRate);
    const succeededWithThisC = new Array<boolean>(N).fill(false);
    let previousLoss = 1e6;
    for (let it = 0; it < settings.steps; it++) {
      throwIfCancelled(signal);
      const candidate = Float32Array.from(w, (value, i) => (Math.tanh(base[i] + value) + 1) / 2);
      const { scores, gradient } = await classifier.scoresAndGradient(withPixels(images, candidate), (s) => {
        const weights = new Float32Array(N * K);
        for (let n = 0; n < N; n++) {
          const { down, up, margin } = hinge(s, n);
          if (margin <= -kappa) continue; // the hinge is flat there
          weights[n * K + down] += c[n];
          weights[n * K + up] -= c[n];
        }
        return weights;
      });
      let totalLoss = 0;
      const dw = new Float32Array(N * d);
      for (let n = 0; n < N; n++) {
        const { margin } = hinge(scores, n);
        let l2Squared = 0;
        for (let i = n * d; i < (n + 1) * d; i++) {
          const delta = candidate[i] - x[i];
          l2Squared += delta * delta;
          dw[i] = (2 * delta + gradient[i]) * 2 * candidate[i] * (1 - candidate[i]);
        }
        totalLoss += l2Squared + c[n] * Math.max(margin, -kappa);
        iterations[n] += 1;
        // the original's compare(): success with the confidence margin, margin < -kappa (for
        // kappa = 0: the argmax left y, or reached t), judged where the scores were taken
        if (margin < -kappa) {
          succeededWithThisC[n] = true;
          if (l2Squared < bestL2[n]) {
            bestL2[n] = l2Squared;
            best.set(candidate.subarray(n * d, (n + 1) * d), n * d);
          }
        }
      }
      if (settings.abortEarly && it % Math.max(1, Math.floor(settings.steps / 10)) === 0) {
        if (totalLoss > previousLoss * 0.9999) break;
        previousLoss = totalLoss;
      }
      adam.step(w, dw);
      onProgress?.((outer * settings.steps + it + 1) / (settings.binarySteps * settings.steps));
    }
    for (let n = 0; n < N; n++) {
      if (succeededWithThisC[n]) {
        upper[n] = Math.min(upper[n], c[n]);
        if (upper[n] < 1e9) c[n] = (lower[n] + upper[n]) / 2;
      } else {
        lower[n] = Math.max(lower[n], c[n]);
        c[n] = upper[n] < 1e9 ? (lower[n] + upper[n]) / 2 : c[n] * 10;
      }
    }
  }
  throwIfCancelled(signal);
  onProgress?.(1);
  const result = withPixels(images, best);
  return { adversarial: result, records: await attackRecords(request, result, iterations) };
}
