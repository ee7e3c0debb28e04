import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { lazyFusedBatchNormGradConfig } from '../../main/acsr/models/batch-norm-gradient.ts';
import { initTfBackend } from '../../main/acsr/models/tf-backend.ts';

const tfjsOwn = tf.getGradient('FusedBatchNorm');

function wave(shape: number[], phase: number, offset = 0): tf.Tensor {
  return tf.tidy(() => tf.add(tf.sin(tf.add(tf.mul(tf.range(0, shape.reduce((a, b) => a * b, 1)), 0.37), phase)), offset).reshape(shape));
}

/** Gradients of a weighted sum of batchNorm's output with respect to all five inputs. */
function allGradients(xShape: number[]): Float32Array[] {
  return tf.tidy(() => {
    const channels = xShape.at(-1)!;
    const inputs = [wave(xShape, 0.1), wave([channels], 0.5), wave([channels], 0.9, 1.5), wave([channels], 1.3, 2), wave([channels], 1.7)];
    const weights = wave(xShape, 2.2);
    const f = (x: tf.Tensor, mean: tf.Tensor, variance: tf.Tensor, scale: tf.Tensor, offset: tf.Tensor) =>
      tf.sum(tf.mul(tf.batchNorm(x, mean, variance, offset, scale, 1e-3), weights));
    return tf.grads(f)(inputs).map((t) => t.dataSync() as Float32Array);
  });
}

test("the lazy FusedBatchNorm gradient equals tfjs's own for x, mean, variance, scale and offset", async () => {
  await initTfBackend();
  try {
    // (Without a scale tensor tfjs cannot differentiate batchNorm at all: it saves the absent scale
    // for the backward pass. layers-model-patches.ts gives such layers scale = 1 instead.)
    for (const xShape of [[2, 5, 4, 3], [6, 7]]) {
      tf.registerGradient(tfjsOwn);
      const reference = allGradients(xShape);
      tf.registerGradient(lazyFusedBatchNormGradConfig);
      const lazy = allGradients(xShape);
      assert.equal(lazy.length, reference.length);
      for (let k = 0; k < reference.length; k++) {
        assert.deepEqual(lazy[k].length, reference[k].length);
        assert.ok(reference[k].some((value) => Math.abs(value) > 0.1));
        for (let i = 0; i < reference[k].length; i++) {
          assert.ok(
            Math.abs(lazy[k][i] - reference[k][i]) <= 1e-5 * (1 + Math.abs(reference[k][i])),
            `x ${xShape} input ${k}[${i}]: ${lazy[k][i]} vs ${reference[k][i]}`,
          );
        }
      }
    }
  } finally {
    tf.registerGradient(tfjsOwn);
  }
});
