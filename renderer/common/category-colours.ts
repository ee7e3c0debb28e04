/**
 * Each category's colour and short code, so that categories tell apart at a glance and at every
 * thumbnail size. The colours are Okabe and Ito's palette, distinguishable with the common forms
 * of colour blindness; the code is always shown beside the colour, never the colour alone.
 */
import type { CategoryCode } from '../../main/ipc/contract/index.ts';

export const CATEGORY_COLOURS: Readonly<Record<CategoryCode, { background: string; text: string }>> = {
  'CAT-0': { background: '#9e9e9e', text: '#000000' }, // grey: no judgement made
  'CAT-1': { background: '#D55E00', text: '#000000' }, // vermillion: the most serious
  'CAT-2': { background: '#E69F00', text: '#000000' }, // orange
  'CAT-3': { background: '#CC79A7', text: '#000000' }, // reddish purple
  'CAT-4': { background: '#56B4E9', text: '#000000' }, // sky blue
  'CAT-5': { background: '#009E73', text: '#000000' }, // bluish green
};

/** "CAT-3" on tiles wide enough, "C3" on small ones: never cut to "C…". */
export function categoryCodeFor(code: CategoryCode, tileSize: number): string {
  return tileSize >= 144 ? code : `C${code.slice(4)}`;
}
