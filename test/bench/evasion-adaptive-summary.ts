/**
 * The figures of evasion-adaptive.ts per attack and budget, and their markdown table. The
 * attacker's real success is the share of the images the classifier got right that end up both
 * misclassified and not flagged: a flagged attack is one the investigator is warned about.
 */
import type { EvasionSignals } from '../../main/acsr/evasion/evasion-signals.ts';
import { rocAuc, thresholdForFalsePositiveRate } from '../../main/acsr/evasion/roc.ts';

export interface FooledImage {
  /** index in t10k */
  readonly index: number;
  readonly label: number;
  readonly adversarialLabel: number;
  readonly score: number;
  readonly signals: EvasionSignals;
}

export interface AttackOutcome {
  readonly attack: string;
  readonly kind: 'plain' | 'adaptive';
  readonly epsilon: number;
  readonly images: number;
  /** images the undefended classifier gets right when clean */
  readonly cleanCorrect: number;
  /** of those, the ones the attack made wrong, with their evasion score */
  readonly fooled: readonly FooledImage[];
  /** attacked images (all of them) that ACSR purification brings back to the right label */
  readonly acsrCorrect: number;
  readonly dissimilarity: { mean: number; max: number };
}

export interface AttackSummary {
  readonly attack: string;
  readonly kind: 'plain' | 'adaptive';
  readonly epsilon: number;
  readonly fooled: number;
  /** fooled / clean-correct: success against the undefended classifier */
  readonly attackSuccess: number;
  /** fooled images against all clean test images (null when none was fooled) */
  readonly auc: number | null;
  /** shares of the fooled images flagged */
  readonly caughtAtCalibrated: number | null;
  readonly caughtAt5: number | null;
  /** fooled and not flagged, over clean-correct images: what the attacker really wins */
  readonly evadedAtCalibrated: number;
  readonly evadedAt5: number;
  readonly acsrAccuracy: number;
  /** means over the fooled images */
  readonly meanMaxSqueezeShift: number | null;
  readonly meanFlipCount: number | null;
  readonly meanLogitMargin: number | null;
  readonly dissimilarity: { mean: number; max: number };
}

export interface AdaptiveSummary {
  readonly clean: number;
  readonly cleanCorrect: number;
  readonly calibratedThreshold: number;
  readonly thresholdAt5: number;
  readonly falsePositiveRateAtCalibrated: number;
  readonly attacks: AttackSummary[];
}

export function summarise(cleanScores: readonly number[], outcomes: readonly AttackOutcome[], calibration: { threshold: number }): AdaptiveSummary {
  const thresholdAt5 = thresholdForFalsePositiveRate(cleanScores, 0.05);
  const above = (scores: readonly number[], threshold: number) => scores.filter((s) => s > threshold).length;
  const mean = (values: readonly number[]) => (values.length === 0 ? null : values.reduce((s, v) => s + v, 0) / values.length);
  return {
    clean: cleanScores.length,
    cleanCorrect: outcomes[0]?.cleanCorrect ?? 0,
    calibratedThreshold: calibration.threshold,
    thresholdAt5,
    falsePositiveRateAtCalibrated: above(cleanScores, calibration.threshold) / cleanScores.length,
    attacks: outcomes.map((o) => {
      const scores = o.fooled.map((f) => f.score);
      const n = scores.length;
      return {
        attack: o.attack,
        kind: o.kind,
        epsilon: o.epsilon,
        fooled: n,
        attackSuccess: n / o.cleanCorrect,
        auc: n === 0 ? null : rocAuc(cleanScores, scores),
        caughtAtCalibrated: n === 0 ? null : above(scores, calibration.threshold) / n,
        caughtAt5: n === 0 ? null : above(scores, thresholdAt5) / n,
        evadedAtCalibrated: (n - above(scores, calibration.threshold)) / o.cleanCorrect,
        evadedAt5: (n - above(scores, thresholdAt5)) / o.cleanCorrect,
        acsrAccuracy: o.acsrCorrect / o.images,
        meanMaxSqueezeShift: mean(o.fooled.map((f) => f.signals.maxSqueezeShift)),
        meanFlipCount: mean(o.fooled.map((f) => f.signals.flipCount)),
        meanLogitMargin: mean(o.fooled.map((f) => f.signals.logitMargin)),
        dissimilarity: o.dissimilarity,
      };
    }),
  };
}

export function largestAndMean(values: readonly number[]): { mean: number; max: number } {
  return { mean: values.reduce((s, v) => s + v, 0) / values.length, max: Math.max(...values) };
}

const pct = (v: number | null) => (v === null ? '-' : `${(100 * v).toFixed(1)} %`);
const num = (v: number | null, digits: number) => (v === null ? '-' : v.toFixed(digits));

export function adaptiveMarkdown(summary: AdaptiveSummary, data: string, seconds: number): string {
  const lines = [
    `# The evasion score against an adaptive attacker`,
    '',
    `${data}: ${summary.clean} clean images, ${summary.cleanCorrect} classified right. Calibrated threshold ${summary.calibratedThreshold.toFixed(4)} ` +
      `(flags ${pct(summary.falsePositiveRateAtCalibrated)} of these clean images); threshold for 5 % false positives on them ${summary.thresholdAt5.toFixed(4)}. ` +
      `Run time ${(seconds / 60).toFixed(1)} min.`,
    '',
    '"fooled": share of the right-classified images the attack makes wrong (undefended classifier). "caught": share of the fooled images flagged. ' +
      '"evaded": share of the right-classified images that end up wrong and NOT flagged (the attacker\'s real success). "ACSR accuracy": all attacked images, after purification.',
    '',
    '| attack | budget | fooled | AUC | caught, calibrated threshold | caught, 5 % FPR | evaded, calibrated threshold | evaded, 5 % FPR | ACSR accuracy | mean max shift | mean flips | mean margin | dissimilarity mean / max |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const a of summary.attacks) {
    lines.push(
      `| ${a.kind === 'plain' ? 'BIM' : 'adaptive BIM'} | ${a.epsilon} | ${pct(a.attackSuccess)} (${a.fooled}) | ${num(a.auc, 3)} | ${pct(a.caughtAtCalibrated)} | ${pct(a.caughtAt5)} | ` +
        `${pct(a.evadedAtCalibrated)} | ${pct(a.evadedAt5)} | ${pct(a.acsrAccuracy)} | ${num(a.meanMaxSqueezeShift, 2)} | ${num(a.meanFlipCount, 2)} | ${num(a.meanLogitMargin, 2)} | ` +
        `${a.dissimilarity.mean.toFixed(3)} / ${a.dissimilarity.max.toFixed(3)} |`,
    );
  }
  return `${lines.join('\n')}\n`;
}
