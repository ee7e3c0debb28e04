// The evaluation's time left, replayed on the unit timings a real `acsr eval` recorded in its
// journal (fixtures/recorded-unit-timings.json: 1,000 Fashion-MNIST images, five attacks, eight
// defenses, 120 units on a shared 2-core machine): at every point of that run the estimate is
// compared with the time the rest of the run really took.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import type { JournalUnit } from '../../main/acsr/evaluation/evaluation-journal.ts';
import { estimateRemainingSeconds } from '../../main/progress/progress.ts';
import { estimateRemainingEvaluationSeconds, measuredUnit, type MeasuredUnit, secondsPerImageByRow } from '../../main/acsr/evaluation/time-estimate.ts';

interface RecordedUnit {
  unit: string;
  row: string;
  images: number;
  attackSeconds: number;
  defenseSeconds: Record<string, number>;
}
const recorded = (JSON.parse(readFileSync(new URL('./fixtures/recorded-unit-timings.json', import.meta.url), 'utf8')) as { units: RecordedUnit[] }).units;
const measured: MeasuredUnit[] = recorded.map((unit) => ({
  row: unit.row,
  images: unit.images,
  seconds: unit.attackSeconds + Object.values(unit.defenseSeconds).reduce((sum, seconds) => sum + seconds, 0),
}));
const ROWS_PER_BATCH = new Set(recorded.map((unit) => unit.row)).size;
const sum = (units: readonly MeasuredUnit[]) => units.reduce((total, unit) => total + unit.seconds, 0);
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/** After the first k units: the estimate, the old linear extrapolation of the fraction done, and the truth. */
function replay(units: readonly MeasuredUnit[], k: number) {
  const elapsed = sum(units.slice(0, k));
  return {
    estimate: estimateRemainingEvaluationSeconds({ finished: units.slice(0, k), pending: units.slice(k) }),
    linear: estimateRemainingSeconds(elapsed, k / units.length)!,
    truth: sum(units.slice(k)),
  };
}

describe('time left of an evaluation, from measured per-image times', () => {
  it('says nothing (estimating) until every kind of unit still to run has been timed once', () => {
    assert.equal(ROWS_PER_BATCH, 6);
    for (let k = 0; k < ROWS_PER_BATCH; k++) assert.equal(replay(measured, k).estimate, null, `after ${k} units`);
    assert.notEqual(replay(measured, ROWS_PER_BATCH).estimate, null);
  });

  it('on a small run, where extrapolating the fraction said a fraction of the truth, waits for a measure instead', () => {
    // The first two batches alone, as a 100-image evaluation: its clean unit takes 22 s, its CW units minutes.
    const small = measured.slice(0, 2 * ROWS_PER_BATCH);
    const afterClean = replay(small, 1);
    assert.ok(afterClean.linear < afterClean.truth / 2, `linear ${afterClean.linear.toFixed(0)} s, truth ${afterClean.truth.toFixed(0)} s`);
    assert.equal(afterClean.estimate, null);
    // Once the first batch is timed, the second batch (same rows) is predicted within a third.
    const afterFirstBatch = replay(small, ROWS_PER_BATCH);
    assert.ok(Math.abs(afterFirstBatch.estimate! - afterFirstBatch.truth) / afterFirstBatch.truth < 1 / 3, JSON.stringify(afterFirstBatch));
  });

  it('over the whole recorded run is closer to the truth than extrapolating the fraction done', () => {
    const errors = { estimate: [] as number[], linear: [] as number[] };
    for (let k = ROWS_PER_BATCH; k < measured.length; k++) {
      const { estimate, linear, truth } = replay(measured, k);
      errors.estimate.push(Math.abs(estimate! - truth) / truth);
      errors.linear.push(Math.abs(linear - truth) / truth);
    }
    const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
    assert.ok(mean(errors.estimate) < mean(errors.linear), `mean error ${mean(errors.estimate).toFixed(3)} vs linear ${mean(errors.linear).toFixed(3)}`);
    assert.ok(median(errors.estimate) < 0.3, `median error ${median(errors.estimate).toFixed(3)}`);
  });

  it('counts a running unit down as it runs, and never below zero when it overruns', () => {
    const finished = measured.slice(0, ROWS_PER_BATCH);
    const running = { row: recorded[ROWS_PER_BATCH + 5].row, images: 50 };
    const rate = secondsPerImageByRow(finished).get(running.row)!;
    const at = (elapsedSeconds: number) => estimateRemainingEvaluationSeconds({ finished, pending: [], running: { ...running, elapsedSeconds } })!;
    assert.ok(Math.abs(at(0) - 50 * rate) < 1e-9);
    assert.ok(Math.abs(at(10) - (50 * rate - 10)) < 1e-9);
    assert.equal(at(50 * rate + 100), 0);
  });

  it('weights the latest unit of a row more than the earlier ones, row by row', () => {
    const rates = secondsPerImageByRow([
      { row: 'clean', images: 10, seconds: 10 },
      { row: 'pgd', images: 10, seconds: 100 },
      { row: 'clean', images: 10, seconds: 20 },
    ]);
    assert.ok(Math.abs(rates.get('clean')! - (0.3 * 2 + 0.7 * 1)) < 1e-12);
    assert.equal(rates.get('pgd'), 10);
  });

  it("reads a journal unit's wall-clock seconds, or its attack and defense seconds in a journal written before they were recorded", () => {
    const outcomes = [0, 1].map((sample) => ({
      sample,
      label: 0,
      defended: [
        { defense: 'none', predicted: 0, seconds: 0.5 },
        { defense: 'acsr', predicted: 0, seconds: 2 },
      ],
    }));
    const older: JournalUnit = { unit: 'pgd/b0', row: 'pgd', attackSeconds: 3, outcomes };
    assert.deepEqual(measuredUnit(older), { row: 'pgd', images: 2, seconds: 8 });
    assert.deepEqual(measuredUnit({ ...older, seconds: 9.5 }), { row: 'pgd', images: 2, seconds: 9.5 });
  });
});
