/** Hash list matches as people read them: grouped by item, and one line per match. */
import { KIND_LABEL } from '../triage/hash-kinds.ts';
import type { HashMatchRecord } from './records.ts';

/** itemId -> its matches (none: an empty list). */
export function hashMatchesByItem(matches: readonly HashMatchRecord[]): (itemId: number) => HashMatchRecord[] {
  const byItem = new Map<number, HashMatchRecord[]>();
  for (const match of matches) {
    const list = byItem.get(match.itemId);
    if (list) list.push(match);
    else byItem.set(match.itemId, [match]);
  }
  return (itemId) => byItem.get(itemId) ?? [];
}

/** How the item matched: "exact MD5" or "PDQ, 12 bits apart (mirrored)". */
export function describeMatchKind(match: Pick<HashMatchRecord, 'kind' | 'distance' | 'variant'>): string {
  if (match.kind !== 'pdq') return `exact ${KIND_LABEL[match.kind]}`;
  const variant = match.variant && match.variant !== 'original' ? ` (${VARIANT_WORDS[match.variant]})` : '';
  return `PDQ, ${match.distance} bit${match.distance === 1 ? '' : 's'} apart${variant}`;
}

/** "list 'known' line 4, category CAT-2: PDQ, 12 bits apart (mirrored), source ..." */
export function describeHashMatch(match: HashMatchRecord): string {
  return `list '${match.listName}' line ${match.line}, category ${match.category ?? 'none'}: ${describeMatchKind(match)}${match.source ? `, source ${match.source}` : ''}`;
}

/** The rotation or mirror of the item that matched, in words. */
export const VARIANT_WORDS: Record<NonNullable<HashMatchRecord['variant']>, string> = {
  original: 'as it is',
  rotate90: 'rotated a quarter turn',
  rotate180: 'rotated a half turn',
  rotate270: 'rotated three quarter turns',
  // Measured on a photo mirrored with sharp: flop() matches through flipY, flip() through flipX.
  flipX: 'mirrored top to bottom',
  flipY: 'mirrored left to right',
  flipPlus1: 'mirrored across a diagonal',
  flipMinus1: 'mirrored across the other diagonal',
};
