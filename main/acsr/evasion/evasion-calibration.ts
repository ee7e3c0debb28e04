/**
 * The evasion score's calibration as a bundle keeps it (manifest section `evasionCalibration`),
 * how it is fitted from signals of clean and attacked validation images, and how one image's
 * signals become a score. The score is the fitted probability that the image was attacked; the
 * threshold was set on the fitting data's clean images for the stated false-positive rate.
 */
import { fitLogistic, logisticTerms, sigmoid } from './logistic-regression.ts';
import { thresholdForFalsePositiveRate } from './roc.ts';
import { CALIBRATION_VERSION, type EvasionCalibration, type EvasionSignals, type SignalName } from './evasion-calibration-schema.ts';
import { signalVector } from './evasion-signals.ts';

export { type EvasionCalibration, evasionCalibrationSchema } from './evasion-calibration-schema.ts';

export const DEFAULT_FALSE_POSITIVE_RATE = 0.05;

/**
 * The signals a fit uses unless told otherwise (the score of calibration format 2): every
 * squeezer's shift, their maximum, the logit margin and the flip count. `acsr calibrate-evasion`
 * chooses between this set and every signal by cross-validation on its fitting data
 * (signal-set-choice.ts). Left out of both: latentOutlier (no separation with the robust
 * extractor, AUC about 0.5). See docs/evasion-detection.md.
 */
export const DEFAULT_SCORE_SIGNALS: readonly SignalName[] = [
  'purificationShift',
  'jpegShift',
  'medianShift',
  'bit1Shift',
  'bit4Shift',
  'maxSqueezeShift',
  'logitMargin',
  'flipCount',
];

/** What the fit is given besides the signals: everything the record names. */
export type CalibrationContext = Pick<EvasionCalibration, 'model' | 'purification' | 'jpegQuality' | 'clusterDistances' | 'data'>;

export interface CalibrationFitOptions {
  readonly falsePositiveRate?: number;
  readonly l2?: number;
  /** the signals to fit on, in this order */
  readonly signals?: readonly SignalName[];
}

export function fitEvasionCalibration(
  clean: readonly EvasionSignals[],
  attacked: readonly EvasionSignals[],
  context: CalibrationContext,
  options: CalibrationFitOptions = {},
): EvasionCalibration {
  const target = options.falsePositiveRate ?? DEFAULT_FALSE_POSITIVE_RATE;
  const names = [...(options.signals ?? DEFAULT_SCORE_SIGNALS)];
  if (names.length === 0 || new Set(names).size !== names.length) throw new RangeError(`the score needs distinct signals, got ${names.join(', ')}`);
  const vector = (s: EvasionSignals) => signalVector(s, names);
  const rows = [...clean, ...attacked].map(vector);
  const labels: (0 | 1)[] = [...clean.map(() => 0 as const), ...attacked.map(() => 1 as const)];
  const model = fitLogistic(rows, labels, options.l2 !== undefined ? { l2: options.l2 } : {});
  const scoreOf = (row: readonly number[]) => sigmoid(logisticTerms(model, row).logOdds);
  const cleanScores = clean.map((s) => scoreOf(vector(s)));
  const attackedScores = attacked.map((s) => scoreOf(vector(s)));
  const threshold = thresholdForFalsePositiveRate(cleanScores, target);
  const rate = (scores: number[]) => (scores.length === 0 ? 0 : scores.filter((s) => s > threshold).length / scores.length);
  return {
    version: CALIBRATION_VERSION,
    signals: names,
    weights: model.weights,
    bias: model.bias,
    means: model.means,
    scales: model.scales,
    l2: model.l2,
    threshold,
    falsePositiveTarget: target,
    fittedFalsePositiveRate: rate(cleanScores),
    fittedTruePositiveRate: rate(attackedScores),
    ...context,
  };
}

export interface EvasionScore {
  /** the fitted probability that the image was made to evade the classifier */
  readonly score: number;
  readonly threshold: number;
  readonly suspected: boolean;
  readonly falsePositiveTarget: number;
  /** each signal's value and its share of the log-odds (positive: towards "attacked") */
  readonly signals: { name: string; value: number; contribution: number }[];
}

export function scoreEvasion(calibration: EvasionCalibration, signals: EvasionSignals): EvasionScore {
  const values = calibration.signals.map((name) => signals[name]);
  const { logOdds, contributions } = logisticTerms(calibration, values);
  const score = sigmoid(logOdds);
  return {
    score,
    threshold: calibration.threshold,
    suspected: score > calibration.threshold,
    falsePositiveTarget: calibration.falsePositiveTarget,
    signals: calibration.signals.map((name, j) => ({ name, value: values[j], contribution: contributions[j] })),
  };
}

/** Whether purification ran at the settings the calibration was fitted at (else the score is less reliable). */
export function calibratedSettingsDiffer(calibration: EvasionCalibration, used: { tikhonovLambda: number; cscLambda: number; maxIterations: number }): boolean {
  const c = calibration.purification;
  return c.tikhonovLambda !== used.tikhonovLambda || c.cscLambda !== used.cscLambda || c.maxIterations !== used.maxIterations;
}
