import type { FloatArray } from '../array/float-array.ts';
import { type CbpdnBuffers, type CbpdnLayout, dataFidelityKernel, spectrumSize } from './cbpdn-kernels.ts';
import { shermanMorrisonFactorsKernel, shermanMorrisonXStepKernel } from './x-step-sherman-morrison.ts';
import { WoodburyScratch, gramKernel, woodburyXStepKernel } from './x-step-woodbury.ts';

/** The x-step, whichever linear solver the layout names. */

/** Number of factor values per frequency each solver keeps: [factor planes, delta planes]. */
export function factorPlanes(layout: CbpdnLayout): { factors: number; deltas: number } {
  const { dictChannels: cd, atoms: M } = layout;
  if (layout.linearSolver === 'woodbury') return { factors: cd * cd, deltas: 0 };
  return cd === 1 ? { factors: M, deltas: 0 } : { factors: cd * M, deltas: cd };
}

export function factorsDependOnRho(layout: CbpdnLayout): boolean {
  return layout.linearSolver !== 'woodbury';
}

export function xStepFactorsKernel<T extends FloatArray>(layout: CbpdnLayout, buf: CbpdnBuffers<T>, rho: number, f0: number, f1: number): void {
  if (layout.linearSolver === 'woodbury') gramKernel(layout, buf, f0, f1);
  else shermanMorrisonFactorsKernel(layout, buf, rho, f0, f1);
}

export class XStepScratch {
  readonly woodbury: WoodburyScratch;
  constructor(layout: CbpdnLayout) {
    this.woodbury = new WoodburyScratch(layout.dictChannels);
  }
}

/** Solves the x-step over frequencies [f0, f1); returns this range's share of DFid(X) when asked. */
export function xStepSolveKernel<T extends FloatArray>(
  layout: CbpdnLayout,
  buf: CbpdnBuffers<T>,
  rho: number,
  f0: number,
  f1: number,
  withDataFidelity: boolean,
  scratch: XStepScratch,
): number {
  if (layout.linearSolver === 'woodbury') return woodburyXStepKernel(layout, buf, rho, f0, f1, withDataFidelity, scratch.woodbury);
  shermanMorrisonXStepKernel(layout, buf, rho, f0, f1);
  return withDataFidelity ? dataFidelityKernel(layout, buf, buf.spectrumRe, buf.spectrumIm, f0, f1) : 0;
}

export { spectrumSize };
