/**
 * What each panel of the image view is called on screen, and how its display scaling reads:
 * plain words first ("Fine detail only"), the method's notation (x_high) in the tooltip for those
 * who know the paper. The gain itself comes with the rendered part (the main side applies it), so
 * the words can never state another factor than the one the pixels were given.
 */
import type { ViewPart } from '../../main/ipc/contract/index.ts';

export const VIEW_PART_TITLES: Readonly<Record<ViewPart, string>> = {
  original: 'Original',
  low: 'Fine detail removed',
  high: 'Fine detail only',
  reconstructedHigh: 'Fine detail rebuilt',
  purified: 'Purified',
  difference: 'What purification changed',
};

/** The method's notation and what the part is, for the tooltip. */
export const VIEW_PART_NOTATION: Readonly<Record<ViewPart, string>> = {
  original: 'x: the evidence image as stored',
  low: 'x_low: the low-frequency part (Tikhonov filter)',
  high: 'x_high = x − x_low: the high-frequency part, where an attack hides',
  reconstructedHigh: "D·y: x_high rebuilt by sparse coding with the chosen cluster's dictionary",
  purified: 'x_pur = x_low + D·y: the purified image',
  difference: 'x_pur − x: the change purification made',
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

/** 'brightened ×4 around mid-grey' for a signed part drawn with gain 4; 'as stored' / 'as computed' for a part drawn as it is. */
export function viewPartScaling(part: ViewPart, gain: number | null): string {
  return gain === null || SIGNED_QUANTITY[part] === undefined ? UNSCALED[part] : `brightened ×${gain} around mid-grey`;
}

/** The same scaling in the method's notation ('x_high ×4 + 0.5'), for the tooltip. */
export function viewPartScalingNotation(part: ViewPart, gain: number | null): string {
  const quantity = SIGNED_QUANTITY[part];
  return gain === null || quantity === undefined ? UNSCALED[part] : `${quantity} ×${gain} + 0.5`;
}
