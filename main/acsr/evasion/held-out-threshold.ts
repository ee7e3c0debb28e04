/**
 * The evasion score's threshold, set on scores the model did not see. A logistic model scores its
 * own fitting images more confidently than new ones, so a threshold at the 5 % quantile of the
 * fitted clean scores flags more than 5 % of new clean images (Fashion-MNIST, nested
 * cross-validation on the validation split alone: 7.0-7.5 % of held-out clean images). The
 * threshold here is the quantile of the K-fold held-out clean scores (each image scored by a fit
 * on the other folds), and never below the fitted quantile: it can only flag fewer clean images.
 */
import { scoreEvasion } from './evasion-calibration.ts';
import type { EvasionCalibration, EvasionSignals, SignalName } from './evasion-calibration-schema.ts';
import { thresholdForFalsePositiveRate } from './roc.ts';
import { CHOICE_FOLDS, crossValidatedScores, type HeldOutScores, type LabelledSignals } from './signal-set-choice.ts';

export interface HeldOutThreshold {
  readonly threshold: number;
  readonly folds: number;
  /** over the pooled held-out scores, at this threshold */
  readonly heldOutFalsePositiveRate: number;
  readonly heldOutTruePositiveRate: number;
}

/**
 * Null when the data are too few to cross-validate (fewer clean or attacked images than twice the
 * folds). `heldOut`: the same signals' cross-validated scores when the signal-set choice already
 * computed them (same folds, same fits), so they are not fitted twice.
 */
export function heldOutThreshold(
  data: LabelledSignals,
  signals: readonly SignalName[],
  options: { falsePositiveRate: number; fittedThreshold: number; l2?: number; heldOut?: HeldOutScores },
): HeldOutThreshold | null {
  const folds = CHOICE_FOLDS;
  if (data.clean.length < 2 * folds || data.attacked.length < 2 * folds) return null;
  const held = options.heldOut ?? crossValidatedScores(data, signals, { folds, ...(options.l2 !== undefined ? { l2: options.l2 } : {}) });
  const threshold = Math.max(options.fittedThreshold, thresholdForFalsePositiveRate(held.clean, options.falsePositiveRate));
  return {
    threshold,
    folds,
    heldOutFalsePositiveRate: held.clean.filter((s) => s > threshold).length / held.clean.length,
    heldOutTruePositiveRate: held.attacked.filter((a) => a.score > threshold).length / held.attacked.length,
  };
}

/** The calibration with the held-out threshold, its rates on the fitting data recomputed at it, and how it was set. */
export function withHeldOutThreshold(
  calibration: EvasionCalibration,
  choice: HeldOutThreshold,
  fitting: { clean: readonly EvasionSignals[]; attacked: readonly EvasionSignals[] },
): EvasionCalibration {
  const rate = (list: readonly EvasionSignals[]) =>
    list.length === 0 ? 0 : list.filter((s) => scoreEvasion(calibration, s).score > choice.threshold).length / list.length;
  return {
    ...calibration,
    threshold: choice.threshold,
    fittedFalsePositiveRate: rate(fitting.clean),
    fittedTruePositiveRate: rate(fitting.attacked),
    thresholdChoice: {
      method: 'cross-validated',
      folds: choice.folds,
      heldOutFalsePositiveRate: choice.heldOutFalsePositiveRate,
      heldOutTruePositiveRate: choice.heldOutTruePositiveRate,
    },
  };
}
