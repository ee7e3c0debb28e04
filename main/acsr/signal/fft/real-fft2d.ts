import type { FloatArray } from '../../array/float-array.ts';

/**
 * A batch of 2-D real-input DFTs of one size, the only FFT contract the solvers use.
 *
 * Layouts (row-major, planes contiguous):
 *  - spatial plane p:  real[p*H*W + r*W + c],  r < H, c < W
 *  - spectrum plane p: re/im[p*H*Wf + r*Wf + k], r < H, k < Wf = floor(W/2) + 1
 * i.e. the last (column) axis is the halved one, as numpy's rfftn over axes (0, 1).
 *
 * forward computes X[r,k] = sum_{y,x} s[y,x] exp(-2 pi i (r y / H + k x / W)), unnormalised.
 * inverse computes the real inverse including the 1/(H W) factor, so inverse(forward(s)) = s.
 * Both may be called with any number of planes; they never allocate per call once built.
 */
export interface RealFft2d<T extends FloatArray = FloatArray> {
  readonly height: number;
  readonly width: number;
  /** floor(width / 2) + 1 */
  readonly spectrumWidth: number;
  forward(real: T, re: T, im: T, planes: number): void;
  inverse(re: T, im: T, real: T, planes: number): void;
}
