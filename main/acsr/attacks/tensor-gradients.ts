/**
 * The vector-Jacobian product of AttackableClassifier for any differentiable tfjs forward pass:
 * scores s = forward(x), W = weights(s) read back and held constant, and d/dx sum(W * s), in one
 * forward and one backward pass. Batches are run in chunks to bound memory.
 */
import * as tf from '@tensorflow/tfjs';
import type { ImageBatch, ScoreWeights } from './attack-types.ts';

export type DifferentiableForward = (x: tf.Tensor4D) => tf.Tensor2D;

/** Synchronous (so it can run inside withInputGradientsOnly); the caller disposes `gradient`. */
export function scoresAndWeightedGradient(
  forward: DifferentiableForward,
  x: tf.Tensor4D,
  weights: ScoreWeights,
): { scores: Float32Array; gradient: tf.Tensor4D } {
  let scores: Float32Array | undefined;
  const { value, grad } = tf.valueAndGrad((input: tf.Tensor4D) => {
    const s = forward(input);
    // Read back mid-tape: the weights depend on the current scores (softmax for CE, the runner-up
    // class for CW) and enter the objective as a constant.
    scores = s.dataSync<'float32'>().slice();
    const w = tf.tensor2d(checkedWeights(weights(scores), scores.length), s.shape);
    return tf.sum(tf.mul(s, w)) as tf.Scalar;
  })(x);
  value.dispose();
  return { scores: scores!, gradient: grad as tf.Tensor4D };
}

export function checkedWeights(w: Float32Array, expected: number): Float32Array {
  if (w.length !== expected) throw new RangeError(`score weights hold ${w.length} values, expected ${expected}`);
  return w;
}

/** The [n, H, W, C] tensor of images start..end of a batch; the caller disposes it. */
export function batchTensor(batch: ImageBatch, start: number, end: number): tf.Tensor4D {
  const d = batch.height * batch.width * batch.channels;
  return tf.tensor4d(batch.data.subarray(start * d, end * d), [end - start, batch.height, batch.width, batch.channels]);
}

/** Scores of a batch, `chunk` images per forward pass. */
export async function chunkedScores(batch: ImageBatch, chunk: number, classCount: number, forward: DifferentiableForward): Promise<Float32Array> {
  const scores = new Float32Array(batch.count * classCount);
  for (let start = 0; start < batch.count; start += chunk) {
    const end = Math.min(batch.count, start + chunk);
    const part = tf.tidy(() => {
      const x = batchTensor(batch, start, end);
      return forward(x);
    });
    try {
      const data = await part.data<'float32'>();
      checkRows(data, end - start, classCount);
      scores.set(data, start * classCount);
    } finally {
      part.dispose();
    }
  }
  return scores;
}

/**
 * Scores and the weighted gradient of a batch, `chunk` images per forward/backward pass. The
 * weights are a function of the whole batch's scores (attack-types.ts), so when the batch spans
 * several chunks every score is computed first (one extra forward pass) and each chunk's backward
 * pass gets its rows of W = weights(all scores).
 */
export async function chunkedScoresAndGradient(
  batch: ImageBatch,
  chunk: number,
  classCount: number,
  weights: ScoreWeights,
  forward: DifferentiableForward,
  compute: (x: tf.Tensor4D, chunkWeights: ScoreWeights) => { scores: Float32Array; gradient: tf.Tensor4D },
): Promise<{ scores: Float32Array; gradient: Float32Array }> {
  const d = batch.height * batch.width * batch.channels;
  const gradient = new Float32Array(batch.count * d);
  if (batch.count <= chunk) {
    const x = batchTensor(batch, 0, batch.count);
    try {
      const part = compute(x, weights);
      try {
        checkRows(part.scores, batch.count, classCount);
        gradient.set(await part.gradient.data<'float32'>());
        return { scores: part.scores, gradient };
      } finally {
        part.gradient.dispose();
      }
    } finally {
      x.dispose();
    }
  }
  const scores = await chunkedScores(batch, chunk, classCount, forward);
  const allWeights = checkedWeights(weights(scores), scores.length);
  for (let start = 0; start < batch.count; start += chunk) {
    const end = Math.min(batch.count, start + chunk);
    const x = batchTensor(batch, start, end);
    try {
      const part = compute(x, () => allWeights.subarray(start * classCount, end * classCount));
      try {
        gradient.set(await part.gradient.data<'float32'>(), start * d);
      } finally {
        part.gradient.dispose();
      }
    } finally {
      x.dispose();
    }
  }
  return { scores, gradient };
}

function checkRows(scores: Float32Array, rows: number, classCount: number): void {
  if (scores.length !== rows * classCount) throw new Error(`model returned ${scores.length} scores for ${rows} images of ${classCount} classes`);
}
