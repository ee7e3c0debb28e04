/**
 * The recommendation rule on constructed per-image outcome tables, through the same summary the
 * tuning writes (journal units -> Wilson rows -> McNemar's exact test -> rule). Each table is
 * built so that one clause of the rule decides: ACSR ahead on the mean but not confirmed by a
 * paired test, confirmed, confirmed in fewer columns than it loses, the clean-accuracy limit, ties
 * to the cheaper defense, and no defense beating none at all.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { JournalUnit } from '../../main/acsr/evaluation/evaluation-journal.ts';
import { mcNemarExact } from '../../main/acsr/evaluation/mcnemar-test.ts';
import { type ComparisonEntry, summariseComparison } from '../../main/acsr/tuning/defense-comparison.ts';
import { CLEAN_ROW, tuningUnitKey } from '../../main/acsr/tuning/defend-units.ts';

const N = 40;
const BATCH = 'b0@test';

/** `right` images correct out of N, the first ones (so smaller sets are subsets: only b is discordant) or the last ones. */
const firstRight = (right: number) => Array.from({ length: N }, (_, i) => i < right);
const lastRight = (right: number) => Array.from({ length: N }, (_, i) => i >= N - right);

interface Table {
  readonly defense: string;
  readonly clean: boolean[];
  readonly attacks: boolean[][];
}

function summarise(tables: readonly Table[], maxCleanDrop = 1) {
  const attacks = tables[0].attacks.map((_, a) => `attack${a + 1}`);
  const entries: ComparisonEntry[] = tables.map((t) => ({
    defense: t.defense,
    owner: t.defense === 'none' ? 'undefended' : `compare:${t.defense}`,
    settings: '',
  }));
  const units: JournalUnit[] = tables.flatMap((t, d) =>
    [CLEAN_ROW, ...attacks].map((row, r) => {
      const verdicts = r === 0 ? t.clean : t.attacks[r - 1];
      return {
        unit: tuningUnitKey(entries[d].owner, row, BATCH),
        row,
        attackSeconds: 0,
        outcomes: verdicts.map((right, sample) => ({ sample, label: 3, defended: [{ defense: t.defense, predicted: right ? 3 : 7, seconds: 0.01 }] })),
      };
    }),
  );
  return summariseComparison({ entries, attacks, batchKeys: [BATCH], units, undefendedOwner: 'undefended', maxCleanDrop, validationSha256: '0'.repeat(64) });
}

const all = firstRight(N);

test('ACSR ahead on the mean but no paired test confirms it: the cheaper defense is recommended, and the sentence says why', () => {
  const comparison = summarise([
    { defense: 'none', clean: all, attacks: [firstRight(10), firstRight(10)] },
    { defense: 'jpeg50', clean: all, attacks: [firstRight(20), firstRight(20)] },
    { defense: 'acsr', clean: all, attacks: [firstRight(22), firstRight(22)] },
  ]);
  const jpegTest = comparison.tests.find((t) => t.baseline === 'jpeg50' && t.row === 'attack1')!;
  assert.deepEqual([jpegTest.b, jpegTest.c, jpegTest.better], [2, 0, 'neither']);
  assert.equal(jpegTest.exactP, mcNemarExact(2, 0).exactP);
  const r = comparison.recommendation!;
  assert.equal(r.defense, 'jpeg50');
  assert.equal(r.testedAgainst, 'jpeg50');
  assert.deepEqual([r.acsrBetterIn, r.acsrWorseIn], [0, 0]);
  assert.match(
    r.sentence,
    /^On this bundle's 40 validation images, JPEG quality 50 protected the classifier as well as ACSR \(50\.0 % mean accuracy under attack against ACSR's 55\.0 %; .*\); it is recommended, being cheaper\.$/,
  );
  assert.ok(comparison.complete);
  assert.equal(comparison.rows.find((row) => row.defense === 'acsr')!.attacks[0].accuracy.successes, 22);
});

test('ACSR confirmed by paired tests in every attack column: ACSR is recommended', () => {
  const r = summarise([
    { defense: 'none', clean: all, attacks: [firstRight(10), firstRight(10)] },
    { defense: 'jpeg50', clean: all, attacks: [firstRight(20), firstRight(20)] },
    { defense: 'acsr', clean: all, attacks: [firstRight(30), firstRight(30)] },
  ]).recommendation!;
  assert.equal(r.defense, 'acsr');
  assert.deepEqual([r.testedAgainst, r.acsrBetterIn, r.acsrWorseIn], ['jpeg50', 2, 0]);
  assert.match(
    r.sentence,
    /ACSR protected the classifier better than JPEG quality 50, the best cheaper defense .*better by a paired test in 2 of 2 attacks, worse in 0\); it is recommended\.$/,
  );
});

