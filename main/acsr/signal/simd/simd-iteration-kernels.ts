import { type CbpdnBuffers, type CbpdnLayout, type UpdateSums, addSums, yuStepKernel } from '../cbpdn-kernels.ts';
import { woodburyF32, yuStepF32 } from './cbpdn-f32-kernels.ts';
import type { IterationKernels } from '../iteration-kernels.ts';
import { XStepScratch, xStepSolveKernel } from '../x-step.ts';
import { type CbpdnArenaLayout, SIMD_BLOCK, scratchBytes } from './cbpdn-arena.ts';
import { CBPDN_SIMD_WASM_BASE64 } from './cbpdn-simd-wasm.ts';

interface CbpdnSimdExports {
  yMinusU(x: number, y: number, u: number, count: number): void;
  yuStep(x: number, y: number, u: number, count: number, relaxation: number, threshold: number, sums: number): void;
  woodburyBlock(descriptor: number, scratch: number, group: number, from: number, count: number, rho: number, withFidelity: number): number;
}

// Compiled once per thread; instances are per arena memory.
let compiled: WebAssembly.Module | undefined;

/**
 * The iteration kernels in WebAssembly SIMD (cbpdn-simd.wat) on an arena's buffers, for one
 * thread (its own scratch slot). The WASM takes counts of 4 values and 4 frequencies; the rest of
 * a range goes through cbpdn-f32-kernels.ts, the same float32 arithmetic in JS, so a value does
 * not depend on where the threads' ranges end. The cases the WASM does not cover run the float64
 * JS kernels: weighted l1 (not used by purification) and SPORCO's Sherman-Morrison solver.
 */
export class SimdIterationKernels implements IterationKernels {
  readonly name = 'WASM SIMD';
  private readonly wasm: CbpdnSimdExports;
  private readonly sums: Float64Array;
  private readonly scratchPointer: number;
  private readonly planeSize: number;
  private readonly fallbackScratch: XStepScratch;

  private readonly layout: CbpdnLayout;
  private readonly buffers: CbpdnBuffers<Float32Array>;
  private readonly arena: CbpdnArenaLayout;
  constructor(layout: CbpdnLayout, buffers: CbpdnBuffers<Float32Array>, memory: WebAssembly.Memory, arena: CbpdnArenaLayout, slot: number) {
    this.layout = layout;
    this.buffers = buffers;
    this.arena = arena;
    compiled ??= new WebAssembly.Module(Buffer.from(CBPDN_SIMD_WASM_BASE64, 'base64'));
    this.wasm = new WebAssembly.Instance(compiled, { env: { memory } }).exports as unknown as CbpdnSimdExports;
    this.scratchPointer = arena.scratch[slot];
    // the 7 sums sit at the end of the slot's scratch
    this.sums = new Float64Array(memory.buffer, this.scratchPointer + scratchBytes(layout) - 64, 7);
    this.planeSize = layout.height * layout.width;
    this.fallbackScratch = new XStepScratch(layout);
  }

  private at(name: 'x' | 'y' | 'u'): number {
    return this.arena.buffers[name]!.at;
  }

  yMinusU(p0: number, p1: number): void {
    const start = p0 * this.planeSize;
    const count = (p1 - p0) * this.planeSize;
    const vectorised = count & ~3;
    this.wasm.yMinusU(this.at('x') + 4 * start, this.at('y') + 4 * start, this.at('u') + 4 * start, vectorised);
    const b = this.buffers;
    for (let i = start + vectorised; i < start + count; i++) b.x[i] = b.y[i] - b.u[i];
  }

  yuStep(relaxation: number, threshold: number, p0: number, p1: number): UpdateSums {
    if (this.buffers.l1Weight) return yuStepKernel(this.layout, this.buffers, relaxation, threshold, p0, p1);
    const start = p0 * this.planeSize;
    const count = (p1 - p0) * this.planeSize;
    const vectorised = count & ~3;
    this.wasm.yuStep(
      this.at('x') + 4 * start,
      this.at('y') + 4 * start,
      this.at('u') + 4 * start,
      vectorised,
      relaxation,
      threshold,
      this.scratchPointer + scratchBytes(this.layout) - 64,
    );
    const s = this.sums;
    const sums: UpdateSums = { xNorm2: s[0], yNorm2: s[1], primal2: s[2], dual2: s[3], uNorm2: s[4], yL1: s[5], xL1: s[6] };
    if (vectorised === count) return sums;
    const b = this.buffers;
    return addSums(sums, yuStepF32(b.x, b.y, b.u, relaxation, threshold, start + vectorised, start + count));
  }

  xStepSolve(rho: number, f0: number, f1: number, withDataFidelity: boolean): number {
    const { layout } = this;
    if (layout.linearSolver !== 'woodbury') return xStepSolveKernel(layout, this.buffers, rho, f0, f1, withDataFidelity, this.fallbackScratch);
    const vectorised = f0 + ((f1 - f0) & ~3);
    let fidelity = 0;
    for (let g = 0; g < layout.groups; g++) {
      for (let b0 = f0; b0 < vectorised; b0 += SIMD_BLOCK) {
        fidelity += this.wasm.woodburyBlock(
          this.arena.descriptor,
          this.scratchPointer,
          g,
          b0,
          Math.min(SIMD_BLOCK, vectorised - b0),
          rho,
          withDataFidelity ? 1 : 0,
        );
      }
    }
    if (vectorised < f1) fidelity += woodburyF32(layout, this.buffers, rho, vectorised, f1, withDataFidelity);
    return withDataFidelity ? fidelity / (2 * layout.height * layout.width) : 0;
  }
}
