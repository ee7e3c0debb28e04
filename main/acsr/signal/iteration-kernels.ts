import type { FloatArray } from '../array/float-array.ts';
import { type CbpdnBuffers, type CbpdnLayout, type UpdateSums, yMinusUKernel, yuStepKernel } from './cbpdn-kernels.ts';
import { XStepScratch, xStepSolveKernel } from './x-step.ts';

/**
 * The three per-iteration kernels an engine runs on its buffers, over the ranges it owns. The
 * scalar set here is the JS of cbpdn-kernels.ts and x-step.ts (any precision); the SIMD set
 * (simd/simd-iteration-kernels.ts) runs the same arithmetic in WebAssembly on buffers that live in
 * one WebAssembly memory.
 */
export interface IterationKernels {
  /** for the record of which engine ran: 'JS' or 'WASM SIMD' */
  readonly name: string;
  /** X <- Y - U on coefficient planes [p0, p1) */
  yMinusU(p0: number, p1: number): void;
  /** the y- and u-steps on planes [p0, p1) with their partial sums */
  yuStep(relaxation: number, threshold: number, p0: number, p1: number): UpdateSums;
  /** the x-step's per-frequency solve on [f0, f1); this range's share of DFid(X) when asked */
  xStepSolve(rho: number, f0: number, f1: number, withDataFidelity: boolean): number;
}

export class ScalarIterationKernels<T extends FloatArray> implements IterationKernels {
  readonly name = 'JS';
  private readonly scratch: XStepScratch;

  private readonly layout: CbpdnLayout;
  private readonly buffers: CbpdnBuffers<T>;
  constructor(layout: CbpdnLayout, buffers: CbpdnBuffers<T>) {
    this.layout = layout;
    this.buffers = buffers;
    this.scratch = new XStepScratch(layout);
  }

  yMinusU(p0: number, p1: number): void {
    yMinusUKernel(this.layout, this.buffers, p0, p1);
  }

  yuStep(relaxation: number, threshold: number, p0: number, p1: number): UpdateSums {
    return yuStepKernel(this.layout, this.buffers, relaxation, threshold, p0, p1);
  }

  xStepSolve(rho: number, f0: number, f1: number, withDataFidelity: boolean): number {
    return xStepSolveKernel(this.layout, this.buffers, rho, f0, f1, withDataFidelity, this.scratch);
  }
}
