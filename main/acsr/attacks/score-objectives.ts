/**
 * Objectives on the scores s[n, k], given as the weights W of a vector-Jacobian product
 * (ScoreWeights in attack-types.ts): d/dx sum_nk W[n,k] s[n,k] is the objective's gradient when
 * W[n,k] = d objective / d s[n,k].
 */
import type { ScoreWeights } from './attack-types.ts';

/** Row-wise softmax of scores [N x K]. For log-probabilities, softmax(log p) = p. */
export function softmaxRows(scores: Float32Array, classCount: number): Float64Array {
  const probabilities = new Float64Array(scores.length);
  for (let start = 0; start < scores.length; start += classCount) {
    let max = -Infinity;
    for (let k = 0; k < classCount; k++) max = Math.max(max, scores[start + k]);
    let total = 0;
    for (let k = 0; k < classCount; k++) total += probabilities[start + k] = Math.exp(scores[start + k] - max);
    for (let k = 0; k < classCount; k++) probabilities[start + k] /= total;
  }
  return probabilities;
}

/**
 * The direction attacks ascend, as torchattacks writes it: untargeted, the cross-entropy
 * CE(s, y) = -log softmax(s)_y (dCE/ds = softmax(s) - onehot(y)); targeted, -CE(s, t). The mean
 * over the batch that torchattacks takes only scales every image's gradient by 1/N, which sign()
 * and normalisation remove, so it is left out.
 */
export function crossEntropyAscent(classCount: number, labels: ArrayLike<number>, targets?: ArrayLike<number>): ScoreWeights {
  return (scores) => {
    const probabilities = softmaxRows(scores, classCount);
    const weights = new Float32Array(scores.length);
    const count = scores.length / classCount;
    for (let n = 0; n < count; n++) {
      const goal = targets ? targets[n] : labels[n];
      const sign = targets ? -1 : 1;
      for (let k = 0; k < classCount; k++) {
        weights[n * classCount + k] = sign * (probabilities[n * classCount + k] - (k === goal ? 1 : 0));
      }
    }
    return weights;
  };
}

/** argmax of each row of scores [N x K]. */
export function predictedClasses(scores: Float32Array, classCount: number): number[] {
  const classes: number[] = [];
  for (let start = 0; start < scores.length; start += classCount) {
    let best = 0;
    for (let k = 1; k < classCount; k++) if (scores[start + k] > scores[start + best]) best = k;
    classes.push(best);
  }
  return classes;
}

/** Untargeted: the class left the true label; targeted: it reached the target. */
export function isSuccess(predicted: number, label: number, target: number | undefined): boolean {
  return target === undefined ? predicted !== label : predicted === target;
}
