/**
 * The grid's search and order, done where the items are (the service), so the renderer receives
 * the list ready to draw: search by file name or original path, any case; sort by item number,
 * name, size, date imported, one class's filter score, or the evasion score of the newest
 * purification. Items without a score go last whichever way a score sort runs; ties keep
 * item-number order, so the order is the same on every call.
 */
import type { ItemSummary } from '../case/records.ts';
import { sortByScore } from '../case/score-order.ts';
import type { EvidenceSort, EvidenceSummary } from '../ipc/contract/index.ts';

export function matchesSearch(item: Pick<ItemSummary, 'originalName' | 'originalPath'>, search: string | undefined): boolean {
  if (!search) return true;
  const wanted = search.toLocaleLowerCase();
  return item.originalName.toLocaleLowerCase().includes(wanted) || item.originalPath.toLocaleLowerCase().includes(wanted);
}

const NAME_ORDER = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });

export function sortEvidence(items: EvidenceSummary[], importedAt: (itemId: number) => string, sort: EvidenceSort | undefined): EvidenceSummary[] {
  if (!sort || (sort.by === 'number' && !sort.descending)) return items;
  const direction = sort.descending ? -1 : 1;
  const itemId = (item: EvidenceSummary) => item.itemId;
  if (sort.by === 'score') {
    const className = sort.className!;
    return sortByScore(items, itemId, (item) => item.filterScores?.[className], direction);
  }
  if (sort.by === 'evasion') return sortByScore(items, itemId, (item) => item.evasion?.score, direction);
  const compare = {
    number: (a: EvidenceSummary, b: EvidenceSummary) => a.itemId - b.itemId,
    name: (a: EvidenceSummary, b: EvidenceSummary) => NAME_ORDER.compare(a.originalName, b.originalName),
    size: (a: EvidenceSummary, b: EvidenceSummary) => a.sizeBytes - b.sizeBytes,
    date: (a: EvidenceSummary, b: EvidenceSummary) => importedAt(a.itemId).localeCompare(importedAt(b.itemId)),
  }[sort.by];
  return [...items].sort((a, b) => direction * compare(a, b) || a.itemId - b.itemId);
}
