import { ConvBpdn, referenceEngineFactory } from '../../main/acsr/signal/cbpdn.ts';
import { fromSporcoLayout } from '../../main/acsr/signal/conv-dictionary.ts';
import type { CbpdnOptionsInput } from '../../main/acsr/signal/cbpdn-options.ts';
import type { LinearSolver } from '../../main/acsr/signal/cbpdn-kernels.ts';
import type { SporcoReference } from './shared-data.ts';

/** SPORCO's option names -> ours (only those the reference files set). */
export function optionsFromSporco(params: Record<string, any>): CbpdnOptionsInput {
  const o = params.options ?? {};
  const auto = o.AutoRho;
  return {
    ...(o.MaxMainIter !== undefined ? { maxIterations: o.MaxMainIter } : {}),
    ...(o.RelStopTol !== undefined ? { relativeTolerance: o.RelStopTol } : {}),
    ...(o.rho !== undefined ? { rho: o.rho } : {}),
    ...(o.RelaxParam !== undefined ? { relaxation: o.RelaxParam } : {}),
    ...(auto === false || auto?.Enabled === false ? { autoRho: { enabled: false } } : {}),
  };
}

/** Runs the float64 reference solver on a reference file's problem with its options. */
export async function solveLikeSporco(ref: SporcoReference, linearSolver: LinearSolver = 'sherman-morrison') {
  const s = ref.arrays.s;
  const [height, width, channels = 1] = s.shape;
  const planes = new Float64Array(s.data.length);
  for (let i = 0; i < height * width; i++) for (let c = 0; c < channels; c++) planes[c * height * width + i] = s.data[i * channels + c];
  const dictionary = fromSporcoLayout(ref.arrays.D.shape, ref.arrays.D.data);
  const solver = await ConvBpdn.create({
    dictionary,
    signal: { height, width, channels, images: 1, planes },
    lambda: ref.params.lmbda,
    options: { ...optionsFromSporco(ref.params), linearSolver },
    engine: referenceEngineFactory,
  });
  const run = await solver.solve();
  return { solver, run };
}
