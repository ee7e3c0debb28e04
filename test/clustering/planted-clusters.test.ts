import { test } from 'node:test';
import assert from 'node:assert/strict';
import { clusterAdaptively } from '../../main/acsr/clustering/adaptive-clustering.ts';
import { kMeans } from '../../main/acsr/clustering/k-means.ts';
import { latentMatrix, type LatentMatrix } from '../../main/acsr/clustering/latent-matrix.ts';
import { kneedleElbow } from '../../main/acsr/clustering/elbow.ts';
import { loadFashionMnist } from '../../main/acsr/data/fashion-mnist.ts';
import { fashionMnistDir } from '../support/shared-data.ts';

// Planted structure on real data: the raw pixels (784-d) of 150 test images each of a few
// Fashion-MNIST classes, mixed. k-means must find the classes and the elbow their number.
const PER_CLASS = 150;

async function mixture(classes: number[]): Promise<{ points: LatentMatrix; labels: number[] }> {
  const set = await loadFashionMnist(fashionMnistDir, 't10k', 3000);
  const chosen: number[] = [];
  const counts = new Map<number, number>();
  for (let i = 0; i < set.labels.length; i++) {
    const label = set.labels[i];
    if (classes.includes(label) && (counts.get(label) ?? 0) < PER_CLASS) {
      chosen.push(i);
      counts.set(label, (counts.get(label) ?? 0) + 1);
    }
  }
  return { points: latentMatrix(chosen.map((i) => set.images[i].data)), labels: chosen.map((i) => set.labels[i]) };
}

/** Fraction of points whose cluster's majority label is their own label. */
function purity(assignments: Int32Array, labels: number[], k: number): number {
  let agreeing = 0;
  for (let c = 0; c < k; c++) {
    const counts = new Map<number, number>();
    labels.forEach((label, i) => {
      if (assignments[i] === c) counts.set(label, (counts.get(label) ?? 0) + 1);
    });
    agreeing += Math.max(0, ...counts.values());
  }
  return agreeing / labels.length;
}

test('Trouser / Sneaker / Bag pixels: the elbow picks k = 3 and the clusters are the classes (purity >= 0.9)', async () => {
  const { points, labels } = await mixture([1, 7, 8]);
  const result = clusterAdaptively(points, { kMax: 8, minClusterSize: 2, kMeans: { seed: 1 } });
  assert.equal(result.wcss.length, 8);
  for (let k = 1; k < 8; k++) assert.ok(result.wcss[k] <= result.wcss[k - 1] * (1 + 1e-9), `WCSS rises from k=${k} to k=${k + 1}`);
  assert.equal(result.chosenK, 3, `elbow chose ${result.chosenK}; curve ${result.wcss.map((w) => w.toFixed(0)).join(' ')}`);
  const p = purity(result.clustering.assignments, labels, 3);
  assert.ok(p >= 0.9, `purity ${p.toFixed(3)}`);
});

test('Trouser / Sneaker pixels: the elbow picks k = 2, purity >= 0.98; a fixed k overrides the elbow', async () => {
  const { points, labels } = await mixture([1, 7]);
  const result = clusterAdaptively(points, { kMax: 6, minClusterSize: 2, kMeans: { seed: 7 } });
  assert.equal(result.chosenK, 2);
  assert.equal(result.chosenBy, 'elbow');
  assert.ok(purity(result.clustering.assignments, labels, 2) >= 0.98);
  const fixed = clusterAdaptively(points, { kMax: 6, fixedK: 4, minClusterSize: 2, kMeans: { seed: 7 } });
  assert.equal(fixed.chosenK, 4);
  assert.equal(fixed.chosenBy, 'fixed');
  assert.equal(fixed.elbow.k, 2, 'the elbow is still reported when overridden');
});

test('k-means is deterministic given the seed, and its WCSS is the sum of squared distances to the centres', async () => {
  const { points } = await mixture([0, 5]);
  const a = kMeans(points, 3, { seed: 42 });
  const b = kMeans(points, 3, { seed: 42 });
  assert.deepEqual(a.assignments, b.assignments);
  assert.deepEqual(a.centroids, b.centroids);
  const d = points.columns;
  let wcss = 0;
  for (let i = 0; i < points.rows; i++) {
    for (let j = 0; j < d; j++) wcss += (points.data[i * d + j] - a.centroids[a.assignments[i] * d + j]) ** 2;
  }
  assert.ok(Math.abs(wcss - a.wcss) <= 1e-9 * wcss);
  // every point sits with its nearest centre (Lloyd's fixed point)
  for (let i = 0; i < points.rows; i++) {
    let best = 0;
    let bestDistance = Infinity;
    for (let c = 0; c < 3; c++) {
      let dist = 0;
      for (let j = 0; j < d; j++) dist += (points.data[i * d + j] - a.centroids[c * d + j]) ** 2;
      if (dist < bestDistance) {
        bestDistance = dist;
        best = c;
      }
    }
    assert.equal(a.assignments[i], best);
  }
  assert.equal(
    a.sizes.reduce((s, n) => s + n, 0),
    points.rows,
  );
});

test('Kneedle on a hand-computed curve: the point farthest below the chord', () => {
  // normalised: x = 0, .25, .5, .75, 1; y = 1, 18/88, 8/88, 3/88, 0; 1 - x - y peaks at k = 2 (0.545)
  const choice = kneedleElbow([100, 30, 20, 15, 12]);
  assert.equal(choice.k, 2);
  assert.ok(Math.abs(choice.chordDistances[1] - (1 - 0.25 - 18 / 88) / Math.SQRT2) < 1e-15);
  assert.equal(kneedleElbow([10, 8, 6, 4, 2]).k, 1, 'a straight line has no elbow');
  assert.equal(kneedleElbow([10, 9.9, 0.1]).k, 1, 'the drop comes after k = 2: concave there');
  assert.equal(kneedleElbow([10, 0.2, 0.1]).k, 2);
  assert.equal(kneedleElbow([5, 5, 5]).k, 1, 'a flat curve has no elbow');
  assert.equal(kneedleElbow([100, 30, 20, 15, 12], (k) => k !== 2).k, 3, 'an ineligible k is skipped');
});
