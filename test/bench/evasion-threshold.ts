/**
 * Does the evasion score's threshold keep its false-positive promise on images it was not set on?
 * Compares the two ways of setting it, from stored signals (`acsr calibrate-evasion --signals-out`,
 * `test/bench/evasion-roc.ts --signals-out`):
 * - fitted: the quantile of the fitting images' own scores (calibrations before 2026-12-02);
 * - held out: the quantile of their cross-validated scores, never below the fitted one (now).
 * On the validation dump alone, by nested cross-validation: each outer fold's clean and attacked
 * images are scored by a calibration fitted (and thresholded both ways) on the other folds.
 * With --test, also the calibration fitted on the whole validation dump, on the test images.
 *
 *   node --import tsx test/bench/evasion-threshold.ts --fit VALIDATION_SIGNALS.json [--test TEST_SIGNALS.json] [--rate 0.05]
 */
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import type { EvasionSignals } from '../../main/acsr/evasion/evasion-calibration-schema.ts';
import { heldOutThreshold } from '../../main/acsr/evasion/held-out-threshold.ts';
import { COMPACT_SIGNALS, fitOffline, FULL_SIGNALS, type LabelledSignals, scoreHeldOut } from '../../main/acsr/evasion/signal-set-choice.ts';

interface Dump {
  clean: { signals: EvasionSignals }[];
  attacked: { attack: string; signals: EvasionSignals }[];
}

const { values } = parseArgs({ options: { fit: { type: 'string' }, test: { type: 'string' }, rate: { type: 'string', default: '0.05' } } });
if (!values.fit) {
  console.error('usage: evasion-threshold.ts --fit VALIDATION_SIGNALS.json [--test TEST_SIGNALS.json] [--rate 0.05]');
  process.exit(2);
}
const rate = Number(values.rate);
const labelled = (dump: Dump): LabelledSignals => ({
  clean: dump.clean.map((c) => c.signals),
  attacked: dump.attacked.map((a) => ({ attack: a.attack, signals: a.signals })),
});
const validation = labelled(JSON.parse(await readFile(values.fit, 'utf8')) as Dump);
const test = values.test ? labelled(JSON.parse(await readFile(values.test, 'utf8')) as Dump) : null;

/** Share of clean images flagged and of attacked images caught, with each way of setting the threshold. */
function measure(fitOn: LabelledSignals, scoreOn: LabelledSignals, signals: readonly (typeof FULL_SIGNALS)[number][]) {
  const calibration = fitOffline(
    fitOn.clean,
    fitOn.attacked.map((a) => a.signals),
    signals,
    { falsePositiveRate: rate },
  );
  const heldOut = heldOutThreshold(fitOn, signals, { falsePositiveRate: rate, fittedThreshold: calibration.threshold });
  const scores = scoreHeldOut(calibration, scoreOn);
  const count = (threshold: number) => ({
    clean: scores.clean.filter((s) => s > threshold).length,
    attacked: scores.attacked.filter((a) => a.score > threshold).length,
  });
  return {
    n: scores.clean.length,
    na: scores.attacked.length,
    fitted: count(calibration.threshold),
    heldOut: count(heldOut?.threshold ?? calibration.threshold),
  };
}

const pct = (k: number, n: number) => `${k} of ${n} (${((100 * k) / n).toFixed(1)} %)`;
const OUTER = 5;
console.log(
  `threshold for ${(100 * rate).toFixed(1)} % false positives; validation: ${validation.clean.length} clean, ${validation.attacked.length} attacked images`,
);
console.log(
  '| signals | measured on | clean flagged, fitted threshold | clean flagged, held-out threshold | attacked caught, fitted | attacked caught, held-out |',
);
console.log('|---|---|---|---|---|---|');
for (const [name, signals] of [
  ['compact', COMPACT_SIGNALS],
  ['full', FULL_SIGNALS],
] as const) {
  const total = { n: 0, na: 0, fitted: { clean: 0, attacked: 0 }, heldOut: { clean: 0, attacked: 0 } };
  const part = <T>(list: readonly T[], fold: number, held: boolean) => list.filter((_, i) => (i % OUTER === fold) === held);
  for (let fold = 0; fold < OUTER; fold++) {
    const m = measure(
      { clean: part(validation.clean, fold, false), attacked: part(validation.attacked, fold, false) },
      { clean: part(validation.clean, fold, true), attacked: part(validation.attacked, fold, true) },
      signals,
    );
    total.n += m.n;
    total.na += m.na;
    for (const way of ['fitted', 'heldOut'] as const) {
      total[way].clean += m[way].clean;
      total[way].attacked += m[way].attacked;
    }
  }
  const rows = [{ on: `validation, nested ${OUTER}-fold`, m: total }];
  if (test) rows.push({ on: 'test (fitted on all validation images)', m: measure(validation, test, signals) });
  for (const { on, m } of rows) {
    console.log(
      `| ${name} | ${on} | ${pct(m.fitted.clean, m.n)} | ${pct(m.heldOut.clean, m.n)} | ${pct(m.fitted.attacked, m.na)} | ${pct(m.heldOut.attacked, m.na)} |`,
    );
  }
}
