/**
 * The evasion score's signals in plain words, with their numbers: what the item view says about
 * "was this image made to fool the filter?". Each squeezer shift is how far the filter's class
 * probabilities moved (0: not at all, 2: completely) when the image was simplified that way.
 */
import type { RunEvasion } from '../../main/ipc/contract/index.ts';

type Signal = RunEvasion['signals'][number];

const SIMPLIFICATIONS: Record<string, string> = {
  purificationShift: 'after purification',
  jpegShift: 'after JPEG compression',
  medianShift: 'after a slight blur (3 × 3 median filter)',
  bit1Shift: 'after reducing the image to black and white',
  bit4Shift: 'after reducing the image to 16 shades per colour',
  bit3Shift: 'after reducing the image to 8 shades per colour',
  bit2Shift: 'after reducing the image to 4 shades per colour',
};

const FLIPS: Record<string, string> = {
  purificationFlip: 'purification',
  jpegFlip: 'JPEG compression',
  medianFlip: 'the slight blur',
  bit1Flip: 'black and white',
  bit4Flip: '16 shades',
  bit3Flip: '8 shades',
  bit2Flip: '4 shades',
};

function howMuch(shift: number): string {
  if (shift >= 1) return 'a lot';
  if (shift >= 0.3) return 'noticeably';
  if (shift >= 0.05) return 'a little';
  return 'hardly at all';
}

/** One sentence per signal, e.g. "The filter's verdict changed a lot after purification (0.84 of at most 2)." */
export function signalSentence(signal: Signal): string {
  const { name, value } = signal;
  if (name in SIMPLIFICATIONS) return `The filter's verdict changed ${howMuch(value)} ${SIMPLIFICATIONS[name]} (${value.toFixed(2)} of at most 2).`;
  if (name === 'maxSqueezeShift') return `The largest of these changes was ${value.toFixed(2)} of at most 2.`;
  if (name === 'flipCount') {
    const count = Math.round(value);
    return count === 0
      ? "The filter's answer stayed the same under all five simplifications."
      : `The filter's answer changed under ${count} of the five simplifications (purification, JPEG, blur, black and white, 16 shades).`;
  }
  if (name in FLIPS) return value >= 0.5 ? `The filter's answer changed after ${FLIPS[name]}.` : `The filter's answer stayed the same after ${FLIPS[name]}.`;
  if (name === 'noiseLevel' || name === 'noiseUpperQuartile') {
    const which = name === 'noiseLevel' ? 'Half' : 'A quarter';
    return `${which} of the image's pixels differ from their neighbourhood by at least ${(value * 255).toFixed(1)} of 255 shades (fine-grain noise, which some attacks raise on nearly every pixel).`;
  }
  if (name === 'logitMargin') {
    return value < 2
      ? `The filter only narrowly preferred its answer over the next one (margin ${value.toFixed(2)}): attacks tend to push an image just past the edge.`
      : `The filter clearly preferred its answer over the next one (margin ${value.toFixed(2)}).`;
  }
  if (name === 'latentOutlier') {
    return `The image's features lie ${value.toFixed(1)} spreads from the typical distance to the nearest group of reference images${value > 3 ? ': unusually far' : ''}.`;
  }
  return `${name}: ${value.toFixed(3)}.`;
}

/** How strongly a signal pushed the score, in words. A contribution is in log-odds: 1 roughly multiplies the odds by 2.7. */
export function weightWords(contribution: number): string {
  const size = Math.abs(contribution);
  const strength = size >= 2 ? 'strongly' : size >= 0.5 ? 'somewhat' : 'barely';
  return contribution >= 0 ? `${strength} towards evasion` : `${strength} against evasion`;
}

/** A signal "fired" when it pushed the score towards evasion by a noticeable amount. */
export const FIRED_CONTRIBUTION = 0.5;

export function signalsByWeight(evasion: RunEvasion): { fired: Signal[]; others: Signal[] } {
  const sorted = [...evasion.signals].sort((a, b) => b.contribution - a.contribution);
  return { fired: sorted.filter((s) => s.contribution >= FIRED_CONTRIBUTION), others: sorted.filter((s) => s.contribution < FIRED_CONTRIBUTION) };
}

export function percent(fraction: number): string {
  return `${(fraction * 100).toFixed(fraction < 0.1 ? 1 : 0).replace(/\.0$/, '')}%`;
}
