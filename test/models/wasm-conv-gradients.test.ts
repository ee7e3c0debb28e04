/**
 * The wasm convolution gradients (forward-convolution form) against tfjs's own cpu kernels, over
 * the geometries CNNs use: strides 1 and 2, 'same' and 'valid', odd and even sizes, 1x1 to 5x5,
 * batch 1 and 3, ordinary and depthwise.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { ensureGradientKernels } from '../../main/acsr/models/gradient-kernels.ts';
import { initTfBackend } from '../../main/acsr/models/tf-backend.ts';

interface Case {
  batch: number;
  size: [number, number];
  kernel: [number, number];
  channels: [number, number];
  stride: number;
  pad: 'same' | 'valid';
  depthwise: boolean;
}

const cases: Case[] = [];
for (const depthwise of [false, true]) {
  for (const stride of [1, 2]) {
    for (const pad of ['same', 'valid'] as const) {
      for (const [kernel, size] of [
        [[1, 1], [7, 6]],
        [[3, 3], [9, 8]],
        [[5, 3], [8, 11]],
      ] as [[number, number], [number, number]][]) {
        cases.push({ batch: stride === 1 ? 1 : 3, size, kernel, channels: depthwise ? [4, 4] : [3, 5], stride, pad, depthwise });
      }
    }
  }
}

/** Deterministic, sign-changing values (no seeded RNG needed for this). */
function wave(shape: number[], phase: number): tf.Tensor {
  return tf.tidy(() => tf.sin(tf.add(tf.mul(tf.range(0, shape.reduce((a, b) => a * b, 1)), 0.61), phase)).reshape(shape));
}

function gradients(c: Case): Float32Array[] {
  return tf.tidy(() => {
    const x = wave([c.batch, ...c.size, c.channels[0]], 0.3) as tf.Tensor4D;
    const filter = wave([...c.kernel, c.channels[0], c.depthwise ? 1 : c.channels[1]], 1.1) as tf.Tensor4D;
    const loss = (input: tf.Tensor, weights: tf.Tensor) => {
      const y = c.depthwise
        ? tf.depthwiseConv2d(input as tf.Tensor4D, weights as tf.Tensor4D, c.stride, c.pad)
        : tf.conv2d(input as tf.Tensor4D, weights as tf.Tensor4D, c.stride, c.pad);
      // A non-uniform dy, so that every position's gradient differs.
      return tf.sum(tf.mul(y, wave(y.shape, 2.3)));
    };
    return tf.grads(loss)([x, filter]).map((g) => g.dataSync() as Float32Array);
  });
}

test('conv2d and depthwise gradients on wasm equal the cpu kernels to 1e-5 relative', async (t) => {
  const report = await initTfBackend();
  if (report.name !== 'wasm') {
    t.skip(`backend is ${report.name}; these kernels are for wasm only`);
    return;
  }
  ensureGradientKernels();
  try {
    for (const c of cases) {
      await tf.setBackend('wasm');
      const fast = gradients(c);
      await tf.setBackend('cpu');
      const reference = gradients(c);
      for (const [k, name] of ['dx', 'dw'].entries()) {
        const scale = Math.max(...reference[k].map(Math.abs));
        assert.ok(scale > 0.1, `${JSON.stringify(c)} ${name} is not trivially zero`);
        assert.equal(fast[k].length, reference[k].length);
        const worst = Math.max(...fast[k].map((value, i) => Math.abs(value - reference[k][i])));
        assert.ok(worst <= 1e-5 * scale, `${JSON.stringify(c)} ${name}: max difference ${worst} (scale ${scale})`);
      }
    }
  } finally {
    await tf.setBackend(report.name);
  }
});
