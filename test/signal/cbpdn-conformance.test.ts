import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConvBpdn, referenceEngineFactory } from '../../main/acsr/signal/cbpdn.ts';
import { fromSporcoLayout } from '../../main/acsr/signal/conv-dictionary.ts';
import type { CbpdnOptionsInput } from '../../main/acsr/signal/cbpdn-options.ts';
import { type SporcoReference, loadSporcoReference, relativeMaxError } from '../support/shared-data.ts';

/**
 * float64 CBPDN against SPORCO 0.2.2. Tolerance: 1e-8 relative (max abs difference over the max
 * magnitude) on X, Y, U and the reconstruction, and 1e-8 relative on every iteration's
 * objective, residuals and rho.
 */
const TOLERANCE = 1e-8;

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

export async function solveLikeSporco(ref: SporcoReference) {
  const s = ref.arrays.s;
  const [height, width, channels = 1] = s.shape;
  const planes = new Float64Array(s.data.length);
  for (let i = 0; i < height * width; i++) for (let c = 0; c < channels; c++) planes[c * height * width + i] = s.data[i * channels + c];
  const dictionary = fromSporcoLayout(ref.arrays.D.shape, ref.arrays.D.data);
  const solver = await ConvBpdn.create({
    dictionary, signal: { height, width, channels, images: 1, planes }, lambda: ref.params.lmbda,
    options: optionsFromSporco(ref.params), engine: referenceEngineFactory,
  });
  const run = await solver.solve();
  return { solver, run };
}

const cases = ['cbpdn_gray_fixedrho', 'cbpdn_rgb_shareddict_fixedrho', 'cbpdn_rgb_mcdict_fixedrho', 'cbpdn_rgb_mcdict_defaults'];

for (const name of cases) {
  test(`CBPDN matches SPORCO: ${name}`, async () => {
    const ref = loadSporcoReference(name);
    const { solver, run } = await solveLikeSporco(ref);
    assert.equal(run.iterations, ref.iterations, 'iteration count');
    for (const v of ['X', 'Y', 'U'] as const) {
      const mine = solver.variableInSporcoLayout(v);
      assert.deepEqual(mine.shape, ref.arrays[v].shape, `${v} shape`);
      const err = relativeMaxError(mine.data, ref.arrays[v].data);
      assert.ok(err < TOLERANCE, `${v} differs by ${err.toExponential(2)} relative`);
    }
    const recon = await solver.reconstruct('Y');
    const [h, w, c = 1] = ref.arrays.recon.shape;
    const reconHwc = new Float64Array(recon.length);
    for (let i = 0; i < h * w; i++) for (let ch = 0; ch < c; ch++) reconHwc[i * c + ch] = recon[ch * h * w + i];
    assert.ok(relativeMaxError(reconHwc, ref.arrays.recon.data) < TOLERANCE, 'reconstruction');
    const fields = { ObjFun: 'objective', DFid: 'dataFidelity', RegL1: 'regL1', PrimalRsdl: 'primalResidual', DualRsdl: 'dualResidual', Rho: 'rho' } as const;
    for (const [sporcoName, ours] of Object.entries(fields)) {
      const expected = ref.itstat[sporcoName];
      const actual = run.stats.map((st) => st[ours]);
      const err = relativeMaxError(actual, expected);
      assert.ok(err < TOLERANCE, `${sporcoName} per iteration differs by ${err.toExponential(2)} relative`);
    }
    await solver.dispose();
  });
}
