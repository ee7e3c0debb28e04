/**
 * The evasion score end to end on real data, at tiny sizes: a stage-i bundle of the first 200
 * Fashion-MNIST training images (10 % of each class held out for validation) with the shipped
 * baseline CNN, a real `acsr tune` run (one grid point, FGSM) whose attacked images
 * `acsr calibrate-evasion` must reuse, DeepFool attacked by the calibration itself, then
 * `acsr purify --json` on real clean and attacked validation images:
 * - the calibration is stored in a bundle that verifies, names its fitting data and counts, and
 *   an older bundle without it still loads; a malformed calibration is refused with one line;
 * - attacked images get a higher mean evasion score than clean ones, and the purify record's
 *   signal contributions add up to the score's log-odds;
 * - refusals exit 2 with one line.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { parseAttackSpecs } from '../../main/acsr/attacks/attack-spec.ts';
import { attackableImageModel } from '../../main/acsr/attacks/tf-image-model-classifier.ts';
import { attackedSet } from '../../main/acsr/evasion/attacked-images.ts';
import { DEFAULT_SCORE_SIGNALS, type EvasionCalibration, type EvasionScore } from '../../main/acsr/evasion/evasion-calibration.ts';
import { CALIBRATION_VERSION } from '../../main/acsr/evasion/evasion-calibration-schema.ts';
import { loadTfImageModel } from '../../main/acsr/models/tf-image-model.ts';
import { loadReferenceBundle } from '../../main/acsr/references/bundle-reader.ts';
import { loadValidationSamples } from '../../main/acsr/tuning/validation-samples.ts';
import { encodePng } from '../../main/io/image.ts';
import { fashionMnistDir, repoRoot } from '../support/shared-data.ts';
import { TINY_BUNDLE_MODEL as MODEL, trainTinyFashionBundle } from '../support/tiny-fashion-bundle.ts';

const scratch = mkdtempSync(path.join(tmpdir(), 'acsr-evasion-'));
const bundle = path.join(scratch, 'bundle');
const tuneOut = path.join(scratch, 'tune');
const calibrated = path.join(scratch, 'calibrated');
after(() => rmSync(scratch, { recursive: true, force: true }));

function acsr(args: string[]) {
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'main/cli/acsr.ts', ...args, '--json', '--quiet'], {
    cwd: repoRoot,
    encoding: 'utf8',
    timeout: 300_000,
  });
  const lastLine = result.stdout.trimEnd().split('\n').at(-1) ?? '';
  return { code: result.status, stderr: result.stderr, summary: lastLine.startsWith('{') ? JSON.parse(lastLine) : undefined };
}

let summary: {
  calibration: EvasionCalibration;
  reusedBatches: number;
  attackedBatches: number;
  counts: Record<string, { attacked: number; successful: number }>;
};

before(() => {
  trainTinyFashionBundle(bundle);
  const tuned = acsr([
    'tune',
    '--bundle',
    bundle,
    '--data',
    fashionMnistDir,
    '--model',
    MODEL,
    '--attacks',
    'fgsm-dis:0.08',
    '--csc-lambda',
    '0.1',
    '--tikhonov-lambda',
    '5',
    '--iterations',
    '15',
    '--compare',
    'none',
    '--out',
    tuneOut,
  ]);
  assert.equal(tuned.code, 0, tuned.stderr);
  const run = acsr([
    'calibrate-evasion',
    '--bundle',
    bundle,
    '--data',
    fashionMnistDir,
    '--model',
    MODEL,
    '--attacks',
    'fgsm-dis:0.08,deepfool-dis:0.04',
    '--tune-out',
    tuneOut,
    '--bundle-out',
    calibrated,
  ]);
  assert.equal(run.code, 0, run.stderr);
  summary = run.summary;
});

test('the calibration is stored in a verifying bundle with its fitting data named and counted; bundles without it still load', async () => {
  const source = await loadReferenceBundle(bundle);
  assert.equal(source.manifest.evasionCalibration, undefined);
  const loaded = await loadReferenceBundle(calibrated);
  const c = loaded.manifest.evasionCalibration!;
  assert.deepEqual(c, summary.calibration);
  assert.equal(c.data.validationSha256, source.manifest.validation!.sha256);
  assert.equal(c.data.clean, source.manifest.validation!.imageCount);
  assert.match(c.data.sha256, /^[0-9a-f]{64}$/);
  // FGSM came from the tune folder (one batch of the 21 validation images), DeepFool was attacked here
  assert.equal(summary.reusedBatches, 1);
  assert.equal(summary.attackedBatches, 1);
  assert.deepEqual(c.data.attacked, {
    'fgsm-dis:0.08': summary.counts['fgsm-dis:0.08'].successful,
    'deepfool-dis:0.04': summary.counts['deepfool-dis:0.04'].successful,
  });
  assert.ok(c.fittedFalsePositiveRate <= c.falsePositiveTarget);
  // the threshold is set on cross-validated scores whenever the signals could be chosen that way (the same data suffice)
  if (c.signalChoice) {
    assert.equal(c.thresholdChoice?.method, 'cross-validated');
    assert.ok(c.thresholdChoice!.heldOutFalsePositiveRate <= c.falsePositiveTarget);
  } else assert.equal(c.thresholdChoice, undefined);
  assert.equal(c.version, CALIBRATION_VERSION);
  // the signals: chosen by cross-validation between the two candidate sets, or the compact set when too few images
  const attackedCount = Object.values(c.data.attacked).reduce((sum, n) => sum + n, 0);
  if (c.signalChoice) {
    assert.deepEqual(
      c.signalChoice.candidates.map((candidate) => candidate.name),
      ['compact', 'full'],
    );
    assert.deepEqual(c.signals, c.signalChoice.candidates.find((candidate) => candidate.name === c.signalChoice!.chosen)!.signals);
    assert.deepEqual(c.signalChoice.candidates[0].signals, DEFAULT_SCORE_SIGNALS);
  } else {
    assert.ok(c.data.clean < 10 || attackedCount < 10, `${c.data.clean} clean and ${attackedCount} attacked images are enough to cross-validate`);
    assert.deepEqual(c.signals, DEFAULT_SCORE_SIGNALS);
  }
  assert.equal(c.weights.length, c.signals.length);
  assert.deepEqual(Object.keys(c.clusterDistances).sort(), source.clusters.map((k) => k.id).sort());
  // the rest of the bundle is the source's, byte for byte
  for (const [file, hash] of Object.entries(source.manifest.files)) assert.equal(loaded.manifest.files[file], hash);

  // the reused FGSM images are exactly tune's files
  const model = await loadTfImageModel(MODEL);
  try {
    const validation = await loadValidationSamples(source.manifest, fashionMnistDir, model.classNames, 1, undefined);
    const reused = await attackedSet({
      samples: validation.samples,
      attacks: parseAttackSpecs('fgsm-dis:0.08'),
      classifier: attackableImageModel(model),
      batchSize: 32,
      seed: 0,
      tuneOut,
    });
    assert.equal(reused.reusedBatches, 1);
    assert.equal(reused.counts['fgsm-dis:0.08'].successful, c.data.attacked['fgsm-dis:0.08']);
  } finally {
    model.dispose();
  }

  const broken = path.join(scratch, 'broken');
  cpSync(calibrated, broken, { recursive: true });
  const manifest = JSON.parse(readFileSync(path.join(broken, 'manifest.json'), 'utf8'));
  manifest.evasionCalibration.threshold = 'high';
  writeFileSync(path.join(broken, 'manifest.json'), JSON.stringify(manifest));
  await assert.rejects(loadReferenceBundle(broken), /evasionCalibration\.threshold/);
});

test('acsr purify --json: attacked validation images score higher on average than clean ones; contributions add up', async () => {
  const source = await loadReferenceBundle(bundle);
  const model = await loadTfImageModel(MODEL);
  const cleanDir = path.join(scratch, 'clean-png');
  const attackedDir = path.join(scratch, 'attacked-png');
  mkdirSync(cleanDir);
  mkdirSync(attackedDir);
  try {
    const validation = await loadValidationSamples(source.manifest, fashionMnistDir, model.classNames, 1, undefined);
    const attacked = await attackedSet({
      samples: validation.samples,
      attacks: parseAttackSpecs('fgsm-dis:0.08'),
      classifier: attackableImageModel(model),
      batchSize: 32,
      seed: 0,
      tuneOut,
    });
    assert.ok(attacked.examples.length >= 2, `${attacked.examples.length} successful attacks`);
    for (const [i, s] of validation.samples.slice(0, 8).entries()) writeFileSync(path.join(cleanDir, `clean-${i}.png`), await encodePng(s.image));
    for (const [i, e] of attacked.examples.entries()) writeFileSync(path.join(attackedDir, `attacked-${i}.png`), await encodePng(e.image));
  } finally {
    model.dispose();
  }
  const scores = (dir: string) => {
    const run = acsr(['purify', '--bundle', calibrated, '--in', dir, '--out', path.join(scratch, `${path.basename(dir)}-out`)]);
    assert.equal(run.code, 0, run.stderr);
    return (run.summary.images as { evasion: EvasionScore }[]).map((image) => image.evasion);
  };
  const clean = scores(cleanDir);
  const attacked = scores(attackedDir);
  const mean = (list: EvasionScore[]) => list.reduce((s, e) => s + e.score, 0) / list.length;
  assert.ok(mean(attacked) > mean(clean), `mean score attacked ${mean(attacked)} vs clean ${mean(clean)}`);

  const calibration = (await loadReferenceBundle(calibrated)).manifest.evasionCalibration!;
  const first = clean[0];
  assert.deepEqual(
    first.signals.map((s) => s.name),
    calibration.signals,
  );
  const logOdds = calibration.bias + first.signals.reduce((s, x) => s + x.contribution, 0);
  assert.ok(Math.abs(1 / (1 + Math.exp(-logOdds)) - first.score) < 1e-12);
  assert.equal(first.suspected, first.score > calibration.threshold);
  // the per-image record carries it too
  const record = JSON.parse(readFileSync(path.join(scratch, 'clean-png-out', 'clean-0.purification.json'), 'utf8'));
  assert.deepEqual(record.evasion, first);
  // a bundle without a calibration: no evasion section
  const plain = acsr(['purify', '--bundle', bundle, '--in', path.join(cleanDir, 'clean-0.png'), '--out', path.join(scratch, 'plain-out')]);
  assert.equal(plain.code, 0, plain.stderr);
  assert.equal(plain.summary.images[0].evasion, undefined);
  assert.ok(readdirSync(path.join(scratch, 'plain-out')).includes('clean-0.purification.json'));
});

test('refusals exit 2 with one line', () => {
  const exists = acsr(['calibrate-evasion', '--bundle', bundle, '--data', fashionMnistDir, '--model', MODEL, '--bundle-out', calibrated]);
  assert.equal(exists.code, 2);
  assert.match(exists.stderr.trim(), /already exists/);
  assert.equal(exists.stderr.trim().split('\n').length, 1);
  const rate = acsr([
    'calibrate-evasion',
    '--bundle',
    bundle,
    '--data',
    fashionMnistDir,
    '--model',
    MODEL,
    '--false-positive-rate',
    '1',
    '--bundle-out',
    path.join(scratch, 'x'),
  ]);
  assert.equal(rate.code, 2);
  assert.match(rate.stderr, /--false-positive-rate must be below 1/);
  const signals = acsr([
    'calibrate-evasion',
    '--bundle',
    bundle,
    '--data',
    fashionMnistDir,
    '--model',
    MODEL,
    '--signals',
    'bit1Shift,bit5Shift',
    '--bundle-out',
    path.join(scratch, 'y'),
  ]);
  assert.equal(signals.code, 2);
  assert.match(signals.stderr.trim(), /^.*--signals: unknown signal bit5Shift/);
  assert.equal(signals.stderr.trim().split('\n').length, 1);
});
