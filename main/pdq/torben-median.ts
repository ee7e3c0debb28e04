/**
 * Torben Mogensen's median by bisection on value range, as the reference uses (torben.h,
 * matrix.py): it does not reorder its input. For an even count it returns the lower median,
 * and which value it returns decides the hash bits, so it is kept exactly.
 */
export function torbenMedian(values: ArrayLike<number>): number {
  const n = values.length;
  const half = Math.floor((n + 1) / 2);
  let min = values[0];
  let max = values[0];
  for (let i = 1; i < n; i++) {
    if (values[i] < min) min = values[i];
    if (values[i] > max) max = values[i];
  }
  let less = 0;
  let greater = 0;
  let equal = 0;
  let guess = 0;
  let maxBelowGuess = 0;
  let minAboveGuess = 0;
  for (;;) {
    guess = (min + max) / 2;
    less = 0;
    greater = 0;
    equal = 0;
    maxBelowGuess = min;
    minAboveGuess = max;
    for (let i = 0; i < n; i++) {
      const v = values[i];
      if (v < guess) {
        less++;
        if (v > maxBelowGuess) maxBelowGuess = v;
      } else if (v > guess) {
        greater++;
        if (v < minAboveGuess) minAboveGuess = v;
      } else {
        equal++;
      }
    }
    if (less <= half && greater <= half) break;
    if (less > greater) max = maxBelowGuess;
    else min = minAboveGuess;
  }
  if (less >= half) return maxBelowGuess;
  if (less + equal >= half) return guess;
  return minAboveGuess;
}
