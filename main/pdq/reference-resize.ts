/**
 * The C++ reference file hasher (pdqio.cpp, DOWNSAMPLE_DIMS) shrinks any picture wider or taller
 * than 512 pixels to exactly 512 x 512 with CImg's default resize, nearest neighbour, before the
 * Jarosz filter: the filter's cost grows with the pixel count. The aspect ratio is not kept, which
 * does not matter because everything ends up as 64 x 64 anyway.
 */
import type { LumaPlane } from './luma.ts';

export const REFERENCE_DOWNSAMPLE_DIMS = 512;

export function resizeLikeReference(plane: LumaPlane): LumaPlane {
  if (plane.rows <= REFERENCE_DOWNSAMPLE_DIMS && plane.cols <= REFERENCE_DOWNSAMPLE_DIMS) return plane;
  return nearestNeighbourResize(plane, REFERENCE_DOWNSAMPLE_DIMS, REFERENCE_DOWNSAMPLE_DIMS);
}

/**
 * CImg's interpolation_type 1: output index x reads input floor(x * oldSize / newSize)
 * (CImg accumulates integer offsets computed this way). Nearest neighbour picks pixels without
 * mixing them, so resizing the luma plane equals the reference's resize of the RGB image.
 */
export function nearestNeighbourResize(plane: LumaPlane, rows: number, cols: number): LumaPlane {
  const sourceCol = new Int32Array(cols);
  for (let x = 0; x < cols; x++) sourceCol[x] = Math.floor((x * plane.cols) / cols);
  const data = new Float32Array(rows * cols);
  for (let y = 0; y < rows; y++) {
    const from = Math.floor((y * plane.rows) / rows) * plane.cols;
    const to = y * cols;
    for (let x = 0; x < cols; x++) data[to + x] = plane.data[from + sourceCol[x]];
  }
  return { rows, cols, data };
}
