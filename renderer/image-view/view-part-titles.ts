/**
 * What each panel of the image view is called on screen, and how its display scaling reads. The
 * gain itself comes with the rendered part (the main side applies it), so the words can never
 * state another factor than the one the pixels were given.
 */
import type { ViewPart } from '../../main/ipc/contract/index.ts';

export const VIEW_PART_TITLES: Readonly<Record<ViewPart, string>> = {
  original: 'Original x',
  low: 'Low frequency x_low',
  high: 'High frequency x_high',
  reconstructedHigh: 'Reconstructed high D·y',
  purified: 'Purified x_pur',
  difference: 'Difference x_pur − x',
};

/** The quantity each signed part shows, in the notation of the method. */
const SIGNED_QUANTITY: Readonly<Partial<Record<ViewPart, string>>> = {
  high: 'x_high',
  reconstructedHigh: 'D·y',
  difference: '(x_pur − x)',
};

/** Unscaled parts: as the file stores them, or as stage iii computed them. */
const UNSCALED: Readonly<Record<ViewPart, string>> = {
  original: 'as stored',
  low: 'as computed',
  high: 'as computed',
  reconstructedHigh: 'as computed',
  purified: 'as stored',
  difference: 'as computed',
};

/** 'x_high ×4 + 0.5' for a signed part drawn with gain 4; 'as stored' / 'as computed' for a part drawn as it is. */
export function viewPartScaling(part: ViewPart, gain: number | null): string {
  const quantity = SIGNED_QUANTITY[part];
  return gain === null || quantity === undefined ? UNSCALED[part] : `${quantity} ×${gain} + 0.5`;
}
