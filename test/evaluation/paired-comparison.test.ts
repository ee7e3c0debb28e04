/**
 * The paired comparison and the fooled-images report, from journal units whose discordant pairs
 * and fooled images are known by construction: summariseEvaluation and resultsMarkdown as
 * `acsr eval` runs them, checked against counts and p-values worked out by hand.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { JournalUnit, SampleOutcome } from '../../main/acsr/evaluation/evaluation-journal.ts';
import { type EvaluationSetup, summariseEvaluation } from '../../main/acsr/evaluation/evaluation-results.ts';
import { resultsMarkdown } from '../../main/acsr/evaluation/results-markdown.ts';

const ATTACK = 'fgsm-dis:0.04';
const setup: EvaluationSetup = {
  model: { id: 'linear', backend: 'cpu', classNames: ['a', 'b'] },
  bundle: null,
  data: { description: '12 images', fingerprint: 'x', count: 12 },
  attacks: [{ name: ATTACK, budget: { norm: 'dissimilarity', epsilon: 0.04 } }],
  defenses: ['none', 'jpeg50', 'acsr'].map((name) => ({ name, description: name })),
  adaptive: null,
  seed: 0,
  batchSize: 12,
};
const samples = Array.from({ length: 12 }, (_, n) => n);
const verdict = (right: boolean) => (right ? 0 : 1); // every true label is 0

/** Clean: the undefended CNN is right on 0..9; jpeg50 and acsr on all twelve. */
const clean: SampleOutcome[] = samples.map((n) => ({
  sample: n,
  label: 0,
  defended: [
    { defense: 'none', predicted: verdict(n <= 9), seconds: 0 },
    { defense: 'jpeg50', predicted: 0, seconds: 0.01 },
    { defense: 'acsr', predicted: 0, seconds: 0.5 },
  ],
}));
/** Attacked: the CNN is fooled on 0..7; acsr right except on 7; jpeg50 right on 0, 1, 7 and 8..11. */
const attacked: SampleOutcome[] = samples.map((n) => ({
  sample: n,
  label: 0,
  attack: { originalLabel: 0, adversarialLabel: verdict(n >= 8), success: n < 8, l2PerPixel: 0.01, linf255: 3, dissimilarity: 0.035 + n / 1000, iterations: 1 },
  defended: [
    { defense: 'none', predicted: verdict(n >= 8), seconds: 0 },
    { defense: 'jpeg50', predicted: verdict(n <= 1 || n >= 7), seconds: 0.01 },
    { defense: 'acsr', predicted: verdict(n !== 7), seconds: 0.5 },
  ],
}));
const units: JournalUnit[] = [
  { unit: 'clean/b0', row: 'clean', attackSeconds: 0, outcomes: clean },
  { unit: `${ATTACK}/b0`, row: ATTACK, attackSeconds: 1.2, outcomes: attacked },
];

test('McNemar per row: b, c and exact p as worked out by hand', () => {
  const results = summariseEvaluation(setup, units, true);
  const find = (row: string, baseline: string) => results.pairedTests.find((t) => t.row === row && t.baseline === baseline)!;
  // acsr vs jpeg50 under attack: b = images 2..6 (5), c = image 7 (1); p = 2 (1 + 6) / 64, mid-p = p - 6 / 64
  const jpeg = find(ATTACK, 'jpeg50');
  assert.deepEqual([jpeg.pairs, jpeg.b, jpeg.c, jpeg.better, jpeg.reference], [12, 5, 1, 'neither', 'acsr']);
  assert.ok(Math.abs(jpeg.exactP - 14 / 64) < 1e-12 && Math.abs(jpeg.midP - 8 / 64) < 1e-12);
  // acsr vs none under attack: b = 0..6 (7), c = 0; p = 2 / 128 < 0.05: acsr wins
  const none = find(ATTACK, 'none');
  assert.deepEqual([none.b, none.c, none.better], [7, 0, 'acsr']);
  assert.ok(Math.abs(none.exactP - 2 / 128) < 1e-12);
  // clean: acsr vs none, b = 10, 11; p = 0.5
  assert.deepEqual([find('clean', 'none').b, find('clean', 'none').c, find('clean', 'none').exactP], [2, 0, 0.5]);
  assert.equal(results.pairedTests.length, 4, 'acsr against the two others, in both rows');
});

