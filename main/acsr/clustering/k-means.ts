import { type LatentMatrix, squaredDistance } from './latent-matrix.ts';
import { type RandomSource, deriveSeed, seededRandom } from '../random/seeded-random.ts';

/**
 * k-means (Lloyd) with k-means++ seeding (Arthur & Vassilvitskii 2007), the clustering of the
 * paper's Algorithm 1:  argmin_Psi sum_j sum_{r in Psi_j} ||r - mu_j||^2.
 * Deterministic given the seed: restart r draws from deriveSeed(seed, r), the best WCSS wins
 * (the first one on ties), and clusters are numbered by their first member so that the same
 * partition always gets the same labels.
 */
export interface KMeansOptions {
  readonly seed: number;
  /** independent k-means++ starts; the lowest WCSS is kept (sklearn's n_init) */
  readonly restarts: number;
  readonly maxIterations: number;
  /** stop when no centre moves by more than this, relative to the data's mean squared norm */
  readonly tolerance: number;
}

export const K_MEANS_DEFAULTS: KMeansOptions = Object.freeze({ seed: 0, restarts: 4, maxIterations: 300, tolerance: 1e-10 });

export interface KMeansResult {
  readonly k: number;
  /** k x columns, row-major */
  readonly centroids: Float64Array;
  readonly assignments: Int32Array;
  readonly sizes: number[];
  /** within-cluster sum of squares (sklearn's inertia) */
  readonly wcss: number;
  readonly iterations: number;
  readonly converged: boolean;
}

export function kMeans(points: LatentMatrix, k: number, options: Partial<KMeansOptions> = {}): KMeansResult {
  const o = { ...K_MEANS_DEFAULTS, ...options };
  if (!Number.isInteger(k) || k < 1) throw new RangeError(`k must be a positive integer, got ${k}`);
  if (k > points.rows) throw new RangeError(`k = ${k} exceeds the number of points (${points.rows})`);
  if (!Number.isInteger(o.restarts) || o.restarts < 1) throw new RangeError(`restarts must be a positive integer, got ${o.restarts}`);
  let best: KMeansResult | undefined;
  for (let r = 0; r < o.restarts; r++) {
    const run = lloyd(points, seedCentroids(points, k, seededRandom(deriveSeed(o.seed, r))), o);
    if (!best || run.wcss < best.wcss) best = run;
  }
  return canonicalLabels(best!);
}

/** k-means++: each further centre drawn with probability proportional to D(x)^2. */
export function seedCentroids(points: LatentMatrix, k: number, random: RandomSource): Float64Array {
  const { rows: n, columns: d, data } = points;
  const centroids = new Float64Array(k * d);
  const first = Math.floor(random() * n);
  centroids.set(data.subarray(first * d, (first + 1) * d), 0);
  const nearest = new Float64Array(n);
  for (let i = 0; i < n; i++) nearest[i] = squaredDistance(data, i * d, centroids, 0, d);
  for (let c = 1; c < k; c++) {
    let total = 0;
    for (let i = 0; i < n; i++) total += nearest[i];
    let chosen: number;
    if (total === 0) {
      chosen = Math.floor(random() * n); // every point is already a centre: duplicates only
    } else {
      let target = random() * total;
      chosen = n - 1;
      for (let i = 0; i < n; i++) {
        target -= nearest[i];
        if (target < 0) {
          chosen = i;
          break;
        }
      }
    }
    centroids.set(data.subarray(chosen * d, (chosen + 1) * d), c * d);
    for (let i = 0; i < n; i++) nearest[i] = Math.min(nearest[i], squaredDistance(data, i * d, centroids, c * d, d));
  }
  return centroids;
}

function lloyd(points: LatentMatrix, centroids: Float64Array, o: KMeansOptions): KMeansResult {
  const { rows: n, columns: d, data } = points;
  const k = centroids.length / d;
  const assignments = new Int32Array(n);
  const distances = new Float64Array(n);
  let meanSquaredNorm = 0;
  for (let i = 0; i < n * d; i++) meanSquaredNorm += data[i] * data[i];
  meanSquaredNorm /= n;
  const shiftTolerance = o.tolerance * Math.max(meanSquaredNorm, Number.MIN_VALUE);
  let iterations = 0;
  let converged = false;
  const sums = new Float64Array(k * d);
  const counts = new Int32Array(k);
  while (iterations < o.maxIterations) {
    iterations++;
    assign(points, centroids, assignments, distances);
    sums.fill(0);
    counts.fill(0);
    for (let i = 0; i < n; i++) {
      const c = assignments[i];
      counts[c]++;
      for (let j = 0; j < d; j++) sums[c * d + j] += data[i * d + j];
    }
    let largestShift = 0;
    for (let c = 0; c < k; c++) {
      if (counts[c] === 0) {
        // an empty cluster takes the point farthest from its centre (sklearn does the same)
        let far = 0;
        for (let i = 1; i < n; i++) if (distances[i] > distances[far]) far = i;
        for (let j = 0; j < d; j++) sums[c * d + j] = data[far * d + j];
        counts[c] = 1;
        distances[far] = 0;
      }
      let shift = 0;
      for (let j = 0; j < d; j++) {
        const updated = sums[c * d + j] / counts[c];
        shift += (updated - centroids[c * d + j]) ** 2;
        centroids[c * d + j] = updated;
      }
      largestShift = Math.max(largestShift, shift);
    }
    if (largestShift <= shiftTolerance) {
      converged = true;
      break;
    }
  }
  // final assignment against the final centres, so WCSS and labels agree with the centroids
  const wcss = assign(points, centroids, assignments, distances);
  const sizes = new Array<number>(k).fill(0);
  for (let i = 0; i < n; i++) sizes[assignments[i]]++;
  return { k, centroids, assignments, sizes, wcss, iterations, converged };
}

function assign(points: LatentMatrix, centroids: Float64Array, assignments: Int32Array, distances: Float64Array): number {
  const { rows: n, columns: d, data } = points;
  const k = centroids.length / d;
  let wcss = 0;
  for (let i = 0; i < n; i++) {
    let bestCluster = 0;
    let bestDistance = Infinity;
    for (let c = 0; c < k; c++) {
      const dist = squaredDistance(data, i * d, centroids, c * d, d);
      if (dist < bestDistance) {
        bestDistance = dist;
        bestCluster = c;
      }
    }
    assignments[i] = bestCluster;
    distances[i] = bestDistance;
    wcss += bestDistance;
  }
  return wcss;
}

function canonicalLabels(result: KMeansResult): KMeansResult {
  const { k, assignments } = result;
  const d = result.centroids.length / k;
  const order: number[] = [];
  for (let i = 0; i < assignments.length && order.length < k; i++) if (!order.includes(assignments[i])) order.push(assignments[i]);
  for (let c = 0; c < k; c++) if (!order.includes(c)) order.push(c);
  const relabel = new Int32Array(k);
  order.forEach((old, fresh) => {
    relabel[old] = fresh;
  });
  const centroids = new Float64Array(result.centroids.length);
  order.forEach((old, fresh) => centroids.set(result.centroids.subarray(old * d, (old + 1) * d), fresh * d));
  const sizes = order.map((old) => result.sizes[old]);
  return { ...result, centroids, sizes, assignments: assignments.map((a) => relabel[a]) };
}
