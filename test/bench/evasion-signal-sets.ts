/**
 * Compares signal sets for the evasion score offline, from the signals dumped by
 * `acsr calibrate-evasion --signals-out` (validation images: the fit) and
 * `test/bench/evasion-roc.ts --signals-out` (held-out test images: the measurement). Each set is
 * fitted exactly as the calibration fits it (signal-set-choice.ts: fitOffline) and scored on the test images:
 * per attack AUC and true-positive rate at 5 % false positives (threshold set on the test clean
 * images), plus the share of test clean and attacked images above the calibrated threshold.
 *
 *   node --import tsx test/bench/evasion-signal-sets.ts --fit VAL.json --test TEST.json [--sets a+b,c;d] [--l2 1]
 *
 * Without --test, the sets are compared on the validation images alone by K-fold cross-validation
 * (--folds, default 5; folds interleaved over the images, per class): each fold scored by a fit on
 * the others, the held-out scores pooled. That is how a signal set is chosen without the test split.
 *
 *   node --import tsx test/bench/evasion-signal-sets.ts --fit VAL.json [--folds 5] [--sets ...]
 */
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { type EvasionSignals, SIGNAL_NAMES, type SignalName } from '../../main/acsr/evasion/evasion-signals.ts';
import { rocAuc, truePositiveRateAt } from '../../main/acsr/evasion/roc.ts';
import { crossValidatedScores, fitOffline, type HeldOutScores, scoreHeldOut } from '../../main/acsr/evasion/signal-set-choice.ts';

interface Dump {
  clean: { name: string; signals: EvasionSignals }[];
  attacked: { attack: string; name: string; signals: EvasionSignals }[];
}

const { values } = parseArgs({
  options: {
    fit: { type: 'string' },
    test: { type: 'string' },
    folds: { type: 'string', default: '5' },
    sets: { type: 'string' },
    l2: { type: 'string', default: '1' },
  },
});
if (!values.fit) {
  console.error('usage: evasion-signal-sets.ts --fit VALIDATION_SIGNALS.json [--test TEST_SIGNALS.json | --folds K] [--sets "a,b;c"] [--l2 1]');
  process.exit(2);
}
const fit = JSON.parse(await readFile(values.fit, 'utf8')) as Dump;
const test = values.test ? (JSON.parse(await readFile(values.test, 'utf8')) as Dump) : undefined;
const folds = Number(values.folds);

const squeezeShifts: SignalName[] = ['purificationShift', 'jpegShift', 'medianShift', 'bit1Shift', 'bit4Shift'];
const flips: SignalName[] = ['purificationFlip', 'jpegFlip', 'medianFlip', 'bit1Flip', 'bit4Flip'];
/** the default before the 3- and 2-bit squeezers and the noise level (calibration format 2) */
const shippedDefault: SignalName[] = [...squeezeShifts, 'maxSqueezeShift', 'logitMargin', 'flipCount'];
const candidates: Record<string, SignalName[]> = values.sets
  ? Object.fromEntries(values.sets.split(';').map((set) => [set, set.split(',') as SignalName[]]))
  : {
      'first four (shipped before)': ['purificationShift', 'jpegShift', 'medianShift', 'latentOutlier'],
      'maxSqueezeShift alone': ['maxSqueezeShift'],
      'bit1Shift alone': ['bit1Shift'],
      'logitMargin alone': ['logitMargin'],
      'five shifts': squeezeShifts,
      'five shifts + max': [...squeezeShifts, 'maxSqueezeShift'],
      'five shifts + max + margin': [...squeezeShifts, 'maxSqueezeShift', 'logitMargin'],
      'five shifts + margin': [...squeezeShifts, 'logitMargin'],
      'five shifts + max + margin + flips': [...squeezeShifts, 'maxSqueezeShift', 'logitMargin', ...flips],
      'five shifts + max + margin + flipCount': [...squeezeShifts, 'maxSqueezeShift', 'logitMargin', 'flipCount'],
      'format-2 default + noiseLevel': [...shippedDefault, 'noiseLevel'],
      'format-2 default + noiseUpperQuartile': [...shippedDefault, 'noiseUpperQuartile'],
      'format-2 default + both noise signals': [...shippedDefault, 'noiseLevel', 'noiseUpperQuartile'],
      'format-2 default + bit3Shift': [...shippedDefault, 'bit3Shift'],
      'format-2 default + bit3Shift + bit2Shift': [...shippedDefault, 'bit3Shift', 'bit2Shift'],
      'format-2 default + bit3Shift + bit3Flip': [...shippedDefault, 'bit3Shift', 'bit3Flip'],
      'format-2 default + bit3 and bit2 shifts and flips': [...shippedDefault, 'bit3Shift', 'bit2Shift', 'bit3Flip', 'bit2Flip'],
      'format-2 default + bit3Shift + bit2Shift + noiseLevel': [...shippedDefault, 'bit3Shift', 'bit2Shift', 'noiseLevel'],
      'all but latentOutlier': SIGNAL_NAMES.filter((n) => n !== 'latentOutlier'),
      all: [...SIGNAL_NAMES],
    };
