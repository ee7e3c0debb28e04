/**
 * Gradients through the real nsfwjs MobileNetV2 on the selected backend (wasm here), checked
 * against central finite differences on a real photo, in image space (through the model's resize).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { ensureGradientKernels, withInputGradientsOnly } from '../../main/acsr/models/gradient-kernels.ts';
import { scorePixelGradient } from '../../main/acsr/models/input-gradients.ts';
import { loadTfImageModel, type TfImageModel } from '../../main/acsr/models/tf-image-model.ts';
import { readImage } from '../../main/io/image.ts';
import type { ImageArray } from '../../main/acsr/array/image-array.ts';
import { photosDir } from '../support/shared-data.ts';

let cacheDir: string;
let model: TfImageModel;
let photo: ImageArray;

before(async () => {
  cacheDir = mkdtempSync(path.join(tmpdir(), 'acsr-models-grad-'));
  model = await loadTfImageModel('nsfwjs-mobilenet-v2', { cacheDir });
  photo = await readImage(path.join(photosDir, 'skimage-chelsea.png'), { precision: 'float32' });
});

after(() => {
  model?.dispose();
  rmSync(cacheDir, { recursive: true, force: true });
});

test('d logit / d pixel of a real photo matches central finite differences along two directions', async (t) => {
  const neutral = model.classNames.indexOf('Neutral');
  const { score, gradient } = await scorePixelGradient(model, photo, neutral);
  assert.equal(gradient.length, photo.data.length, 'gradient is in image space, not model-input space');
  assert.ok(Math.abs(score - (await model.scores([photo]))[0][neutral]) < 1e-4);

  const logitAlong = async (direction: Float64Array, step: number) =>
    (await model.scores([{ ...photo, data: Float32Array.from(photo.data, (value, i) => value + step * direction[i]) }]))[0][neutral];
  const unit = (values: Float64Array) => {
    const norm = Math.sqrt(values.reduce((sum, value) => sum + value * value, 0));
    return values.map((value) => value / norm);
  };
  // The gradient's own direction (largest derivative), and the gradient restricted to a fixed
  // pseudo-random half of the pixels, which a wrong layout or channel order would not survive.
  let seed = 7;
  const coin = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) & 0x10000) !== 0;
  const directions = {
    gradient: unit(Float64Array.from(gradient)),
    'gradient on half the pixels': unit(Float64Array.from(gradient, (value) => (coin() ? value : 0))),
  };
  // Float32 logits carry ~1e-5 noise; 3e-4 (in units of unit-norm image change) balances that
  // against the ReLU6 network's curvature (measured: relative error 3e-2 at 1e-2, 7e-4 at 3e-4).
  const step = 3e-4;
  for (const [name, direction] of Object.entries(directions)) {
    const analytic = direction.reduce((sum, d, i) => sum + d * gradient[i], 0);
    const numeric = ((await logitAlong(direction, step)) - (await logitAlong(direction, -step))) / (2 * step);
    t.diagnostic(`${name}: analytic ${analytic.toFixed(5)}, finite difference ${numeric.toFixed(5)}`);
    assert.ok(analytic > 1, `${name}: derivative ${analytic} is large enough to test`);
    assert.ok(Math.abs(numeric - analytic) / analytic < 1e-2, `${name}: analytic ${analytic}, finite difference ${numeric}`);
  }
});

test('filter gradients routed to the cpu kernels are exact, and input-only mode silences them only while it runs', async () => {
  ensureGradientKernels();
  const x = tf.tidy(() => tf.sin(tf.range(0, 2 * 9 * 9 * 3).mul(0.71)).reshape([2, 9, 9, 3]) as tf.Tensor4D);
  const filter = tf.tidy(() => tf.cos(tf.range(0, 3 * 3 * 3 * 4).mul(0.29)).reshape([3, 3, 3, 4]) as tf.Tensor4D);
  const depthwise = tf.tidy(() => tf.cos(tf.range(0, 3 * 3 * 3 * 2).mul(0.53)).reshape([3, 3, 3, 2]) as tf.Tensor4D);
  const loss = (f: tf.Tensor4D, d: tf.Tensor4D) =>
    tf.add(tf.sum(tf.square(tf.conv2d(x, f, 2, 'same'))), tf.sum(tf.square(tf.depthwiseConv2d(x, d, 1, 'valid'))));
  const filterGradients = () => tf.grads((f: tf.Tensor, d: tf.Tensor) => loss(f as tf.Tensor4D, d as tf.Tensor4D))([filter, depthwise]);
  const backend = tf.getBackend();
  try {
    const onBackend = filterGradients().map((g) => g.dataSync());
    const silenced = withInputGradientsOnly(filterGradients).map((g) => g.dataSync());
    const restored = filterGradients().map((g) => g.dataSync());
    await tf.setBackend('cpu');
    const onCpu = filterGradients().map((g) => g.dataSync());
    for (let k = 0; k < 2; k++) {
      assert.ok(onCpu[k].some((value) => Math.abs(value) > 1));
      for (let i = 0; i < onCpu[k].length; i++) {
        assert.ok(Math.abs(onBackend[k][i] - onCpu[k][i]) <= 1e-4 * Math.abs(onCpu[k][i]) + 1e-4);
        assert.equal(restored[k][i], onBackend[k][i]);
      }
      assert.ok(silenced[k].every((value) => value === 0));
    }
  } finally {
    await tf.setBackend(backend);
    x.dispose();
    filter.dispose();
    depthwise.dispose();
  }
});
