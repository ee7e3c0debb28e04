/**
 * The evasion signals on real Fashion-MNIST test images with the shipped classifier and real
 * FGSM attacks (no purification here: the purified version is stood in by the image's own
 * 4-bit version, a real squeezed image, so the wiring of every squeezer is checked against the
 * classifier called directly), and the calibration record's versions: a record written before
 * the new signals (no version, four signals) still loads and scores; a newer format, or weights
 * that do not match the named signals, are refused with a clear message.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { parseAttackSpecs } from '../../main/acsr/attacks/attack-spec.ts';
import { attackableImageModel } from '../../main/acsr/attacks/tf-image-model-classifier.ts';
import { loadFashionMnist } from '../../main/acsr/data/fashion-mnist.ts';
import { reduceBitDepth } from '../../main/acsr/defenses/bit-depth-defense.ts';
import { evasionCalibrationSchema, fitEvasionCalibration, scoreEvasion } from '../../main/acsr/evasion/evasion-calibration.ts';
import { CALIBRATION_VERSION } from '../../main/acsr/evasion/evasion-calibration-schema.ts';
import {
  argmax,
  computeSignals,
  type EvasionSignals,
  l1Distance,
  residualQuantiles,
  SIGNAL_NAMES,
  softmax,
  topTwoMargin,
} from '../../main/acsr/evasion/evasion-signals.ts';
import { medianFilter3x3 } from '../../main/acsr/defenses/median-filter-defense.ts';
import { attackedSet } from '../../main/acsr/evasion/attacked-images.ts';
import { heldOutThreshold, withHeldOutThreshold } from '../../main/acsr/evasion/held-out-threshold.ts';
import { rocAuc, thresholdForFalsePositiveRate, truePositiveRateAt } from '../../main/acsr/evasion/roc.ts';
import { chooseSignalSet, COMPACT_SIGNALS, crossValidatedScores, FULL_SIGNALS } from '../../main/acsr/evasion/signal-set-choice.ts';
import type { ImageArray } from '../../main/acsr/array/image-array.ts';
import { loadTfImageModel, type TfImageModel } from '../../main/acsr/models/tf-image-model.ts';
import { fashionMnistDir } from '../support/shared-data.ts';

const MODEL = 'fmnist-baseline-cnn-b25dc5da0ce9';
const NORM = { median: 10, scale: 2, members: 5 };
let model: TfImageModel;
let clean: ImageArray[];
let attacked: ImageArray[];

before(async () => {
  model = await loadTfImageModel(MODEL);
  const test = await loadFashionMnist(fashionMnistDir, 't10k', 96);
  clean = test.images;
  const samples = test.images.map((image, i) => ({ name: `t10k[${i}]`, label: test.labels[i], image }));
  const set = await attackedSet({ samples, attacks: parseAttackSpecs('fgsm-dis:0.08'), classifier: attackableImageModel(model), batchSize: 32, seed: 0 });
  attacked = set.examples.map((e) => e.image);
});
after(() => model.dispose());

const signalsOf = (images: ImageArray[]) =>
  computeSignals({
    classifier: model,
    images,
    purified: images.map((image) => reduceBitDepth(image, 4)),
    nearest: images.map(() => ({ clusterId: 'k', distance: 14 })),
    clusterDistances: { k: NORM },
  });

test('every signal is what its definition says, checked against the classifier called directly', async () => {
  const images = clean.slice(0, 6);
  const signals = await signalsOf(images);
  const direct = await model.scores(
    images.flatMap((image) => [image, reduceBitDepth(image, 1), reduceBitDepth(image, 4), reduceBitDepth(image, 3), reduceBitDepth(image, 2)]),
  );
  signals.forEach((s, i) => {
    assert.deepEqual(Object.keys(s).sort(), [...SIGNAL_NAMES].sort());
    const [own, bit1, bit4, bit3, bit2] = direct.slice(5 * i, 5 * i + 5);
    assert.ok(Math.abs(s.bit1Shift - l1Distance(softmax(own), softmax(bit1))) < 1e-5);
    assert.ok(Math.abs(s.bit4Shift - l1Distance(softmax(own), softmax(bit4))) < 1e-5);
    assert.equal(s.bit1Flip, argmax(own) === argmax(bit1) ? 0 : 1);
    assert.ok(Math.abs(s.bit3Shift - l1Distance(softmax(own), softmax(bit3))) < 1e-5);
    assert.ok(Math.abs(s.bit2Shift - l1Distance(softmax(own), softmax(bit2))) < 1e-5);
    assert.equal(s.bit3Flip, argmax(own) === argmax(bit3) ? 0 : 1);
    assert.equal(s.bit2Flip, argmax(own) === argmax(bit2) ? 0 : 1);
    // the purified stand-in is the 4-bit version: the same shift and flip
    assert.ok(Math.abs(s.purificationShift - s.bit4Shift) < 1e-9);
    assert.equal(s.purificationFlip, s.bit4Flip);
    assert.ok(Math.abs(s.logitMargin - topTwoMargin(own)) < 1e-5);
    assert.ok(s.logitMargin > 0);
    assert.equal(s.maxSqueezeShift, Math.max(s.purificationShift, s.jpegShift, s.medianShift, s.bit1Shift, s.bit4Shift));
    // the joint maximum and the count keep their five squeezers, whatever else is computed
    assert.equal(s.flipCount, s.purificationFlip + s.jpegFlip + s.medianFlip + s.bit1Flip + s.bit4Flip);
    for (const flip of [s.purificationFlip, s.jpegFlip, s.medianFlip, s.bit1Flip, s.bit4Flip]) assert.ok(flip === 0 || flip === 1);
    assert.equal(s.latentOutlier, 2);
    // the noise floor: median and upper quartile of |x - median3x3(x)|
    const median = medianFilter3x3(images[i]);
    const residual = Array.from(images[i].data, (v, k) => Math.abs(v - median.data[k])).sort((x, y) => x - y);
    assert.ok(Math.abs(s.noiseLevel - residual[Math.round(0.5 * (residual.length - 1))]) < 1e-6);
    assert.ok(Math.abs(s.noiseUpperQuartile - residual[Math.round(0.75 * (residual.length - 1))]) < 1e-6);
  });
});

test('the noise quantiles sample huge images evenly and refuse mismatched ones', () => {
  assert.deepEqual(residualQuantiles([0, 0.5, 1, 0.25, 0], [0, 0, 0, 0, 0], [0, 0.5, 1]), [0, 0.25, 1]);
  const big = new Float32Array(5_000_000).map((_, i) => (i % 100) / 100);
  const [median] = residualQuantiles(big, new Float32Array(big.length), [0.5]);
  assert.ok(Math.abs(median - 0.5) <= 0.01, `sampled median ${median}`);
  assert.throws(() => residualQuantiles([1], [1, 2], [0.5]), RangeError);
});

test('on real FGSM attacks, the 1-bit squeezer and the joint maximum separate attacked from clean images, and the margin shrinks', async () => {
  assert.ok(attacked.length >= 10, `${attacked.length} successful attacks`);
  const cleanSignals = await signalsOf(clean);
  const attackedSignals = await signalsOf(attacked);
  const auc = (name: keyof EvasionSignals, sign = 1) =>
    rocAuc(
      cleanSignals.map((s) => sign * s[name]),
      attackedSignals.map((s) => sign * s[name]),
    );
  assert.ok(auc('bit1Shift') > 0.75, `bit1Shift AUC ${auc('bit1Shift')}`);
  assert.ok(auc('maxSqueezeShift') > 0.75, `maxSqueezeShift AUC ${auc('maxSqueezeShift')}`);
  assert.ok(auc('logitMargin', -1) > 0.6, `logitMargin AUC (small margin = attacked) ${auc('logitMargin', -1)}`);
});

const context = {
  model: { id: MODEL, weightSha256: 'w' },
  purification: { tikhonovLambda: 1, cscLambda: 0.1, maxIterations: 10 },
  jpegQuality: 50,
  clusterDistances: { k: NORM },
  data: { sha256: 'a'.repeat(64), validationSha256: 'b'.repeat(64), clean: 1, attacked: {} },
};

test('calibration records: the fit names its signals and version and is deterministic; old records score; newer or inconsistent ones are refused', async () => {
  const cleanSignals = await signalsOf(clean);
  const attackedSignals = await signalsOf(attacked);
  const names = ['bit1Shift', 'maxSqueezeShift', 'logitMargin'] as const;
  const fitted = fitEvasionCalibration(cleanSignals, attackedSignals, context, { signals: names });
  assert.equal(fitted.version, CALIBRATION_VERSION);
  assert.deepEqual(fitted.signals, names);
  assert.equal(fitted.weights.length, 3);
  assert.deepEqual(fitEvasionCalibration(cleanSignals, attackedSignals, context, { signals: names }), fitted);
  assert.deepEqual(evasionCalibrationSchema.parse(JSON.parse(JSON.stringify(fitted))), fitted);
  const score = scoreEvasion(fitted, attackedSignals[0]);
  assert.deepEqual(
    score.signals.map((s) => s.name),
    names,
  );

  // a record from before: no version, the first four signals; it loads as version 1 and scores with them
  const old = {
    ...JSON.parse(
      JSON.stringify(
        fitEvasionCalibration(cleanSignals, attackedSignals, context, { signals: ['purificationShift', 'jpegShift', 'medianShift', 'latentOutlier'] }),
      ),
    ),
  };
  delete old.version;
  const loaded = evasionCalibrationSchema.parse(old);
  assert.equal(loaded.version, 1);
  assert.deepEqual(
    scoreEvasion(loaded, cleanSignals[0]).signals.map((s) => s.name),
    ['purificationShift', 'jpegShift', 'medianShift', 'latentOutlier'],
  );

  const newer = evasionCalibrationSchema.safeParse({ ...fitted, version: CALIBRATION_VERSION + 1 });
  assert.equal(newer.success, false);
  assert.match(JSON.stringify(newer.error!.issues), /newer format than this version reads/);
  const inconsistent = evasionCalibrationSchema.safeParse({ ...fitted, weights: [1, 2] });
  assert.equal(inconsistent.success, false);
  assert.match(JSON.stringify(inconsistent.error!.issues), /one weight, mean and scale per signal/);
  const unknown = evasionCalibrationSchema.safeParse({ ...fitted, signals: ['bit1Shift', 'maxSqueezeShift', 'bit5Shift'] });
  assert.equal(unknown.success, false);
  assert.throws(() => fitEvasionCalibration(cleanSignals, attackedSignals, context, { signals: ['bit1Shift', 'bit1Shift'] }), /distinct signals/);
});

test('the signal set is chosen by cross-validation on the fitting images: deterministic, by the stated rule, and compact when too few', async () => {
  const cleanSignals = await signalsOf(clean);
  const attackedSignals = (await signalsOf(attacked)).map((signals) => ({ attack: 'fgsm-dis:0.08', signals }));
  const data = { clean: cleanSignals, attacked: attackedSignals };
  const choice = chooseSignalSet(data, { falsePositiveRate: 0.05 })!;
  assert.deepEqual(chooseSignalSet(data, { falsePositiveRate: 0.05 }), choice);
  const [compact, full] = choice.candidates;
  assert.deepEqual(compact.signals, COMPACT_SIGNALS);
  assert.deepEqual(full.signals, FULL_SIGNALS);
  assert.ok(!FULL_SIGNALS.includes('latentOutlier'));
  // the larger set must beat the compact one by more than one held-out attacked image
  const margin = 1 / attackedSignals.length;
  assert.equal(choice.chosen.name, full.meanCaught > compact.meanCaught + margin ? 'full' : 'compact');
  // each candidate's merit is its held-out catch rate, recomputed here from the pooled held-out scores
  for (const candidate of choice.candidates) {
    const held = crossValidatedScores(data, candidate.signals);
    assert.equal(held.clean.length, cleanSignals.length);
    const rate = truePositiveRateAt(
      held.clean,
      held.attacked.map((a) => a.score),
      0.05,
    ).truePositiveRate;
    assert.equal(candidate.caught['fgsm-dis:0.08'], rate);
    // the scores it carries for the held-out threshold are these very scores
    assert.deepEqual(candidate.heldOut, held);
    assert.ok(rate > 0.3, `${candidate.name}: ${rate} of real FGSM attacks caught at 5 % false positives`);
  }
  assert.equal(chooseSignalSet({ clean: cleanSignals.slice(0, 9), attacked: attackedSignals }, { falsePositiveRate: 0.05 }), null);
});

test('the threshold is set on held-out scores: the cross-validated quantile, never below the fitted one, its rates recomputed', async () => {
  const cleanSignals = await signalsOf(clean);
  const attackedSignals = await signalsOf(attacked);
  const data = { clean: cleanSignals, attacked: attackedSignals.map((signals) => ({ attack: 'fgsm-dis:0.08', signals })) };
  const fitted = fitEvasionCalibration(cleanSignals, attackedSignals, context, { signals: FULL_SIGNALS });
  const choice = heldOutThreshold(data, fitted.signals, { falsePositiveRate: 0.05, fittedThreshold: fitted.threshold })!;
  const held = crossValidatedScores(data, fitted.signals);
  assert.equal(choice.threshold, Math.max(fitted.threshold, thresholdForFalsePositiveRate(held.clean, 0.05)));
  assert.ok(choice.threshold >= fitted.threshold);
  assert.ok(choice.heldOutFalsePositiveRate <= 0.05, `${choice.heldOutFalsePositiveRate} of held-out clean images above the threshold`);
  assert.equal(choice.heldOutTruePositiveRate, held.attacked.filter((a) => a.score > choice.threshold).length / held.attacked.length);
  // scores the signal-set choice already computed give the same threshold without a second cross-validation
  assert.deepEqual(heldOutThreshold(data, fitted.signals, { falsePositiveRate: 0.05, fittedThreshold: fitted.threshold, heldOut: held }), choice);

  const calibration = withHeldOutThreshold(fitted, choice, { clean: cleanSignals, attacked: attackedSignals });
  const above = (list: EvasionSignals[]) => list.filter((s) => scoreEvasion(calibration, s).score > choice.threshold).length / list.length;
  assert.equal(calibration.threshold, choice.threshold);
  assert.equal(calibration.fittedFalsePositiveRate, above(cleanSignals));
  assert.equal(calibration.fittedTruePositiveRate, above(attackedSignals));
  assert.ok(calibration.fittedFalsePositiveRate <= fitted.fittedFalsePositiveRate);
  assert.deepEqual(evasionCalibrationSchema.parse(JSON.parse(JSON.stringify(calibration))), calibration);
  // the weights are the fit's: only the threshold moved
  assert.deepEqual(calibration.weights, fitted.weights);

  assert.equal(heldOutThreshold({ ...data, clean: cleanSignals.slice(0, 9) }, fitted.signals, { falsePositiveRate: 0.05, fittedThreshold: 0.5 }), null);
});