for (const set of Object.values(candidates)) {
  for (const name of set) if (!(SIGNAL_NAMES as readonly string[]).includes(name)) throw new Error(`unknown signal ${name}`);
}

/** Fitted on the validation dump, scored on the test dump (the product's offline fit, signal-set-choice.ts). */
function fitThenTest(names: SignalName[]): HeldOutScores {
  const calibration = fitOffline(
    fit.clean.map((c) => c.signals),
    fit.attacked.map((a) => a.signals),
    names,
    { l2: Number(values.l2) },
  );
  return scoreHeldOut(calibration, {
    clean: test!.clean.map((c) => c.signals),
    attacked: test!.attacked.map((a) => ({ attack: a.attack, signals: a.signals })),
  });
}

const measured: Dump = test ?? fit;
const attacks = [...new Set(measured.attacked.map((a) => a.attack))];
console.log(
  test
    ? `fit: ${fit.clean.length} clean, ${fit.attacked.length} attacked validation images; test: ${test.clean.length} clean, ${test.attacked.length} attacked test images (l2 ${values.l2})`
    : `${folds}-fold cross-validation on ${fit.clean.length} clean, ${fit.attacked.length} attacked validation images (l2 ${values.l2}); no test image used`,
);
console.log(
  `each signal alone, AUC over all attacks: ${SIGNAL_NAMES.map(
    (n) =>
      `${n} ${rocAuc(
        measured.clean.map((c) => c.signals[n]),
        measured.attacked.map((a) => a.signals[n]),
      ).toFixed(3)}`,
  ).join(', ')}`,
);
console.log(
  `| signals | ${attacks.map((a) => `${a} (n ${measured.attacked.filter((x) => x.attack === a).length}) AUC / TPR@5%`).join(' | ')} | clean / attacked above the calibrated threshold |`,
);
console.log(`|---|${attacks.map(() => '---').join('|')}|---|`);
for (const [label, names] of Object.entries(candidates)) {
  const scored = test ? fitThenTest(names) : crossValidatedRun(names);
  const cells = attacks.map((attack) => {
    const scores = scored.attacked.filter((a) => a.attack === attack).map((a) => a.score);
    return `${rocAuc(scored.clean, scores).toFixed(3)} / ${pct(truePositiveRateAt(scored.clean, scores, 0.05).truePositiveRate)}`;
  });
  console.log(
    `| ${label} | ${cells.join(' | ')} | ${pct(scored.cleanAboveThreshold / scored.clean.length)} / ${pct(scored.attackedAboveThreshold / scored.attacked.length)} |`,
  );
}

/** The product's own cross-validation (signal-set-choice.ts); the threshold column is each fold's calibrated threshold. */
function crossValidatedRun(names: SignalName[]): HeldOutScores {
  return crossValidatedScores(
    { clean: fit.clean.map((c) => c.signals), attacked: fit.attacked.map((a) => ({ attack: a.attack, signals: a.signals })) },
    names,
    { folds, l2: Number(values.l2) },
  );
}

function pct(v: number): string {
  return `${(100 * v).toFixed(1)}%`;
}