test('the fooled images: clean-correct and wrong after the attack; every defense with its Wilson interval', () => {
  const results = summariseEvaluation(setup, units, true);
  assert.equal(results.fooled.length, 1);
  const subset = results.fooled[0];
  assert.deepEqual([subset.row, subset.cleanCorrect, subset.fooled], [ATTACK, 10, 8]);
  const accuracy = (defense: string) => subset.cells.find((c) => c.defense === defense)!.accuracy;
  assert.deepEqual(
    ['none', 'jpeg50', 'acsr'].map((d) => [accuracy(d).successes, accuracy(d).total]),
    [
      [0, 8],
      [3, 8],
      [7, 8],
    ],
  );
  // Wilson 95 % for 7 / 8: [0.5291, 0.9776]
  assert.ok(Math.abs(accuracy('acsr').ci95[0] - 0.5291) < 1e-4 && Math.abs(accuracy('acsr').ci95[1] - 0.9776) < 1e-4);
  // all images, for comparison: acsr 11 / 12
  assert.equal(results.cells.find((c) => c.row === ATTACK && c.defense === 'acsr')!.accuracy.successes, 11);
});

test('the achieved dissimilarity is summarised, and results.md states every budget and both new tables', () => {
  const results = summariseEvaluation(setup, units, true);
  const summary = results.attacks[0];
  assert.ok(Math.abs(summary.meanDissimilarity - 0.0405) < 1e-12 && Math.abs(summary.maxDissimilarity - 0.046) < 1e-12);
  assert.equal(summary.rejected, 0);
  const markdown = resultsMarkdown(results);
  assert.match(markdown, /\| attack \| budget \(pixels in \[0, 1\]\) \| none \| jpeg50 \| acsr \|/);
  assert.ok(markdown.includes(`| ${ATTACK} | L2 dissimilarity \\|\\|x'-x\\|\\|_2 / \\|\\|x\\|\\|_2 <= 0.04`), 'the accuracy row names its normalisation');
  assert.match(markdown, /## On the images each attack fooled/);
  assert.ok(markdown.includes('| 8 / 10 | 0.0 [0.0–32.4] n=8 | 37.5 [13.7–69.4] n=8 | 87.5 [52.9–97.8] n=8 |'), markdown);
  assert.match(markdown, /## acsr against each baseline, paired \(McNemar\)/);
  assert.ok(markdown.includes(`| ${ATTACK} | \\|\\|x'-x\\|\\|/\\|\\|x\\|\\| <= 0.04 | jpeg50 | 12 | 5 | 1 | +33.3 | 0.2188 | 0.1250 | neither |`), markdown);
  assert.ok(markdown.includes('| none | 12 | 7 | 0 | +58.3 | 0.0156 | 0.0078 | acsr |'));
  assert.match(markdown, /acsr is more accurate than every baseline \(exact p < 0.05\) in 0 of 1 attack rows/);
});

test('without the undefended classifier the fooled images cannot be told, and the report says so', () => {
  const withoutNone = { ...setup, defenses: setup.defenses.filter((d) => d.name !== 'none') };
  const strip = (outcomes: SampleOutcome[]) => outcomes.map((o) => ({ ...o, defended: o.defended.filter((d) => d.defense !== 'none') }));
  const results = summariseEvaluation(
    withoutNone,
    units.map((u) => ({ ...u, outcomes: strip(u.outcomes) })),
    true,
  );
  assert.deepEqual(results.fooled, []);
  assert.match(resultsMarkdown(results), /Not measured: it needs the undefended classifier's clean verdict/);
});
