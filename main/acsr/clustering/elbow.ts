/**
 * The elbow of a WCSS curve, pinned as Kneedle (Satopaa et al. 2011) for a decreasing convex
 * curve: normalise k and WCSS to [0, 1], and pick the k whose point lies farthest below the chord
 * from the first point to the last, i.e. the largest 1 - k_n - W_n (the distance to the chord
 * x + y = 1 is that over sqrt 2).
 *
 * k = 1 is chosen when no point lies below the chord (a straight or concave curve: adding
 * clusters helps no more than linearly), when the curve is flat, or when it has fewer than three
 * points. Like every elbow rule, it cannot see k = 1 in a convex curve: a class with no structure
 * still gets the k where its curve bends most.
 */
export interface ElbowChoice {
  readonly k: number;
  /** distance of each normalised point below the chord (k = 1..K), the quantity maximised */
  readonly chordDistances: number[];
}

export function kneedleElbow(wcss: readonly number[], eligible: (k: number) => boolean = () => true): ElbowChoice {
  const K = wcss.length;
  if (K === 0) throw new RangeError('empty WCSS curve');
  const chordDistances = new Array<number>(K).fill(0);
  const top = wcss[0];
  const bottom = Math.min(...wcss);
  if (K < 3 || !(top > bottom)) return { k: 1, chordDistances };
  let bestK = 1;
  let bestDistance = 0;
  for (let i = 0; i < K; i++) {
    const x = i / (K - 1);
    const y = (wcss[i] - bottom) / (top - bottom);
    chordDistances[i] = (1 - x - y) / Math.SQRT2;
    // strictly greater: the smallest k wins a tie, the parsimonious choice
    if (eligible(i + 1) && chordDistances[i] > bestDistance + 1e-12) {
      bestDistance = chordDistances[i];
      bestK = i + 1;
    }
  }
  return { k: bestK, chordDistances };
}