test("ACSR better in one column but worse in two: the cheaper defense is recommended despite ACSR's higher mean", () => {
  const comparison = summarise([
    { defense: 'none', clean: all, attacks: [firstRight(5), firstRight(5), firstRight(5)] },
    { defense: 'jpeg75', clean: all, attacks: [firstRight(10), firstRight(20), firstRight(20)] },
    { defense: 'acsr', clean: all, attacks: [firstRight(40), firstRight(12), firstRight(12)] },
  ]);
  const acsr = comparison.rows.find((row) => row.defense === 'acsr')!;
  const jpeg = comparison.rows.find((row) => row.defense === 'jpeg75')!;
  assert.ok(acsr.meanAttackAccuracy > jpeg.meanAttackAccuracy);
  const r = comparison.recommendation!;
  assert.deepEqual([r.defense, r.acsrBetterIn, r.acsrWorseIn], ['jpeg75', 1, 2]);
});

test('one column better and one worse is "at least as many": ACSR is recommended', () => {
  const r = summarise([
    { defense: 'none', clean: all, attacks: [firstRight(5), firstRight(5)] },
    { defense: 'bits4', clean: all, attacks: [firstRight(10), firstRight(20)] },
    { defense: 'acsr', clean: all, attacks: [firstRight(40), firstRight(12)] },
  ]).recommendation!;
  assert.deepEqual([r.defense, r.acsrBetterIn, r.acsrWorseIn], ['acsr', 1, 1]);
});

test('a defense losing more clean accuracy than allowed is never recommended, however well it resists', () => {
  const tables: Table[] = [
    { defense: 'none', clean: all, attacks: [firstRight(10)] },
    { defense: 'jpeg75', clean: all, attacks: [firstRight(15)] },
    // 38 of 40: 5 points of clean accuracy lost
    { defense: 'median3', clean: firstRight(38), attacks: [firstRight(35)] },
  ];
  const strict = summarise(tables, 1);
  assert.equal(strict.rows.find((row) => row.defense === 'median3')!.meetsConstraint, false);
  assert.equal(strict.rows.find((row) => row.defense === 'median3')!.cleanDropPoints, 5);
  assert.equal(strict.recommendation!.defense, 'jpeg75');
  assert.match(
    strict.recommendation!.sentence,
    /JPEG quality 75 protected the classifier best among the defenses that keep clean accuracy within 1 point \(37\.5 % mean/,
  );
  assert.equal(summarise(tables, 5).recommendation!.defense, 'median3');
});

test('equal counts go to the cheaper defense; the same count on different images is still a tie', () => {
  const r = summarise([
    { defense: 'none', clean: all, attacks: [firstRight(10)] },
    { defense: 'jpeg50', clean: all, attacks: [lastRight(20)] },
    { defense: 'jpeg75', clean: all, attacks: [firstRight(20)] },
  ]).recommendation!;
  assert.equal(r.defense, 'jpeg75');
});

test("when nothing beats no defense, or ACSR's lead over no defense is not confirmed, no defense is recommended", () => {
  const flat = summarise([
    { defense: 'none', clean: all, attacks: [firstRight(10)] },
    { defense: 'jpeg75', clean: all, attacks: [firstRight(10)] },
    { defense: 'acsr', clean: firstRight(39), attacks: [firstRight(9)] },
  ]).recommendation!;
  assert.equal(flat.defense, 'none');
  assert.match(flat.sentence, /no defense is recommended\.$/);

  const unconfirmed = summarise([
    { defense: 'none', clean: all, attacks: [firstRight(10)] },
    { defense: 'acsr', clean: all, attacks: [firstRight(13)] },
  ]).recommendation!;
  assert.deepEqual([unconfirmed.defense, unconfirmed.testedAgainst, unconfirmed.acsrBetterIn], ['none', 'none', 0]);
  assert.match(unconfirmed.sentence, /no defense protected the classifier measurably/);
});

test('a comparison with a defense still missing units is incomplete and recommends nothing', () => {
  const comparison = summarise([
    { defense: 'none', clean: all, attacks: [firstRight(10)] },
    { defense: 'acsr', clean: all, attacks: [firstRight(30)] },
  ]);
  const partial = summariseComparison({
    entries: [
      { defense: 'none', owner: 'undefended', settings: '' },
      { defense: 'jpeg50', owner: 'compare:jpeg50', settings: '' },
    ],
    attacks: ['attack1'],
    batchKeys: [BATCH],
    units: [],
    undefendedOwner: 'undefended',
    maxCleanDrop: 1,
    validationSha256: '0'.repeat(64),
  });
  assert.equal(comparison.recommendation!.defense, 'acsr');
  assert.equal(partial.complete, false);
  assert.equal(partial.recommendation, null);
});
