/**
 * The adaptive attacker of test/bench/evasion-adaptive.ts: its classifier's gradient is the sum of
 * the objective's gradients at the image and at each squeezed version (BPDA), each version with its
 * own scores' weights; the costly squeezer is recomputed on schedule and moved with the image in
 * between. Checked with a closed-form linear classifier and the product's real squeezers.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ImageBatch } from '../../main/acsr/attacks/attack-types.ts';
import { linearClassifier } from '../../main/acsr/attacks/linear-classifier.ts';
import { crossEntropyAscent } from '../../main/acsr/attacks/score-objectives.ts';
import { createBitDepthDefense } from '../../main/acsr/defenses/bit-depth-defense.ts';
import { createDefense } from '../../main/acsr/defenses/create-defense.ts';
import { seededRandom } from '../../main/acsr/random/seeded-random.ts';
import { type BatchSqueezer, defenseSqueezer, refreshedEvery, squeezerEnsemble } from '../bench/evasion-adaptive-attack.ts';

const SIDE = 6;
const CLASSES = 3;

function randomBatch(count: number, seed: number): ImageBatch {
  const random = seededRandom(seed);
  return { count, height: SIDE, width: SIDE, channels: 1, data: Float32Array.from({ length: count * SIDE * SIDE }, () => random()) };
}

function randomLinear(seed: number) {
  const random = seededRandom(seed);
  const d = SIDE * SIDE;
  return linearClassifier({ weights: Array.from({ length: CLASSES * d }, () => random() - 0.5), bias: [0.1, -0.2, 0.05] });
}

test('the ensemble gradient sums each version’s own gradient, passed back unchanged; its scores are the image’s', async () => {
  const inner = randomLinear(1);
  const batch = randomBatch(2, 2);
  const squeezers = [defenseSqueezer(createBitDepthDefense(1)), defenseSqueezer(await createDefense('median3'))];
  const labels = [0, 2];
  const targets = [1, 0];
  const objective = crossEntropyAscent(CLASSES, labels, targets);
  const ensemble = squeezerEnsemble(inner, squeezers);
  const got = await ensemble.scoresAndGradient(batch, objective);

  const versions = [batch, ...(await Promise.all(squeezers.map((s) => s.squeeze(batch))))];
  const expected = new Float64Array(batch.data.length);
  for (const version of versions) {
    const at = await inner.scoresAndGradient(version, objective);
    at.gradient.forEach((g, i) => (expected[i] += g));
  }
  got.gradient.forEach((g, i) => assert.ok(Math.abs(g - expected[i]) < 1e-4, `value ${i}: ${g} vs ${expected[i]}`));
  assert.deepEqual(Array.from(got.scores), Array.from(await inner.scores(batch)));
  // the squeezed versions really differ from the image, so the test would see a missing one
  assert.notDeepEqual(Array.from(versions[1].data), Array.from(batch.data));
});

test('a refreshed squeezer recomputes on its schedule and follows the image in between', async () => {
  const bits = defenseSqueezer(createBitDepthDefense(2));
  let computed = 0;
  const counting: BatchSqueezer = {
    name: 'bits2',
    squeeze: (batch) => {
      computed++;
      return bits.squeeze(batch);
    },
  };
  const squeezer = refreshedEvery(counting, 2);
  const x0 = randomBatch(1, 3);
  const x1 = { ...x0, data: x0.data.map((v) => Math.min(1, v + 0.01)) };
  const s0 = await squeezer.squeeze(x0);
  assert.equal(computed, 1);
  const s1 = await squeezer.squeeze(x1);
  assert.equal(computed, 1, 'the second call is not due');
  const anchor = await bits.squeeze(x0);
  s1.data.forEach((v, i) => assert.ok(Math.abs(v - Math.min(1, Math.max(0, anchor.data[i] + x1.data[i] - x0.data[i]))) < 1e-6));
  assert.deepEqual(Array.from(s0.data), Array.from(anchor.data));
  const s2 = await squeezer.squeeze(x1);
  assert.equal(computed, 2, 'the third call recomputes');
  assert.deepEqual(Array.from(s2.data), Array.from((await bits.squeeze(x1)).data));
});
