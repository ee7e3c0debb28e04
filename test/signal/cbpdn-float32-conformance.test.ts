import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConvBpdn } from '../../main/acsr/signal/cbpdn.ts';
import { fromSporcoLayout } from '../../main/acsr/signal/conv-dictionary.ts';
import { fastEngineFactory } from '../../main/acsr/signal/parallel/parallel-cbpdn-engine.ts';
import { loadSporcoReference, relativeMaxError, sporcoReferenceNames } from '../support/shared-data.ts';
import { optionsFromSporco } from '../support/sporco-conformance.ts';

/**
 * The product's float32 engines (serial with the fast FFT, and the worker-thread engine) against
 * SPORCO's float64 results. Tolerances: 1e-6 relative on every iteration's objective (the reference
 * README asks about 1e-4 of a float32 solver; measured here ~1e-7) and 1e-5 relative on Y and the
 * reconstruction (max abs difference over max magnitude; measured ~2e-6). The fixed-rho cases run their iterations exactly; the
 * AutoRho case must also stop after the same number of iterations.
 */
const OBJECTIVE_TOLERANCE = 1e-6;
const ARRAY_TOLERANCE = 1e-5;

const cases = sporcoReferenceNames().filter((name) => name.startsWith('cbpdn_') && !name.startsWith('cbpdndl'));

for (const name of cases)
  for (const threads of [1, 2]) {
    test(`float32 CBPDN (${threads} thread${threads > 1 ? 's' : ''}) agrees with SPORCO: ${name}`, async (t) => {
      const ref = loadSporcoReference(name);
      const s = ref.arrays.s;
      const [height, width, channels = 1] = s.shape;
      const planes = new Float32Array(s.data.length);
      for (let i = 0; i < height * width; i++) for (let c = 0; c < channels; c++) planes[c * height * width + i] = s.data[i * channels + c];
      const d = fromSporcoLayout(ref.arrays.D.shape, ref.arrays.D.data);
      const solver = await ConvBpdn.create({
        dictionary: { ...d, data: Float32Array.from(d.data) },
        signal: { height, width, channels, images: 1, planes },
        lambda: ref.params.lmbda,
        options: optionsFromSporco(ref.params),
        engine: fastEngineFactory(threads),
      });
      try {
        const run = await solver.solve();
        assert.equal(run.iterations, ref.iterations, 'iteration count');
        const objectiveError = relativeMaxError(
          run.stats.map((st) => st.objective),
          ref.itstat.ObjFun,
        );
        assert.ok(objectiveError < OBJECTIVE_TOLERANCE, `objective per iteration differs by ${objectiveError.toExponential(2)} relative`);
        const y = solver.variableInSporcoLayout('Y');
        const yError = relativeMaxError(y.data, ref.arrays.Y.data);
        assert.ok(yError < ARRAY_TOLERANCE, `Y differs by ${yError.toExponential(2)} relative`);
        const recon = await solver.reconstruct('Y');
        const reconHwc = new Float64Array(recon.length);
        for (let i = 0; i < height * width; i++) for (let c = 0; c < channels; c++) reconHwc[i * channels + c] = recon[c * height * width + i];
        const reconError = relativeMaxError(reconHwc, ref.arrays.recon.data);
        assert.ok(reconError < ARRAY_TOLERANCE, `reconstruction differs by ${reconError.toExponential(2)} relative`);
        t.diagnostic(`${name}: objective ${objectiveError.toExponential(2)}, Y ${yError.toExponential(2)}, recon ${reconError.toExponential(2)}`);
      } finally {
        await solver.dispose();
      }
    });
  }
