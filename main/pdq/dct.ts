/**
 * The 16 x 16 low-frequency block of the 64 x 64 2-D DCT-II, B = D A D^T, computed directly
 * (the reference found a fast DCT slower when only these 256 outputs are needed). Rows 1..16 of
 * the DCT matrix are used: the DC term (row 0) says nothing about structure.
 */
const f32 = Math.fround;

/** 16 x 64, row-major; float32 like the reference's table (matrix_scale_factor is a float). */
export const DCT_MATRIX_16x64: Float32Array = (() => {
  const matrix = new Float32Array(16 * 64);
  const scale = f32(Math.sqrt(2 / 64));
  for (let i = 0; i < 16; i++) {
    for (let j = 0; j < 64; j++) matrix[i * 64 + j] = scale * Math.cos((Math.PI / 2 / 64) * (i + 1) * (2 * j + 1));
  }
  return matrix;
})();

/** `a` is 64 x 64 row-major; returns 16 x 16 row-major, summed in float32 in the reference's order. */
export function dct64To16(a: Float32Array): Float32Array {
  const d = DCT_MATRIX_16x64;
  const t = new Float32Array(16 * 64);
  for (let i = 0; i < 16; i++) {
    for (let j = 0; j < 64; j++) {
      let sum = 0;
      for (let k = 0; k < 64; k++) sum = f32(sum + f32(d[i * 64 + k] * a[k * 64 + j]));
      t[i * 64 + j] = sum;
    }
  }
  const b = new Float32Array(16 * 16);
  for (let i = 0; i < 16; i++) {
    for (let j = 0; j < 16; j++) {
      let sum = 0;
      for (let k = 0; k < 64; k++) sum = f32(sum + f32(t[i * 64 + k] * d[j * 64 + k]));
      b[i * 16 + j] = sum;
    }
  }
  return b;
}
