/**
 * The defense comparison `acsr tune` runs after its sweep, as a user runs it, on a tiny stage-i
 * bundle of real Fashion-MNIST images (the first 200 training images, 10 % held out) with the
 * shipped baseline CNN, 16 validation images, one attack, one grid point:
 * - a first run with `--compare none` leaves a folder whose sweep is done (what the earlier code
 *   wrote); the rerun with the default comparison adds only comparison units to its journal and
 *   attacks nothing again;
 * - every compared defense has a row on the same images; no defense and ACSR are the sweep's own
 *   verdicts; one baseline cell is recomputed here from the stored attacked images with real
 *   defense and classifier calls; single-dict's dictionary never saw the validation images;
 * - the recommendation obeys the rule, is written into tuning.md and the --bundle-out manifest
 *   (which loads), and `acsr purify` prints it when it is not ACSR (also in --json).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { attackableImageModel } from '../../main/acsr/attacks/tf-image-model-classifier.ts';
import { loadFashionMnist } from '../../main/acsr/data/fashion-mnist.ts';
import { createDefense } from '../../main/acsr/defenses/create-defense.ts';
import { batchFromImages, imagesFromBatch } from '../../main/acsr/evaluation/image-batch.ts';
import { loadTfImageModel } from '../../main/acsr/models/tf-image-model.ts';
import { loadReferenceBundle } from '../../main/acsr/references/bundle-reader.ts';
import { DEFAULT_COMPARISON } from '../../main/acsr/tuning/comparison-defenses.ts';
import type { TuningResults } from '../../main/acsr/tuning/tuning-results.ts';
import { sha256Hex } from '../../main/io/hashing.ts';
import { encodePng } from '../../main/io/image.ts';
import { readNpy } from '../../main/io/npy.ts';
import { fashionMnistDir, repoRoot } from '../support/shared-data.ts';
import { TINY_BUNDLE_MODEL as MODEL, trainTinyFashionBundle } from '../support/tiny-fashion-bundle.ts';

const ATTACK = 'fgsm-dis:0.04';
const IMAGES = 16;
const scratch = mkdtempSync(path.join(tmpdir(), 'acsr-compare-'));
const bundle = path.join(scratch, 'bundle');
const out = path.join(scratch, 'tune');
const tuned = path.join(scratch, 'tuned');
after(() => rmSync(scratch, { recursive: true, force: true }));

function acsr(args: string[]) {
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'main/cli/acsr.ts', ...args, '--json', '--quiet'], {
    cwd: repoRoot,
    encoding: 'utf8',
    timeout: 300_000,
  });
  const lines = result.stdout.trimEnd().split('\n');
  const lastLine = lines.at(-1) ?? '';
  return { code: result.status, stderr: result.stderr, lines: lines.slice(0, -1), summary: lastLine.startsWith('{') ? JSON.parse(lastLine) : undefined };
}

const tuneArgs = (extra: string[]) => [
  'tune',
  '--bundle',
  bundle,
  '--data',
  fashionMnistDir,
  '--model',
  MODEL,
  '--attacks',
  ATTACK,
  '--csc-lambda',
  '0.1',
  '--tikhonov-lambda',
  '5',
  '--iterations',
  '20',
  '--limit',
  String(IMAGES),
  '--out',
  out,
  ...extra,
];
const journalLines = () => readFileSync(path.join(out, 'journal.jsonl'), 'utf8').trim().split('\n');
const adversarialFiles = () =>
  readdirSync(path.join(out, 'adversarial')).map((name) => `${name}:${sha256Hex(readFileSync(path.join(out, 'adversarial', name)))}`);

let sweepOnlyLines: string[];
let sweepOnlyAttacked: string[];
let linesAfterComparison: string[];
let results: TuningResults;
let printed: string[];

before(() => {
  trainTinyFashionBundle(bundle);
  const sweepOnly = acsr(tuneArgs(['--compare', 'none']));
  assert.equal(sweepOnly.code, 0, sweepOnly.stderr);
  // the undefended classifier alone is no comparison: nothing is recommended
  assert.equal(sweepOnly.summary.recommendation, null);
  sweepOnlyLines = journalLines();
  sweepOnlyAttacked = adversarialFiles();
  const compared = acsr(tuneArgs(['--bundle-out', tuned]));
  assert.equal(compared.code, 0, compared.stderr);
  printed = compared.lines;
  linesAfterComparison = journalLines();
  results = JSON.parse(readFileSync(path.join(out, 'tuning.json'), 'utf8'));
  assert.deepEqual(compared.summary.recommendation, results.comparison!.recommendation);
});

test('a folder whose sweep is done gets only the comparison: no attack, no grid point again, and a third run computes nothing', () => {
  assert.deepEqual(linesAfterComparison.slice(0, sweepOnlyLines.length), sweepOnlyLines, "the sweep's journal lines are kept as they were");
  const added = linesAfterComparison.slice(sweepOnlyLines.length).map((line) => JSON.parse(line) as { unit: string; row: string });
  const computed = DEFAULT_COMPARISON.filter((d) => d !== 'none' && d !== 'acsr');
  assert.equal(added.length, computed.length * 2, 'one clean and one attacked unit per computed defense (one batch)');
  assert.ok(
    added.every((unit) => unit.unit.startsWith('compare:')),
    added.map((u) => u.unit).join(', '),
  );
  assert.deepEqual(
    new Set(
      added.map(
        (unit) =>
          unit.unit
            .split('/')[0]
            .replace(/^compare:/, '')
            .split('@')[0],
      ),
    ),
    new Set(computed),
  );
  assert.deepEqual(adversarialFiles(), sweepOnlyAttacked, "the attacked images are the sweep's, untouched");

  const third = acsr(tuneArgs([]));
  assert.equal(third.code, 0, third.stderr);
  assert.equal(journalLines().length, linesAfterComparison.length);
  const again = JSON.parse(readFileSync(path.join(out, 'tuning.json'), 'utf8')) as TuningResults;
  assert.deepEqual(again.comparison, results.comparison);
});

test("every defense has a row on the same images; none and ACSR are the sweep's verdicts; a JPEG cell recomputed from the stored attacked images matches", async () => {
  const comparison = results.comparison!;
  assert.ok(comparison.complete);
  assert.deepEqual(
    comparison.rows.map((r) => r.defense),
    [...DEFAULT_COMPARISON],
  );
  for (const row of comparison.rows) {
    assert.equal(row.clean.total, IMAGES, row.defense);
    assert.deepEqual(
      row.attacks.map((a) => [a.row, a.accuracy.total]),
      [[ATTACK, IMAGES]],
      row.defense,
    );
  }
  // the same images, labels and order in every defense's units
  const units = linesAfterComparison.slice(1).map((line) => JSON.parse(line) as { unit: string; outcomes: { sample: number; label: number }[] });
  const samplesOf = (unit: { outcomes: { sample: number; label: number }[] }) => unit.outcomes.map((o) => `${o.sample}:${o.label}`).join(',');
  const reference = samplesOf(units.find((u) => u.unit.startsWith(`undefended/${ATTACK}/`))!);
  for (const unit of units) assert.equal(samplesOf(unit), reference, unit.unit);

  const none = comparison.rows.find((r) => r.defense === 'none')!;
  assert.deepEqual(none.clean, results.undefended.clean);
  assert.deepEqual(none.attacks[0].accuracy, results.undefended.attacks[0].accuracy);
  const acsrRow = comparison.rows.find((r) => r.defense === 'acsr')!;
  const chosen = results.points.find((p) => p.key === results.chosen!.key)!;
  assert.deepEqual(acsrRow.clean, chosen.clean);
  assert.deepEqual(acsrRow.attacks[0].accuracy, chosen.attacks[0].accuracy);
  assert.match(acsrRow.settings, /Tikhonov lambda 5, CBPDN lambda 0\.1, 20 iterations/);
  assert.equal(comparison.rows.find((r) => r.defense === 'single-dict')!.settings, acsrRow.settings);

  // JPEG quality 50 on the stored attacked images, recomputed with real defense and classifier calls
  const [file] = readdirSync(path.join(out, 'adversarial'));
  const saved = await readNpy(path.join(out, 'adversarial', file));
  const [count, height, width, channels] = saved.shape;
  const attacked = imagesFromBatch({ count, height, width, channels: channels as 1 | 3, data: Float32Array.from(saved.data) });
  const labels = units.find((u) => u.unit.startsWith(`undefended/${ATTACK}/`))!.outcomes.map((o) => o.label);
  const jpeg = await createDefense('jpeg50');
  const model = await loadTfImageModel(MODEL);
  try {
    const purified = [];
    for (const image of attacked) purified.push((await jpeg.purify(image)).image);
    const scores = await attackableImageModel(model).scores(batchFromImages(purified));
    const correct = labels.filter((label, i) => {
      const row = Array.from(scores.subarray(i * 10, i * 10 + 10));
      return row.indexOf(Math.max(...row)) === label;
    }).length;
    assert.equal(comparison.rows.find((r) => r.defense === 'jpeg50')!.attacks[0].accuracy.successes, correct);
  } finally {
    model.dispose();
  }

  // single-dict learned from the training images only: none of the validation split
  const loaded = await loadReferenceBundle(bundle);
  const provenance = JSON.parse(readFileSync(path.join(out, 'single-dictionary.json'), 'utf8')) as { imageCount: number };
  assert.equal(provenance.imageCount, loaded.manifest.trainingData.imageCount - loaded.manifest.validation!.imageCount);
});

test('the recommendation follows the rule, and tuning.md and the printed output state it', () => {
  const comparison = results.comparison!;
  const recommendation = comparison.recommendation!;
  const attackCorrect = (defense: string) => comparison.rows.find((r) => r.defense === defense)!.attacks.reduce((s, a) => s + a.accuracy.successes, 0);
  const allowed = comparison.rows.filter((r) => r.meetsConstraint);
  const chosenRow = comparison.rows.find((r) => r.defense === recommendation.defense)!;
  assert.ok(chosenRow.meetsConstraint, 'the recommended defense keeps clean accuracy');
  const top = Math.max(...allowed.map((r) => attackCorrect(r.defense)));
  if (recommendation.defense === 'acsr') {
    assert.equal(attackCorrect('acsr'), top);
    assert.ok(recommendation.acsrBetterIn >= 1 && recommendation.acsrBetterIn >= recommendation.acsrWorseIn);
  } else {
    // the best allowed baseline (or, ACSR leading unconfirmed, the best cheaper one): nothing cheaper does better
    const baselines = allowed.filter((r) => r.defense !== 'acsr');
    assert.equal(attackCorrect(recommendation.defense), Math.max(...baselines.map((r) => attackCorrect(r.defense))));
    const tested = comparison.tests.filter((t) => t.baseline === recommendation.defense && t.row !== 'clean');
    const acsrConfirmed = tested.filter((t) => t.better === 'acsr').length;
    assert.ok(attackCorrect('acsr') < top || acsrConfirmed === 0 || acsrConfirmed < tested.filter((t) => t.better !== 'neither' && t.better !== 'acsr').length);
    // equal counts go to the cheaper: no defense listed before it in cost order has as many
    const cheaper = ['none', 'bits4', 'jpeg75', 'jpeg50', 'median3', 'lowpass', 'tvm', 'single-dict'];
    for (const other of cheaper.slice(0, cheaper.indexOf(recommendation.defense))) {
      if (allowed.some((r) => r.defense === other)) assert.ok(attackCorrect(other) < attackCorrect(recommendation.defense), other);
    }
  }
  for (const test of comparison.tests) assert.equal(test.pairs, IMAGES);
  assert.match(recommendation.sentence, new RegExp(`^On this bundle's ${IMAGES} validation images, `));
  const markdown = readFileSync(path.join(out, 'tuning.md'), 'utf8');
  assert.ok(markdown.includes(`**${recommendation.sentence}**`));
  assert.match(markdown, /\| one shared dictionary \| Tikhonov lambda 5, CBPDN lambda 0\.1, 20 iterations \|/);
  assert.match(markdown, new RegExp(`\\| ${recommendation.label.replace(/[()]/g, '\\$&')} \\*\\*\\(recommended\\)\\*\\*`));
  assert.ok(printed.includes(recommendation.sentence));
});

test('the --bundle-out manifest carries the comparison and loads; acsr purify prints the recommendation when it is not ACSR', async () => {
  const loaded = await loadReferenceBundle(tuned);
  const record = loaded.manifest.defenseComparison!;
  const comparison = results.comparison!;
  assert.equal(record.validationSha256, loaded.manifest.validation!.sha256);
  assert.equal(record.tuningSha256, sha256Hex(readFileSync(path.join(out, 'tuning.json'))));
  assert.equal(record.tuningSha256, loaded.manifest.purificationDefaults!.tuning.sha256);
  assert.deepEqual(
    record.rows.map((r) => [r.defense, r.cleanCorrect, r.attackCorrect]),
    comparison.rows.map((r) => [r.defense, r.clean.successes, r.attacks.map((a) => a.accuracy.successes)]),
  );
  assert.equal(record.tests.length, comparison.rows.length - 1);
  assert.equal(record.recommendation!.sentence, comparison.recommendation!.sentence);
  assert.equal((await loadReferenceBundle(bundle)).manifest.defenseComparison, undefined, 'an untuned bundle has none, and still loads');

  const { images } = await loadFashionMnist(fashionMnistDir, 't10k', 1);
  const input = path.join(scratch, 'input');
  mkdirSync(input);
  writeFileSync(path.join(input, 't10k-0.png'), await encodePng(images[0]));
  const purify = (bundlePath: string, name: string) => {
    const run = acsr(['purify', '--bundle', bundlePath, '--in', input, '--out', path.join(scratch, name), '--threads', '1']);
    assert.equal(run.code, 0, run.stderr);
    return run;
  };
  // the same bundle with the recommendation set both ways, so that both paths are exercised whatever these images measured
  const withRecommendation = (defense: string, label: string, folder: string) => {
    const copy = path.join(scratch, folder);
    cpSync(tuned, copy, { recursive: true });
    const manifest = JSON.parse(readFileSync(path.join(copy, 'manifest.json'), 'utf8'));
    manifest.defenseComparison.recommendation = {
      ...manifest.defenseComparison.recommendation,
      defense,
      label,
      sentence: `On this bundle's 16 validation images, ${label} was measured best.`,
    };
    writeFileSync(path.join(copy, 'manifest.json'), JSON.stringify(manifest));
    return copy;
  };

  const real = purify(tuned, 'purified');
  const recommended = comparison.recommendation!.defense;
  const notice = `${comparison.recommendation!.sentence} This command applies ACSR.`;
  assert.equal(real.lines.includes(notice), recommended !== 'acsr');
  assert.equal(real.summary.recommendation.inUse, recommended === 'acsr');
  assert.equal(real.summary.recommendation.sentence, comparison.recommendation!.sentence);

  const jpeg = purify(withRecommendation('jpeg50', 'JPEG quality 50', 'says-jpeg'), 'purified-jpeg');
  assert.ok(jpeg.lines.includes("On this bundle's 16 validation images, JPEG quality 50 was measured best. This command applies ACSR."), jpeg.lines.join('\n'));
  assert.deepEqual([jpeg.summary.recommendation.defense, jpeg.summary.recommendation.inUse], ['jpeg50', false]);
  const acsrSaid = purify(withRecommendation('acsr', 'ACSR', 'says-acsr'), 'purified-acsr');
  assert.ok(!acsrSaid.lines.some((line) => line.includes('validation images')), 'no notice when ACSR is the recommended defense');
  assert.equal(acsrSaid.summary.recommendation.inUse, true);
  const untuned = purify(bundle, 'purified-untuned');
  assert.equal(untuned.summary.recommendation, null);
});

test('--compare naming an unknown defense, or one twice, is refused with one line before anything runs', () => {
  for (const [compare, pattern] of [
    ['none,jpeg,acsr', /--compare: unknown defense 'jpeg'/],
    ['acsr,jpeg50,acsr', /--compare names a defense twice/],
  ] as const) {
    const run = acsr(tuneArgs(['--compare', compare]).map((arg) => (arg === out ? path.join(scratch, 'refused') : arg)));
    assert.equal(run.code, 2, run.stderr);
    assert.equal(run.stderr.trim().split('\n').length, 1, run.stderr);
    assert.match(run.stderr, pattern);
  }
});
