/**
 * PDQ's quality metric (pdqImageDomainQualityMetric): a heuristic count of significant gradients
 * in the 64 x 64 downsample. Each neighbour difference is quantised to whole percent of full scale
 * before summing, so that many faint gradients do not add up to "detailed". Flat or nearly flat
 * pictures score low, and their hashes are unreliable.
 */
export function pdqQuality(buffer64x64: Float64Array): number {
  let gradientSum = 0;
  for (let i = 0; i < 63; i++) {
    for (let j = 0; j < 64; j++) gradientSum += Math.abs(quantisedDifference(buffer64x64[i * 64 + j], buffer64x64[(i + 1) * 64 + j]));
  }
  for (let i = 0; i < 64; i++) {
    for (let j = 0; j < 63; j++) gradientSum += Math.abs(quantisedDifference(buffer64x64[i * 64 + j], buffer64x64[i * 64 + j + 1]));
  }
  return Math.min(100, Math.trunc(gradientSum / 90));
}

/** `int(((u - v) * 100) / 255)`: truncated toward zero. */
function quantisedDifference(u: number, v: number): number {
  return Math.trunc(((u - v) * 100) / 255);
}
