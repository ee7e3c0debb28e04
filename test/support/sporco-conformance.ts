import { ConvBpdn, referenceEngineFactory } from '../../main/acsr/signal/cbpdn.ts';
import { type ConvDictionary, fromSporcoLayout } from '../../main/acsr/signal/conv-dictionary.ts';
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

/**
 * A reference file's image as float32 planes [c][y][x], or the same image mirrored left to right:
 * two different tiles of one size, for tests that code tiles one after another.
 */
export function referenceTilePlanes(ref: SporcoReference, mirrored: boolean): Float32Array {
  const [height, width, channels = 1] = ref.arrays.s.shape;
  const planes = new Float32Array(ref.arrays.s.data.length);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const from = y * width + (mirrored ? width - 1 - x : x);
      for (let c = 0; c < channels; c++) planes[c * height * width + y * width + x] = ref.arrays.s.data[from * channels + c];
    }
  }
  return planes;
}

/** A reference file's dictionary in our layout, float32 (what the purification engines take). */
export function referenceDictionary32(ref: SporcoReference): ConvDictionary<Float32Array> {
  const d = fromSporcoLayout(ref.arrays.D.shape, ref.arrays.D.data);
  return { ...d, data: Float32Array.from(d.data) };
}
