import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadSporcoReference, relativeMaxError, sporcoReferenceNames } from '../support/shared-data.ts';
import { solveLikeSporco } from '../support/sporco-conformance.ts';

/**
 * float64 CBPDN against SPORCO 0.2.2. Tolerance: 1e-8 relative (max abs difference over the max
 * magnitude) on X, Y, U and the reconstruction, and 1e-8 relative on every iteration's
 * objective, residuals and rho.
 */
const TOLERANCE = 1e-8;

const cases = sporcoReferenceNames().filter((name) => name.startsWith('cbpdn_') && !name.startsWith('cbpdndl'));

test('every CBPDN reference file is exercised', () => {
  assert.deepEqual(cases, ['cbpdn_gray_fixedrho', 'cbpdn_rgb_mcdict_defaults', 'cbpdn_rgb_mcdict_fixedrho', 'cbpdn_rgb_shareddict_fixedrho']);
});

for (const name of cases)
  for (const linearSolver of ['sherman-morrison', 'woodbury'] as const) {
    test(`CBPDN (${linearSolver}) matches SPORCO: ${name}`, async () => {
      const ref = loadSporcoReference(name);
      const { solver, run } = await solveLikeSporco(ref, linearSolver);
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
