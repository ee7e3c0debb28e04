/**
 * Blur-and-decimate to 64 x 64 (downscaling.cpp, pdq_hasher.py). Two X,Y passes of 1-D box
 * filters make a tent filter (Jarosz, "Fast Image Convolutions", SIGGRAPH 2001); then the pixel
 * nearest each target centre is taken.
 */
export const PDQ_NUM_JAROSZ_XY_PASSES = 2;

/**
 * Half a target pixel's span per pass, rounded up: two passes then cover one whole target pixel
 * (a 1024-pixel side going to 64 gets windows of 8).
 */
export function jaroszWindowSize(oldDimension: number, newDimension: number): number {
  return Math.floor((oldDimension + 2 * newDimension - 1) / (2 * newDimension));
}

/**
 * A centred moving average whose window shrinks at both ends instead of padding, written as the
 * reference's four phases so that every addition happens in the same order (the running sum's
 * rounding then matches the reference's).
 */
export function boxFilter1D(input: Float64Array, output: Float64Array, start: number, length: number, stride: number, fullWindowSize: number): void {
  const halfWindowSize = Math.floor((fullWindowSize + 2) / 2); // 7 -> 4, 8 -> 5
  const phase1 = halfWindowSize - 1;
  const phase2 = fullWindowSize - halfWindowSize + 1;
  const phase3 = length - fullWindowSize;
  const phase4 = halfWindowSize - 1;
  let left = start;
  let right = start;
  let out = start;
  let sum = 0;
  let windowSize = 0;
  for (let i = 0; i < phase1; i++) {
    sum += input[right];
    windowSize++;
    right += stride;
  }
  for (let i = 0; i < phase2; i++) {
    sum += input[right];
    windowSize++;
    output[out] = sum / windowSize;
    right += stride;
    out += stride;
  }
  for (let i = 0; i < phase3; i++) {
    sum += input[right];
    sum -= input[left];
    output[out] = sum / windowSize;
    left += stride;
    right += stride;
    out += stride;
  }
  for (let i = 0; i < phase4; i++) {
    sum -= input[left];
    windowSize--;
    output[out] = sum / windowSize;
    left += stride;
    out += stride;
  }
}

/**
 * boxFilter1D down every column at once, walking the rows in order: each column's running sum
 * takes the same additions in the same order as the one-column walk, so the values are
 * identical, but the inner loop runs along a row instead of striding through memory (the
 * strided walk cost as much as the whole bicubic resize). `sums` holds cols values.
 */
export function boxFilterColumns(input: Float64Array, output: Float64Array, rows: number, cols: number, fullWindowSize: number, sums: Float64Array): void {
  const halfWindowSize = Math.floor((fullWindowSize + 2) / 2);
  const phase1 = halfWindowSize - 1;
  const phase2 = fullWindowSize - halfWindowSize + 1;
  const phase3 = rows - fullWindowSize;
  const phase4 = halfWindowSize - 1;
  let left = 0;
  let right = 0;
  let out = 0;
  let windowSize = 0;
  sums.fill(0, 0, cols);
  for (let i = 0; i < phase1; i++, right += cols) {
    for (let j = 0; j < cols; j++) sums[j] += input[right + j];
    windowSize++;
  }
  for (let i = 0; i < phase2; i++, right += cols, out += cols) {
    windowSize++;
    for (let j = 0; j < cols; j++) output[out + j] = (sums[j] += input[right + j]) / windowSize;
  }
  for (let i = 0; i < phase3; i++, left += cols, right += cols, out += cols) {
    for (let j = 0; j < cols; j++) {
      let sum = sums[j] + input[right + j];
      sum -= input[left + j];
      sums[j] = sum;
      output[out + j] = sum / windowSize;
    }
  }
  for (let i = 0; i < phase4; i++, left += cols, out += cols) {
    windowSize--;
    for (let j = 0; j < cols; j++) output[out + j] = (sums[j] -= input[left + j]) / windowSize;
  }
}

/** In place on `buffer` (row-major rows x cols); `scratch` is the same size. */
export function jaroszFilter(
  buffer: Float64Array,
  scratch: Float64Array,
  rows: number,
  cols: number,
  windowAlongRows: number,
  windowAlongCols: number,
  passes: number,
): void {
  const sums = new Float64Array(cols);
  for (let pass = 0; pass < passes; pass++) {
    for (let i = 0; i < rows; i++) boxFilter1D(buffer, scratch, i * cols, cols, 1, windowAlongRows);
    boxFilterColumns(scratch, buffer, rows, cols, windowAlongCols, sums);
  }
}

/** Samples at target-pixel centres, not corners. */
export function decimate(input: Float64Array, rows: number, cols: number, outRows: number, outCols: number): Float64Array {
  const output = new Float64Array(outRows * outCols);
  for (let i = 0; i < outRows; i++) {
    const inRow = Math.trunc(((i + 0.5) * rows) / outRows);
    for (let j = 0; j < outCols; j++) {
      const inCol = Math.trunc(((j + 0.5) * cols) / outCols);
      output[i * outCols + j] = input[inRow * cols + inCol];
    }
  }
  return output;
}

// Reused from picture to picture (module scope is per thread): a fresh 1.4 MB array per picture
// showed in the import's garbage-collection time. Every pass writes all of it before reading.
let scratchBuffer = new Float64Array(0);

/** The 64 x 64 luma the DCT and the quality metric work on. Blurs `luma` in place. */
export function downsampleTo64(luma: Float64Array, rows: number, cols: number): Float64Array {
  if (scratchBuffer.length < rows * cols) scratchBuffer = new Float64Array(rows * cols);
  const scratch = scratchBuffer.subarray(0, rows * cols);
  jaroszFilter(luma, scratch, rows, cols, jaroszWindowSize(cols, 64), jaroszWindowSize(rows, 64), PDQ_NUM_JAROSZ_XY_PASSES);
  return decimate(luma, rows, cols, 64, 64);
}
