/**
 * A purification run's evasion score in a report, in plain words: the headline (score against
 * threshold and what it means), and one row per signal (what it measures, its value, and how far
 * it pushed the score). Shared by the HTML and PDF reports so both say the same.
 */
import type { EvasionRecord } from '../records.ts';

const MEANINGS: Record<string, string> = {
  purificationShift: "change of the filter's verdict after purification (0 to 2)",
  jpegShift: "change of the filter's verdict after JPEG compression (0 to 2)",
  medianShift: "change of the filter's verdict after a 3 x 3 median blur (0 to 2)",
  bit1Shift: "change of the filter's verdict in black and white (0 to 2)",
  bit4Shift: "change of the filter's verdict at 16 shades per colour (0 to 2)",
  bit3Shift: "change of the filter's verdict at 8 shades per colour (0 to 2)",
  bit2Shift: "change of the filter's verdict at 4 shades per colour (0 to 2)",
  maxSqueezeShift: 'the largest change after purification, JPEG, the median blur, black and white or 16 shades (0 to 2)',
  flipCount: "how many of five simplifications (purification, JPEG, median blur, black and white, 16 shades) changed the filter's answer",
  logitMargin: 'how clearly the filter preferred its answer over the next (small: just past the edge)',
  latentOutlier: 'how far the image lies from its nearest group of reference images (robust spreads)',
  purificationFlip: "the filter's answer changed after purification (1) or not (0)",
  jpegFlip: "the filter's answer changed after JPEG compression (1) or not (0)",
  medianFlip: "the filter's answer changed after the median blur (1) or not (0)",
  bit1Flip: "the filter's answer changed in black and white (1) or not (0)",
  bit4Flip: "the filter's answer changed at 16 shades (1) or not (0)",
  bit3Flip: "the filter's answer changed at 8 shades (1) or not (0)",
  bit2Flip: "the filter's answer changed at 4 shades (1) or not (0)",
  noiseLevel: "the image's fine-grain noise: the median difference of a pixel from its 3 x 3 neighbourhood (0 to 1)",
  noiseUpperQuartile: "the image's fine-grain noise: the difference from the 3 x 3 neighbourhood exceeded by a quarter of the pixels (0 to 1)",
};

/** Contributions of at least this many log-odds count as a signal that fired. */
const FIRED = 0.5;

export const NO_EVASION_CHECK = 'no evasion check for this bundle (not calibrated to give an evasion score)';

export function evasionHeadline(evasion: EvasionRecord | undefined): string {
  if (!evasion) return NO_EVASION_CHECK;
  const verdict = evasion.suspected ? 'SUSPECTED EVASION: the image was probably altered to fool the content filter' : 'no sign of evasion';
  const rate = `${(evasion.falsePositiveTarget * 100).toFixed(1).replace(/\.0$/, '')}%`;
  const caveat = evasion.settingsDiffer ? '; purified at other settings than calibrated, so the threshold may not hold its rate' : '';
  return `score ${evasion.score.toFixed(3)}, threshold ${evasion.threshold.toFixed(3)} (flags about ${rate} of ordinary images): ${verdict}${caveat}`;
}

export interface EvasionSignalRow {
  signal: string;
  meaning: string;
  value: string;
  /** log-odds added to the score, signed */
  contribution: string;
  fired: boolean;
}

/** Strongest push towards evasion first. */
export function evasionSignalRows(evasion: EvasionRecord): EvasionSignalRow[] {
  return [...evasion.signals]
    .sort((a, b) => b.contribution - a.contribution)
    .map((s) => ({
      signal: s.name,
      meaning: MEANINGS[s.name] ?? s.name,
      value: Number.isInteger(s.value) ? String(s.value) : s.value.toFixed(3),
      contribution: `${s.contribution >= 0 ? '+' : '-'}${Math.abs(s.contribution).toFixed(2)}`,
      fired: s.contribution >= FIRED,
    }));
}

export const EVASION_TABLE_NOTE =
  'Contribution: how far each signal pushed the score, in log-odds (+1 multiplies the odds of evasion by about 2.7); marked rows pushed it towards evasion.';
