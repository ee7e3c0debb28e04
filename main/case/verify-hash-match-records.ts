/**
 * The hash list tables against the chain: each item's kept SHA-1 and rotated/mirrored PDQ hashes
 * against its import entry, and each match against the hashlist-match entry that added it.
 */
import type { ChainEntry } from './chain-replay.ts';
import type { CaseStores } from './stores/case-stores.ts';
import type { Field, RecordComparison } from './record-comparison.ts';

export function verifyHashMatchRecords(stores: CaseStores, { facts, compare, rows, itemLabel, common }: RecordComparison): void {
  // Only imports that kept these hashes record them; an older import's entry has none to expect.
  const hashEntries = new Map([...facts.items].filter(([, entry]) => entry.parameters.pdqVariants !== undefined));
  compare({
    what: "item's kept hashes",
    table: 'item_match_hashes',
    // Keyed by item: the import entry that records them is the item's.
    rows: rows('item_match_hashes', () => stores.hashMatches.storedHashRows().map((row) => ({ ...row, rowId: row.id, id: row.item_id }))),
    entries: hashEntries,
    item: (id) => id,
    where: (id) => `the SHA-1 and rotated PDQ hashes of ${itemLabel(id)}`,
    fields: (row, entry): Field[] => [
      { label: 'the SHA-1', actual: row.sha1, expected: entry.parameters.sha1 },
      { label: 'the rotated and mirrored PDQ hashes', actual: row.pdq_variants, expected: entry.parameters.pdqVariants, compare: 'json-text' },
      { label: 'the time', actual: row.created_at, expected: entry.time, compare: 'time' },
    ],
  });
  const matchEntries = new Map<number, ChainEntry>([...facts.hashMatches].map(([id, { entry }]) => [id, entry]));
  compare({
    what: 'hash list match',
    table: 'hash_matches',
    rows: rows('hash_matches', () => stores.hashMatches.storedMatchRows()),
    entries: matchEntries,
    item: (id, row) => row?.item_id ?? facts.hashMatches.get(id)?.match.itemId,
    where: (id, row) => `hash list match ${id} of ${itemLabel(row?.item_id ?? facts.hashMatches.get(id)?.match.itemId)}`,
    fields: (row, entry) => {
      const match = facts.hashMatches.get(row.id)!.match;
      return [
        ...(
          [
            ['item', 'item_id', 'itemId'],
            ['list name', 'list_name', 'listName'],
            ['list version', 'list_sha256', 'listSha256'],
            ['list line', 'list_line', 'line'],
            ['hash kind', 'kind', 'kind'],
            ['distance', 'distance', 'distance'],
            ['variant', 'variant', 'variant'],
            ['category', 'category', 'category'],
            ['source', 'source', 'source'],
          ] as const
        ).map(([label, column, key]): Field => ({ label: `the ${label}`, actual: row[column], expected: match[key] ?? null })),
        { label: 'the threshold', actual: row.threshold, expected: entry.parameters.threshold },
        ...common(row, entry),
      ];
    },
  });
}
