/**
 * s = W x + b in plain JS (float64 arithmetic): a classifier whose attacks have closed forms, for
 * tests. W is [classes x d] row-major, d = H * W * C of the images it takes.
 */
import type { AttackableClassifier, ImageBatch } from './attack-types.ts';
import { valuesPerImage } from './image-batch.ts';

export interface LinearModel {
  readonly weights: Float64Array | Float32Array | readonly number[];
  readonly bias: Float64Array | Float32Array | readonly number[];
}

export function linearClassifier(model: LinearModel): AttackableClassifier & { readonly inputSize: number } {
  const classCount = model.bias.length;
  const d = model.weights.length / classCount;
  if (!Number.isInteger(d) || d < 1) throw new RangeError(`${model.weights.length} weights do not split into ${classCount} rows`);
  const W = Float64Array.from(model.weights);
  const b = Float64Array.from(model.bias);
  const check = (batch: ImageBatch) => {
    if (valuesPerImage(batch) !== d) throw new RangeError(`linear classifier takes images of ${d} values, got ${valuesPerImage(batch)}`);
  };
  const scoresOf = (batch: ImageBatch) => {
    const scores = new Float32Array(batch.count * classCount);
    for (let n = 0; n < batch.count; n++) {
      for (let k = 0; k < classCount; k++) {
        let s = b[k];
        for (let i = 0; i < d; i++) s += W[k * d + i] * batch.data[n * d + i];
        scores[n * classCount + k] = s;
      }
    }
    return scores;
  };
  return {
    classCount,
    scoreKind: 'logits',
    inputSize: d,
    async scores(batch) {
      check(batch);
      return scoresOf(batch);
    },
    async scoresAndGradient(batch, weightsOf) {
      check(batch);
      const scores = scoresOf(batch);
      const weights = weightsOf(scores);
      // d/dx sum_k w_k (W x + b)_k = sum_k w_k W_k
      const gradient = new Float32Array(batch.count * d);
      for (let n = 0; n < batch.count; n++) {
        for (let k = 0; k < classCount; k++) {
          const w = weights[n * classCount + k];
          if (w === 0) continue;
          for (let i = 0; i < d; i++) gradient[n * d + i] += w * W[k * d + i];
        }
      }
      return { scores, gradient };
    },
  };
}
