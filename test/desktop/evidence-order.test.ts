/**
 * The grid's order as the service gives it: the sort request the contract accepts, and the evasion
 * score order (highest first, items without a score last whichever way, ties by item number).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { evidenceSortSchema, type EvidenceSummary } from '../../main/ipc/contract/index.ts';
import { sortEvidence } from '../../main/workstation/evidence-order.ts';

function item(itemId: number, evasionScore: number | null): EvidenceSummary {
  return {
    itemId,
    originalName: `photo-${itemId}.jpg`,
    mediaType: 'image/jpeg',
    width: 64,
    height: 48,
    sizeBytes: 1000 + itemId,
    sha256: itemId.toString(16).padStart(64, '0'),
    pdqHash: '0'.repeat(64),
    category: null,
    tags: [],
    purificationRuns: evasionScore === null ? 0 : 1,
    verdictBefore: null,
    verdictAfter: null,
    hashMatch: null,
    nearDuplicates: null,
    filterScores: null,
    evasion: evasionScore === null ? null : { score: evasionScore, threshold: 0.5, suspected: evasionScore > 0.5 },
  };
}

// Item numbers deliberately out of score order, with a tie (2 and 5) and two unscored items (3, 6).
const ITEMS = [item(1, 0.2), item(2, 0.7), item(3, null), item(4, 0.95), item(5, 0.7), item(6, null), item(7, 0.05)];
const ids = (items: EvidenceSummary[]) => items.map((entry) => entry.itemId);
const noImportDates = () => '';

test('the contract accepts the evasion order, without a class', () => {
  assert.deepEqual(evidenceSortSchema.parse({ by: 'evasion', descending: true }), { by: 'evasion', descending: true });
  assert.equal(evidenceSortSchema.safeParse({ by: 'evasion', className: 'Porn', descending: true }).success, false);
  assert.equal(evidenceSortSchema.safeParse({ by: 'evasion' }).success, false);
  assert.equal(evidenceSortSchema.safeParse({ by: 'suspicion', descending: true }).success, false);
});

test('evasion order: highest score first, ties by item number, unscored items last', () => {
  assert.deepEqual(ids(sortEvidence(ITEMS, noImportDates, { by: 'evasion', descending: true })), [4, 2, 5, 1, 7, 3, 6]);
});

test('evasion order turned round: lowest score first, the unscored still last, ties still by item number', () => {
  assert.deepEqual(ids(sortEvidence(ITEMS, noImportDates, { by: 'evasion', descending: false })), [7, 1, 2, 5, 4, 3, 6]);
});

test('the order does not depend on the order the items came in', () => {
  const shuffled = [ITEMS[5], ITEMS[3], ITEMS[0], ITEMS[4], ITEMS[2], ITEMS[6], ITEMS[1]];
  assert.deepEqual(
    ids(sortEvidence(shuffled, noImportDates, { by: 'evasion', descending: true })),
    ids(sortEvidence(ITEMS, noImportDates, { by: 'evasion', descending: true })),
  );
  assert.deepEqual(ids(ITEMS), [1, 2, 3, 4, 5, 6, 7], 'the input list is left as it was');
});
