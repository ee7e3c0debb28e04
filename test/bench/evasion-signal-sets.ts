/**
 * Compares signal sets for the evasion score offline, from the signals dumped by
 * `acsr calibrate-evasion --signals-out` (validation images: the fit) and
 * `test/bench/evasion-roc.ts --signals-out` (held-out test images: the measurement). Each set is
 * fitted exactly as the calibration fits it (fitEvasionCalibration) and scored on the test images:
 * per attack AUC and true-positive rate at 5 % false positives (threshold set on the test clean
 * images), plus the share of test clean and attacked images above the calibrated threshold.
 *
 *   node --import tsx test/bench/evasion-signal-sets.ts --fit VAL.json --test TEST.json [--sets a+b,c;d] [--l2 1]
 */
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { fitEvasionCalibration, scoreEvasion } from '../../main/acsr/evasion/evasion-calibration.ts';
import type { EvasionCalibration } from '../../main/acsr/evasion/evasion-calibration-schema.ts';
import { type EvasionSignals, SIGNAL_NAMES, type SignalName } from '../../main/acsr/evasion/evasion-signals.ts';
import { rocAuc, truePositiveRateAt } from '../../main/acsr/evasion/roc.ts';

interface Dump {
  clean: { name: string; signals: EvasionSignals }[];
  attacked: { attack: string; name: string; signals: EvasionSignals }[];
}

const { values } = parseArgs({
  options: { fit: { type: 'string' }, test: { type: 'string' }, sets: { type: 'string' }, l2: { type: 'string', default: '1' } },
});
if (!values.fit || !values.test) {
  console.error('usage: evasion-signal-sets.ts --fit VALIDATION_SIGNALS.json --test TEST_SIGNALS.json [--sets "a,b;c"] [--l2 1]');
  process.exit(2);
}
const fit = JSON.parse(await readFile(values.fit, 'utf8')) as Dump;
const test = JSON.parse(await readFile(values.test, 'utf8')) as Dump;

const squeezeShifts: SignalName[] = ['purificationShift', 'jpegShift', 'medianShift', 'bit1Shift', 'bit4Shift'];
const flips: SignalName[] = ['purificationFlip', 'jpegFlip', 'medianFlip', 'bit1Flip', 'bit4Flip'];
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
      'all but latentOutlier': SIGNAL_NAMES.filter((n) => n !== 'latentOutlier'),
      all: [...SIGNAL_NAMES],
    };
for (const set of Object.values(candidates)) {
  for (const name of set) if (!(SIGNAL_NAMES as readonly string[]).includes(name)) throw new Error(`unknown signal ${name}`);
}

const attacks = [...new Set(test.attacked.map((a) => a.attack))];
const context = {
  model: { id: 'offline', weightSha256: 'offline' },
  purification: { tikhonovLambda: 0, cscLambda: 0, maxIterations: 1 },
  jpegQuality: 50,
  clusterDistances: {},
  data: { sha256: '0'.repeat(64), validationSha256: '0'.repeat(64), clean: fit.clean.length, attacked: {} },
};
console.log(
  `fit: ${fit.clean.length} clean, ${fit.attacked.length} attacked validation images; test: ${test.clean.length} clean, ${test.attacked.length} attacked test images (l2 ${values.l2})`,
);
console.log(
  `each signal alone on test, AUC over all attacks: ${SIGNAL_NAMES.map(
    (n) =>
      `${n} ${rocAuc(
        test.clean.map((c) => c.signals[n]),
        test.attacked.map((a) => a.signals[n]),
      ).toFixed(3)}`,
  ).join(', ')}`,
);
console.log(
  `| signals | ${attacks.map((a) => `${a} (n ${test.attacked.filter((x) => x.attack === a).length}) AUC / TPR@5%`).join(' | ')} | test clean / attacked above calibrated threshold |`,
);
console.log(`|---|${attacks.map(() => '---').join('|')}|---|`);
for (const [label, names] of Object.entries(candidates)) {
  const calibration: EvasionCalibration = fitEvasionCalibration(
    fit.clean.map((c) => c.signals),
    fit.attacked.map((a) => a.signals),
    context,
    { signals: names, l2: Number(values.l2) },
  );
  const score = (s: EvasionSignals) => scoreEvasion(calibration, s).score;
  const clean = test.clean.map((c) => score(c.signals));
  const cells = attacks.map((attack) => {
    const scores = test.attacked.filter((a) => a.attack === attack).map((a) => score(a.signals));
    return `${rocAuc(clean, scores).toFixed(3)} / ${pct(truePositiveRateAt(clean, scores, 0.05).truePositiveRate)}`;
  });
  const above = (scores: number[]) => pct(scores.filter((s) => s > calibration.threshold).length / scores.length);
  console.log(`| ${label} | ${cells.join(' | ')} | ${above(clean)} / ${above(test.attacked.map((a) => score(a.signals)))} |`);
}

function pct(v: number): string {
  return `${(100 * v).toFixed(1)}%`;
}
