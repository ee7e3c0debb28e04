import { LAYOUT_KERNELS_WASM_BASE64 } from './layout-kernels-wasm.ts';

/** The SIMD data-movement kernels of layout-kernels.wat, bound to one PFFFT memory. Byte pointers. */
export interface LayoutKernels {
  /** dst[c][r] = src[r][c], rows x cols complex float32; rows even, cols even. */
  transposeComplex(src: number, dst: number, rows: number, cols: number): void;
  /** interleaved src[c][r] -> split dstRe/dstIm[r*stride + c], c < cols; rows even, cols % 4 == 0. */
  columnsToSplitRows(src: number, dstRe: number, dstIm: number, rows: number, cols: number, stride: number): void;
  /** the inverse of columnsToSplitRows, times scale. */
  splitRowsToColumns(srcRe: number, srcIm: number, dst: number, rows: number, cols: number, stride: number, scale: number): void;
}

// Compiled once per thread (module scope is per worker); instances are per PFFFT memory.
let compiled: WebAssembly.Module | undefined;

export function instantiateLayoutKernels(memory: WebAssembly.Memory): LayoutKernels {
  compiled ??= new WebAssembly.Module(Buffer.from(LAYOUT_KERNELS_WASM_BASE64, 'base64'));
  const instance = new WebAssembly.Instance(compiled, { env: { memory } });
  return instance.exports as unknown as LayoutKernels;
}
