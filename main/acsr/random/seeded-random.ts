/**
 * A small seeded generator (mulberry32) so that clustering and training are reproducible from a
 * seed on every machine: Math.random cannot be seeded. Statistical quality is ample for picking
 * k-means++ seeds and training patches; it is not for cryptography.
 */
export type RandomSource = () => number;

export function seededRandom(seed: number): RandomSource {
  if (!Number.isSafeInteger(seed)) throw new RangeError(`seed must be an integer, got ${seed}`);
  // mix the seed first so that seeds 0, 1, 2... start far apart in the sequence
  let state = mixSeed(seed) >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A seed derived from a parent seed and a stream number (restart r, cluster j...). */
export function deriveSeed(seed: number, stream: number): number {
  return mixSeed(mixSeed(seed) ^ Math.imul(stream + 1, 0x9e3779b1)) >>> 0;
}

function mixSeed(value: number): number {
  // splitmix32-style finaliser over the low and high 32 bits
  let h = (value | 0) ^ Math.floor(value / 4294967296);
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) | 0;
}

/** Standard normal deviate (Box-Muller). */
export function gaussian(random: RandomSource): number {
  let u = 0;
  while (u === 0) u = random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
}

/** `count` distinct indices from [0, n), in increasing order (Floyd's algorithm). */
export function sampleIndices(n: number, count: number, random: RandomSource): number[] {
  if (count >= n) return Array.from({ length: n }, (_, i) => i);
  const chosen = new Set<number>();
  for (let j = n - count; j < n; j++) {
    const t = Math.floor(random() * (j + 1));
    chosen.add(chosen.has(t) ? j : t);
  }
  return [...chosen].sort((a, b) => a - b);
}

/** 0..n-1 in a seeded Fisher-Yates order (an epoch's batch order in training). */
export function shuffledIndices(n: number, seed: number): Uint32Array {
  const random = seededRandom(seed);
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  return order;
}
