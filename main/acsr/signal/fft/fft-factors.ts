/**
 * Radix schedule for a mixed-radix FFT of length n: as many 4s as possible (cheapest butterfly per
 * point), then at most one 2, then 3, 5 and any remaining primes, smallest first.
 * The product of the result is n; n = 1 gives an empty schedule.
 */
export function radixSchedule(n: number): number[] {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`FFT length must be a positive integer, got ${n}`);
  const radices: number[] = [];
  let rest = n;
  while (rest % 4 === 0) {
    radices.push(4);
    rest /= 4;
  }
  if (rest % 2 === 0) {
    radices.push(2);
    rest /= 2;
  }
  for (let p = 3; p * p <= rest; p += 2) {
    while (rest % p === 0) {
      radices.push(p);
      rest /= p;
    }
  }
  if (rest > 1) radices.push(rest);
  return radices;
}

/** True when n = 2^a 3^b 5^c (b, c >= 0), the lengths PFFFT can transform. */
export function isFiveSmooth(n: number): boolean {
  if (!Number.isInteger(n) || n < 1) return false;
  let rest = n;
  for (const p of [2, 3, 5]) while (rest % p === 0) rest /= p;
  return rest === 1;
}
