import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isotropicTotalVariation, minimiseMaskedTotalVariation } from '../../main/acsr/defenses/masked-total-variation.ts';
import { bernoulliKeepMask, createTvmDefense, totalVariationMinimisation } from '../../main/acsr/defenses/tvm-defense.ts';
import type { ImageArray } from '../../main/acsr/array/image-array.ts';
import { seededRandom } from '../../main/acsr/random/seeded-random.ts';
import { assertSameShapeInUnitRange, fashionMnistImages, photoCrop } from './test-images.ts';

// TVM (Guo et al. 2018) on real images: the solver's optimality, the mask, the seed.

function totalVariation(image: ImageArray): number {
  const { height: H, width: W, channels: C } = image;
  let tv = 0;
  for (let c = 0; c < C; c++)
    tv += isotropicTotalVariation(
      Float64Array.from({ length: H * W }, (_, i) => image.data[i * C + c]),
      H,
      W,
    );
  return tv;
}

function objective(z: ArrayLike<number>, image: ImageArray, keep: Uint8Array, lambda: number): number {
  let data = 0;
  for (let i = 0; i < z.length; i++) if (keep[i]) data += (z[i] - image.data[i]) ** 2;
  return data / 2 + lambda * totalVariation({ ...image, data: Float64Array.from(z) });
}

test('with every value kept and lambda -> 0 the reconstruction is the input', async () => {
  const [mnist] = await fashionMnistImages(1);
  const photo = await photoCrop('skimage-astronaut.png', 100, 100, 40, 48);
  for (const image of [mnist, photo]) {
    const keep = new Uint8Array(image.data.length).fill(1);
    const result = minimiseMaskedTotalVariation(image, keep, { lambda: 1e-9 });
    assert.ok(result.converged);
    const worst = Math.max(...result.image.data.map((v, i) => Math.abs(v - image.data[i])));
    assert.ok(worst < 1e-6, `max |z - x| = ${worst}`);
  }
});

test('the mask drops each value independently with probability p = 0.3', () => {
  const keep = bernoulliKeepMask(200_000, 0.3, 11);
  const kept = keep.reduce((s, v) => s + v, 0) / keep.length;
  assert.ok(Math.abs(kept - 0.7) < 0.005, `kept fraction ${kept}`);
  // neighbouring values (the channels of one pixel) are not dropped together
  let bothDropped = 0;
  for (let i = 0; i + 1 < keep.length; i += 2) if (!keep[i] && !keep[i + 1]) bothDropped++;
  assert.ok(Math.abs(bothDropped / (keep.length / 2) - 0.09) < 0.005);
});

test('the solution is a minimum: lower than the input, than perturbed solutions, and matching a tight-tolerance run', async () => {
  const [mnist] = await fashionMnistImages(1);
  const photo = await photoCrop('skimage-chelsea.png', 40, 120, 48, 48);
  for (const image of [mnist, photo]) {
    const keep = bernoulliKeepMask(image.data.length, 0.3, 5);
    const result = minimiseMaskedTotalVariation(image, keep, { lambda: 0.5 });
    assert.ok(result.converged, `${result.iterations} iterations`);
    const z = result.image.data;
    const best = objective(z, image, keep, 0.5);
    assert.ok(Math.abs(best - result.objective) <= 1e-6 * best, 'reported objective');
    assert.ok(best < objective(image.data, image, keep, 0.5));
    const random = seededRandom(3);
    for (let k = 0; k < 20; k++) {
      const moved = z.map((v) => v + 0.01 * (random() - 0.5));
      assert.ok(best <= objective(moved, image, keep, 0.5), `direction ${k}`);
    }
    const tight = minimiseMaskedTotalVariation(image, keep, { lambda: 0.5, tolerance: 1e-7, maxIterations: 50_000 });
    assert.ok(tight.converged);
    assert.ok((best - tight.objective) / tight.objective < 2e-3, `default ${best}, tight ${tight.objective}`);
  }
});

test('dropped values are never read: changing them leaves the output unchanged', async () => {
  const image = await photoCrop('skimage-coffee.png', 150, 250, 32, 40);
  const keep = bernoulliKeepMask(image.data.length, 0.3, 9);
  const altered = { ...image, data: image.data.map((v, i) => (keep[i] ? v : 1 - v)) };
  const a = minimiseMaskedTotalVariation(image, keep);
  const b = minimiseMaskedTotalVariation(altered, keep);
  assert.deepEqual(Array.from(a.image.data), Array.from(b.image.data));
});

test('tvm defense: size and range kept, lower total variation, same seed same output, another seed another output', async () => {
  const defense = createTvmDefense();
  assert.equal(defense.randomized, true);
  const [mnist] = await fashionMnistImages(1);
  const photo = await photoCrop('skimage-motorcycle_left.png', 200, 300, 48, 56);
  const grey = await photoCrop('skimage-camera.png', 60, 200, 40, 40, 'gray');
  for (const image of [mnist, photo, grey]) {
    const first = await defense.purify(image, { seed: 1 });
    assertSameShapeInUnitRange(first.image, image, 'tvm');
    assert.ok(totalVariation(first.image) < 0.9 * totalVariation(image), `TV ${totalVariation(first.image)} vs ${totalVariation(image)}`);
    const again = await defense.purify(image, { seed: 1 });
    assert.deepEqual(Array.from(again.image.data), Array.from(first.image.data));
    const other = await defense.purify(image, { seed: 2 });
    const differing = other.image.data.filter((v, i) => Math.abs(v - first.image.data[i]) > 1e-3).length;
    assert.ok(differing > image.data.length / 20, `${differing} values differ between seeds`);
    assert.deepEqual(Array.from(first.image.data), Array.from(totalVariationMinimisation(image, 1).image.data));
  }
});
