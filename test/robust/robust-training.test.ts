/**
 * Stage ii's training loop on real Fashion-MNIST images with the attack library's PGD:
 * - a run cancelled in the middle of its second epoch and resumed (a fresh network, as a new
 *   process would build it) from the first epoch's checkpoint ends with exactly the weights,
 *   bit for bit, of an uninterrupted run with the same seed;
 * - a tiny run with alpha > 0 lowers the mean Mahalanobis distance of attacked latents to their
 *   clean clusters (alpha = 0, plain PGD adversarial training, is reported for comparison).
 * Sizes: 320 images, batches of 32, PGD with 3 steps; a few seconds each on 2 cores.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { CancelledError, ProgressReporter } from '../../main/progress/progress.ts';
import { type RobustTrainingOptions, trainRobustly } from '../../main/acsr/robust/robust-training.ts';
import { attackedMeanDistance, baselineNetwork, type TinySetting, tinySetting, weightBytes } from './tiny-robust-setup.ts';

const OPTIONS: RobustTrainingOptions = {
  epochs: 2,
  batchSize: 32,
  learningRate: 1e-3,
  weightDecay: 1e-4,
  alpha: 0.5,
  seed: 3,
  pgd: { norm: 'l2', epsilon: 0.04, steps: 3 },
};

let setting: TinySetting;
const temp = mkdtempSync(path.join(tmpdir(), 'acsr-robust-'));

before(async () => {
  setting = await tinySetting(320);
});

after(() => {
  setting?.clusters.dispose();
  rmSync(temp, { recursive: true, force: true });
});

test('resuming after a cancel in the second epoch gives the same weights, bit for bit, as an uninterrupted run', async () => {
  const fingerprint = { test: 'resume' };
  const straight = baselineNetwork(setting);
  const uninterrupted = await trainRobustly({
    net: straight,
    set: setting.set,
    clusterOfImage: setting.clusterOfImage,
    clusters: setting.clusters,
    options: OPTIONS,
    checkpoints: { dir: path.join(temp, 'straight'), fingerprint, resume: false },
  });
  const expected = await weightBytes(straight.network);

  const dir = path.join(temp, 'interrupted');
  const cancel = new AbortController();
  const interrupted = baselineNetwork(setting);
  const cancelMidSecondEpoch = new ProgressReporter((event) => {
    if (event.message?.startsWith('epoch 2/2, batch 4/')) cancel.abort();
  });
  await assert.rejects(
    trainRobustly({
      net: interrupted,
      set: setting.set,
      clusterOfImage: setting.clusterOfImage,
      clusters: setting.clusters,
      options: OPTIONS,
      checkpoints: { dir, fingerprint, resume: false },
      progress: cancelMidSecondEpoch,
      signal: cancel.signal,
    }),
    CancelledError,
  );
  assert.deepEqual(readdirSync(dir), ['epoch-0001'], 'only the completed epoch is checkpointed');
  interrupted.network.dispose();

  const resumedNet = baselineNetwork(setting);
  const resumed = await trainRobustly({
    net: resumedNet,
    set: setting.set,
    clusterOfImage: setting.clusterOfImage,
    clusters: setting.clusters,
    options: OPTIONS,
    checkpoints: { dir, fingerprint, resume: true },
  });
  assert.equal(resumed.resumedAfter, 1);
  const actual = await weightBytes(resumedNet.network);
  assert.equal(actual.length, expected.length);
  actual.forEach((bytes, i) => assert.ok(Buffer.from(bytes).equals(Buffer.from(expected[i])), `weight ${i} differs`));
  assert.deepEqual(
    resumed.history.map((h) => h.loss),
    uninterrupted.history.map((h) => h.loss),
  );

  await assert.rejects(
    trainRobustly({
      net: resumedNet,
      set: setting.set,
      clusterOfImage: setting.clusterOfImage,
      clusters: setting.clusters,
      options: { ...OPTIONS, epochs: 3 },
      checkpoints: { dir, fingerprint: { test: 'another run' }, resume: true },
    }),
    /different run/,
  );
  straight.network.dispose();
  resumedNet.network.dispose();
});

test('a tiny run on real Fashion-MNIST images lowers the mean Mahalanobis distance of attacked latents', async (t) => {
  const options: RobustTrainingOptions = { ...OPTIONS, epochs: 2, alpha: 0.5 };
  const measure = { ...OPTIONS.pgd, steps: 5 };
  const results: Record<string, number> = {};
  for (const alpha of [0, options.alpha]) {
    const net = baselineNetwork(setting);
    const before = await attackedMeanDistance(net, setting, measure);
    await trainRobustly({ net, set: setting.set, clusterOfImage: setting.clusterOfImage, clusters: setting.clusters, options: { ...options, alpha } });
    const after = await attackedMeanDistance(net, setting, measure);
    t.diagnostic(`alpha ${alpha}: mean MD of PGD latents ${before.toFixed(3)} -> ${after.toFixed(3)}`);
    results[`before ${alpha}`] = before;
    results[`after ${alpha}`] = after;
    net.network.dispose();
  }
  assert.ok(results[`after ${options.alpha}`] < results[`before ${options.alpha}`], JSON.stringify(results));
});
