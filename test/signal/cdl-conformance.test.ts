import { test } from 'node:test';
import assert from 'node:assert/strict';
import { referenceEngineFactory } from '../../main/acsr/signal/cbpdn.ts';
import { fromSporcoLayout, toSporcoLayout } from '../../main/acsr/signal/conv-dictionary.ts';
import { learnDictionaryBatch } from '../../main/acsr/signal/batch-cdl.ts';
import { OnlineCdl } from '../../main/acsr/signal/online-cdl.ts';
import { loadSporcoReference, relativeMaxError, sporcoReferenceNames } from '../support/shared-data.ts';
import { optionsFromSporco } from '../support/sporco-conformance.ts';

// float64 dictionary learning against SPORCO 0.2.2: 1e-8 relative on every dictionary and objective.
const TOLERANCE = 1e-8;

function hwcToPlanes(data: Float64Array, height: number, width: number, channels: number): Float64Array {
  const planes = new Float64Array(data.length);
  for (let i = 0; i < height * width; i++) for (let c = 0; c < channels; c++) planes[c * height * width + i] = data[i * channels + c];
  return planes;
}

test('online CDL matches SPORCO (onlinecdl_rgb): the dictionary after each of 4 images', async () => {
  const ref = loadSporcoReference('onlinecdl_rgb');
  const o = ref.params.options;
  const learner = new OnlineCdl(
    fromSporcoLayout(ref.arrays.D0.shape, ref.arrays.D0.data),
    ref.params.lmbda,
    {
      etaA: o.eta_a,
      etaB: o.eta_b,
      zeroMean: o.ZeroMean,
      cbpdn: optionsFromSporco({ options: o.CBPDN }),
    },
    referenceEngineFactory,
  );
  for (let j = 0; j < 4; j++) {
    const s = ref.arrays[`s${j}`];
    const [height, width, channels] = s.shape;
    const step = await learner.learn({ height, width, channels, images: 1, planes: hwcToPlanes(s.data, height, width, channels) });
    const mine = toSporcoLayout(step.dictionary);
    const expected = ref.arrays[`D_after_${j}`];
    assert.deepEqual(mine.shape, expected.shape);
    const err = relativeMaxError(mine.data, expected.data);
    assert.ok(err < TOLERANCE, `dictionary after image ${j} differs by ${err.toExponential(2)}`);
  }
});

test('batch CDL (ADMM x-step, PGM d-step) matches SPORCO (cbpdndl_gray_pgm)', async () => {
  const ref = loadSporcoReference('cbpdndl_gray_pgm');
  const o = ref.params.options;
  const S = ref.arrays.S; // (24, 24, K): K greyscale training images
  const [height, width, images] = S.shape;
  const planes = hwcToPlanes(S.data, height, width, images);
  const result = await learnDictionaryBatch(
    fromSporcoLayout(ref.arrays.D0.shape, ref.arrays.D0.data),
    { height, width, channels: 1, images, planes },
    ref.params.lmbda,
    { iterations: o.MaxMainIter, lipschitz: o.CCMOD.L, cbpdn: optionsFromSporco({ options: o.CBPDN }) },
    referenceEngineFactory,
  );
  const mine = toSporcoLayout(result.dictionary);
  assert.deepEqual(mine.shape, ref.arrays.D.shape);
  const err = relativeMaxError(mine.data, ref.arrays.D.data);
  assert.ok(err < TOLERANCE, `final dictionary differs by ${err.toExponential(2)}`);
  const objErr = relativeMaxError(
    result.history.map((h) => h.objective),
    ref.itstat.ObjFun,
  );
  assert.ok(objErr < TOLERANCE, `objective per iteration differs by ${objErr.toExponential(2)}`);
});

test('every SPORCO reference file has a conformance test', () => {
  const covered = new Set([
    'tikhonov_gray',
    'tikhonov_rgb',
    'cbpdn_gray_fixedrho',
    'cbpdn_rgb_shareddict_fixedrho',
    'cbpdn_rgb_mcdict_fixedrho',
    'cbpdn_rgb_mcdict_defaults',
    'onlinecdl_rgb',
    'cbpdndl_gray_pgm',
  ]);
  const missing = sporcoReferenceNames().filter((name) => !covered.has(name));
  assert.deepEqual(missing, [], `reference files without a test: ${missing.join(', ')}`);
});
