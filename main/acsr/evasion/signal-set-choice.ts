/**
 * Which signals the evasion score is fitted on, chosen from the fitting data itself: K-fold
 * cross-validation over the validation images (never test images). Each candidate set is fitted
 * on K - 1 folds and scores the held-out fold; the held-out scores are pooled, and a set's merit
 * is the share of attacked images caught at the stated false-positive rate, averaged over the
 * attacks (each attack counts the same, however many of its attempts succeeded). The larger set
 * must do better by more than one held-out attacked image per attack on average to be chosen:
 * with few fitting images, more signals mostly fit noise.
 *
 * Why a choice at all: on Fashion-MNIST every squeezer carries signal and the larger set catches
 * far more of the stronger FGSM; on photos the bit-depth squeezers point the wrong way, and a
 * calibration on a few dozen wallpapers cannot afford nineteen weights.
 */
import { DEFAULT_SCORE_SIGNALS, fitEvasionCalibration, scoreEvasion } from './evasion-calibration.ts';
import { type EvasionCalibration, type EvasionSignals, SIGNAL_NAMES, type SignalName } from './evasion-calibration-schema.ts';
import { truePositiveRateAt } from './roc.ts';

/** The score of calibration format 2: the five squeezer shifts, their maximum, the margin and the flip count. */
export const COMPACT_SIGNALS: readonly SignalName[] = DEFAULT_SCORE_SIGNALS;

/** Every signal but latentOutlier (no separation with the robust extractor, AUC about 0.5). */
export const FULL_SIGNALS: readonly SignalName[] = SIGNAL_NAMES.filter((name) => name !== 'latentOutlier');

export const SIGNAL_SET_CANDIDATES: readonly { readonly name: string; readonly signals: readonly SignalName[] }[] = [
  { name: 'compact', signals: COMPACT_SIGNALS },
  { name: 'full', signals: FULL_SIGNALS },
];

export const CHOICE_FOLDS = 5;

export interface LabelledSignals {
  readonly clean: readonly EvasionSignals[];
  readonly attacked: readonly { readonly attack: string; readonly signals: EvasionSignals }[];
}

export interface HeldOutScores {
  readonly clean: number[];
  readonly attacked: { attack: string; score: number }[];
  /** how many held-out images lay above their own fold's calibrated threshold */
  cleanAboveThreshold: number;
  attackedAboveThreshold: number;
}

export interface CandidateMerit {
  readonly name: string;
  readonly signals: readonly SignalName[];
  /** per attack: the share of its held-out attacked images caught at the false-positive rate */
  readonly caught: Record<string, number>;
  readonly meanCaught: number;
  /** the pooled held-out scores the merit was measured on (the held-out threshold reuses them) */
  readonly heldOut: HeldOutScores;
}

export interface SignalSetChoice {
  readonly chosen: CandidateMerit;
  readonly candidates: readonly CandidateMerit[];
  readonly folds: number;
  readonly falsePositiveRate: number;
}

/** Held-out scores of one signal set: K folds interleaved over the images (the validation split interleaves classes). */
export function crossValidatedScores(
  data: LabelledSignals,
  signals: readonly SignalName[],
  options: { folds?: number; l2?: number; falsePositiveRate?: number } = {},
): HeldOutScores {
  const folds = options.folds ?? CHOICE_FOLDS;
  const pooled: HeldOutScores = { clean: [], attacked: [], cleanAboveThreshold: 0, attackedAboveThreshold: 0 };
  const part = <T>(list: readonly T[], fold: number, held: boolean) => list.filter((_, i) => (i % folds === fold) === held);
  for (let fold = 0; fold < folds; fold++) {
    const calibration = fitOffline(
      part(data.clean, fold, false),
      part(data.attacked, fold, false).map((a) => a.signals),
      signals,
      options,
    );
    const held = scoreHeldOut(calibration, { clean: part(data.clean, fold, true), attacked: part(data.attacked, fold, true) });
    pooled.clean.push(...held.clean);
    pooled.attacked.push(...held.attacked);
    pooled.cleanAboveThreshold += held.cleanAboveThreshold;
    pooled.attackedAboveThreshold += held.attackedAboveThreshold;
  }
  return pooled;
}

/**
 * The candidate to fit on, or null when the data are too few to cross-validate (fewer clean or
 * attacked images than twice the folds): then the compact set is used.
 */
export function chooseSignalSet(data: LabelledSignals, options: { falsePositiveRate: number; l2?: number }): SignalSetChoice | null {
  const folds = CHOICE_FOLDS;
  if (data.clean.length < 2 * folds || data.attacked.length < 2 * folds) return null;
  const attacks = [...new Set(data.attacked.map((a) => a.attack))];
  const candidates = SIGNAL_SET_CANDIDATES.map(({ name, signals }): CandidateMerit => {
    const scores = crossValidatedScores(data, signals, { folds, ...(options.l2 !== undefined ? { l2: options.l2 } : {}) });
    const caught = Object.fromEntries(
      attacks.map((attack) => [
        attack,
        truePositiveRateAt(
          scores.clean,
          scores.attacked.filter((a) => a.attack === attack).map((a) => a.score),
          options.falsePositiveRate,
        ).truePositiveRate,
      ]),
    );
    return { name, signals, caught, meanCaught: Object.values(caught).reduce((sum, v) => sum + v, 0) / attacks.length, heldOut: scores };
  });
  const [compact, full] = candidates;
  // one held-out attacked image per attack, on average, as a share of that attack's images
  const margin = attacks.reduce((sum, attack) => sum + 1 / data.attacked.filter((a) => a.attack === attack).length, 0) / attacks.length;
  const chosen = full.meanCaught > compact.meanCaught + margin ? full : compact;
  return { chosen, candidates, folds, falsePositiveRate: options.falsePositiveRate };
}

/**
 * A calibration fitted on stored signals alone, for comparing signal sets: the record fields a
 * product calibration carries (model, purification, fitting data) are placeholders here.
 */
export function fitOffline(
  clean: readonly EvasionSignals[],
  attacked: readonly EvasionSignals[],
  signals: readonly SignalName[],
  options: { l2?: number; falsePositiveRate?: number } = {},
): EvasionCalibration {
  return fitEvasionCalibration(clean, attacked, OFFLINE_CONTEXT, {
    signals,
    ...(options.l2 !== undefined ? { l2: options.l2 } : {}),
    ...(options.falsePositiveRate !== undefined ? { falsePositiveRate: options.falsePositiveRate } : {}),
  });
}

/** Scores of images a calibration was not fitted on, and how many lie above its threshold. */
export function scoreHeldOut(calibration: EvasionCalibration, data: LabelledSignals): HeldOutScores {
  const clean = data.clean.map((s) => scoreEvasion(calibration, s).score);
  const attacked = data.attacked.map((a) => ({ attack: a.attack, score: scoreEvasion(calibration, a.signals).score }));
  return {
    clean,
    attacked,
    cleanAboveThreshold: clean.filter((score) => score > calibration.threshold).length,
    attackedAboveThreshold: attacked.filter((a) => a.score > calibration.threshold).length,
  };
}

const OFFLINE_CONTEXT = {
  model: { id: 'offline', weightSha256: 'offline' },
  purification: { tikhonovLambda: 0, cscLambda: 0, maxIterations: 1 },
  jpegQuality: 50,
  clusterDistances: {},
  data: { sha256: '0'.repeat(64), validationSha256: '0'.repeat(64), clean: 1, attacked: {} },
};
