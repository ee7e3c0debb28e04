import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { initTfBackend, TF_BACKEND_ENV } from '../../main/acsr/models/tf-backend.ts';
import { readImage } from '../../main/io/image.ts';
import { photosDir, repoRoot } from '../support/shared-data.ts';

const require = createRequire(import.meta.url);

function installed(specifier: string): boolean {
  try {
    require.resolve(specifier);
    return true;
  } catch {
    return false;
  }
}

test('the fastest available backend is chosen and reported with why faster ones were skipped', async () => {
  const listenersBefore = process.listeners('unhandledRejection').length + process.listeners('uncaughtException').length;
  const report = await initTfBackend();
  assert.equal(tf.getBackend(), report.name);
  assert.equal(report.tfjsVersion, tf.version.tfjs);
  if (process.env[TF_BACKEND_ENV]) {
    assert.equal(report.choice, process.env[TF_BACKEND_ENV]);
    return;
  }
  if (!installed('@tensorflow/tfjs-node') && !installed('@tensorflow/tfjs-node-gpu')) {
    // This machine: no native TensorFlow, so wasm must win, after both native candidates failed.
    assert.equal(report.choice, 'wasm');
    assert.equal(report.name, 'wasm');
    assert.deepEqual(
      report.skipped.map((skip) => skip.choice),
      ['tensorflow-gpu', 'tensorflow'],
    );
    for (const skip of report.skipped) assert.ok(skip.reason.length > 0);
  }
  // Emscripten's rethrowing process handlers must not outlive the wasm start-up.
  const listenersAfter = process.listeners('unhandledRejection').length + process.listeners('uncaughtException').length;
  assert.equal(listenersAfter, listenersBefore);
});

test('wasm and the pure-JS cpu backend agree on a convolution of a real photo to 1e-5 relative', async () => {
  const report = await initTfBackend();
  const photo = await readImage(`${photosDir}/skimage-chelsea.png`, { precision: 'float32' });
  // A deterministic filter bank with positive and negative taps: 5x5x3 -> 8 channels.
  const filters = tf.tidy(() => tf.sin(tf.range(0, 5 * 5 * 3 * 8).mul(0.37)).reshape([5, 5, 3, 8]) as tf.Tensor4D);
  const image = tf.tensor4d(photo.data as Float32Array, [1, photo.height, photo.width, 3]);
  const convolve = () => tf.tidy(() => tf.relu(tf.conv2d(image, filters, [2, 2], 'same')).dataSync() as Float32Array);
  try {
    await tf.setBackend('wasm');
    const onWasm = convolve();
    await tf.setBackend('cpu');
    const onCpu = convolve();
    assert.equal(onWasm.length, onCpu.length);
    let maxDiff = 0;
    let maxAbs = 0;
    for (let i = 0; i < onCpu.length; i++) {
      maxDiff = Math.max(maxDiff, Math.abs(onWasm[i] - onCpu[i]));
      maxAbs = Math.max(maxAbs, Math.abs(onCpu[i]));
    }
    assert.ok(maxAbs > 1, 'the convolution output is not trivially small');
    assert.ok(maxDiff / maxAbs < 1e-5, `wasm vs cpu relative max difference ${maxDiff / maxAbs}`);
  } finally {
    await tf.setBackend(report.name);
    image.dispose();
    filters.dispose();
  }
});

test(`${TF_BACKEND_ENV} forces a backend, and an unknown or unavailable one is refused as a user error`, () => {
  const script =
    "import { initTfBackend } from './main/acsr/models/tf-backend.ts';" +
    'initTfBackend().then((r) => console.log(JSON.stringify(r)), (e) => { console.log(e.name + ": " + e.message); process.exitCode = 3; });';
  const run = (value: string) =>
    spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '--eval', script], {
      cwd: repoRoot,
      encoding: 'utf8',
      timeout: 60_000,
      env: { ...process.env, [TF_BACKEND_ENV]: value },
    });
  const forcedCpu = run('cpu');
  assert.equal(forcedCpu.status, 0, forcedCpu.stderr);
  const report = JSON.parse(forcedCpu.stdout.trim().split('\n').at(-1)!);
  assert.equal(report.choice, 'cpu');
  assert.equal(report.forcedBy, `${TF_BACKEND_ENV}=cpu`);

  const bogus = run('cuda');
  assert.equal(bogus.status, 3);
  assert.match(bogus.stdout, /UserInputError: ACSR_TF_BACKEND='cuda' is not one of tensorflow-gpu, tensorflow, wasm, cpu/);
  if (!installed('@tensorflow/tfjs-node')) {
    const missing = run('tensorflow');
    assert.equal(missing.status, 3);
    assert.match(missing.stdout, /UserInputError: ACSR_TF_BACKEND=tensorflow: backend unavailable: @tensorflow\/tfjs-node not loadable/);
  }
});
