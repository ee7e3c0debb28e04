// The tuning rule's last step, fewer iterations for the same protection, on the journals of two
// real sweeps kept in docs/results: the photo bundle's 24 validation images (10 against 30
// iterations: one attacked image apart) and Fashion-MNIST's 200 (10, 30 and 100 iterations).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { gunzipSync } from 'node:zlib';
import type { JournalUnit } from '../../main/acsr/evaluation/evaluation-journal.ts';
import { type PointTally, choosePoint, pairedLessAccurate } from '../../main/acsr/tuning/choose-point.ts';
import { type TuningResults, summariseTuning } from '../../main/acsr/tuning/tuning-results.ts';
import { repoRoot } from '../support/shared-data.ts';

function keptSweep(folder: string) {
  const dir = path.join(repoRoot, 'docs/results', folder);
  const recorded = JSON.parse(readFileSync(path.join(dir, 'tuning.json'), 'utf8')) as TuningResults;
  const units = gunzipSync(readFileSync(path.join(dir, 'journal.jsonl.gz')))
    .toString('utf8')
    .split('\n')
    .slice(1)
    .filter((line) => line.trim())
    .map((line) => JSON.parse(line) as JournalUnit);
  // the batches, in order, as the undefended clean row names them: 'undefended/clean/<batch>'
  const batchKeys = units.filter((u) => u.unit.startsWith('undefended/clean/')).map((u) => u.unit.slice('undefended/clean/'.length));
  const points = recorded.points.map(({ tikhonovLambda, cscLambda, maxIterations }) => ({ tikhonovLambda, cscLambda, maxIterations }));
  return { recorded, summary: summariseTuning(recorded.setup, points, batchKeys, units) };
}

describe('fewer CBPDN iterations for the same protection', () => {
  it('photos: 10 iterations are taken, one attacked image behind 30 (no paired difference)', () => {
    const { recorded, summary } = keptSweep('photos-wallpaper-tuning-iterations');
    assert.equal(summary.complete, true);
    const [ten, thirty] = ['t5-c0.4-i10', 't5-c0.4-i30'].map((key) => summary.points.find((p) => p.key === key)!);
    const attacked = (p: typeof ten) => p.attacks.reduce((sum, a) => sum + a.accuracy.successes, 0);
    assert.equal(attacked(thirty) - attacked(ten), 1, 'the best mean under attack is at 30 iterations, by one image');
    assert.equal(recorded.chosen?.key, 't5-c0.4-i30', 'the rule before this step took the raw maximum');
    assert.equal(summary.chosen?.key, 't5-c0.4-i10');
  });

  it('Fashion-MNIST: 10 iterations were already the best of 10, 30 and 100, and stay chosen', () => {
    const { summary } = keptSweep('fashion-mnist-tuning-10000-robust13-iterations');
    assert.equal(summary.complete, true);
    assert.equal(summary.points.length, 3);
    assert.equal(summary.chosen?.maxIterations, 10);
  });

  it('a cheaper cap that loses images under attack by a paired test is refused', () => {
    const verdicts = (wrong: number) => [Array.from({ length: 40 }, (_, i) => i >= wrong)];
    const tally = (maxIterations: number, wrong: number): PointTally => ({
      point: { tikhonovLambda: 5, cscLambda: 0.4, maxIterations },
      cleanCorrect: 40,
      attackCorrect: 40 - wrong,
      attackVerdicts: verdicts(wrong),
    });
    // 8 images right at 100 iterations and wrong at 10: McNemar exact p = 0.008
    assert.equal(pairedLessAccurate(tally(10, 10), tally(100, 2)), true);
    assert.equal(choosePoint([tally(10, 10), tally(30, 3), tally(100, 2)], 40, 40, 1), 1);
    // one image apart in a column: no evidence, the cheapest cap is taken
    assert.equal(choosePoint([tally(10, 3), tally(100, 2)], 40, 40, 1), 0);
  });
});
