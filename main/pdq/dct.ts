/**
 * The 16 x 16 low-frequency block of the 64 x 64 2-D DCT-II, B = D A D^T, computed directly
 * (the reference found a fast DCT slower when only these 256 outputs are needed). Rows 1..16 of
 * the DCT matrix are used: the DC term (row 0) says nothing about structure.
 *
 * The Python reference leaves out the orthonormal factor sqrt(2/64) that the C++ one applies; a
 * positive constant cannot move a coefficient across the median, so only rounding could differ,
 * and leaving it out reproduces the Python reference's values exactly.
 */
export const DCT_MATRIX_16x64: Float64Array = (() => {
  const matrix = new Float64Array(16 * 64);
  for (let i = 0; i < 16; i++) {
    for (let j = 0; j < 64; j++) matrix[i * 64 + j] = Math.cos((Math.PI / 2 / 64) * (i + 1) * (2 * j + 1));
  }
  return matrix;
})();

/** `a` is 64 x 64 row-major; returns 16 x 16 row-major, summed in the reference's order. */
export function dct64To16(a: Float64Array): Float64Array {
  const d = DCT_MATRIX_16x64;
  const t = new Float64Array(16 * 64);
  for (let i = 0; i < 16; i++) {
    for (let j = 0; j < 64; j++) {
      let sum = 0;
      for (let k = 0; k < 64; k++) sum += d[i * 64 + k] * a[k * 64 + j];
      t[i * 64 + j] = sum;
    }
  }
  const b = new Float64Array(16 * 16);
  for (let i = 0; i < 16; i++) {
    for (let j = 0; j < 16; j++) {
      let sum = 0;
      for (let k = 0; k < 64; k++) sum += t[i * 64 + k] * d[j * 64 + k];
      b[i * 16 + j] = sum;
    }
  }
  return b;
}
