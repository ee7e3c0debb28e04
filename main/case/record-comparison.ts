/** The shapes verify-records.ts compares rows with, shared with the comparisons kept in their own files. */
import type { ChainEntry, ChainFacts } from './chain-replay.ts';

/** A row as its store read it: the table's columns, whatever SQLite holds (verification trusts no type). */
export type Row = { id: number };

export interface Field {
  label: string;
  actual: unknown;
  /** undefined: the entry does not record this field (written by an older version). */
  expected: unknown;
  compare?: 'value' | 'json-text' | 'name' | 'time';
}

/** One table's rows against the entries that created them. */
export interface CompareSpec<R extends Row> {
  what: string;
  table: string;
  rows: Map<number, R> | null;
  entries: Map<number, ChainEntry>;
  where: (id: number, row?: R, entry?: ChainEntry) => string;
  fields: (row: R, entry: ChainEntry) => Field[];
  item?: (id: number, row?: R, entry?: ChainEntry) => unknown;
}

/** What the comparisons of other tables (verify-hash-match-records.ts) share with these. */
export interface RecordComparison {
  facts: ChainFacts;
  compare: <R extends Row>(spec: CompareSpec<R>) => void;
  rows: <R extends Row>(table: string, read: () => R[]) => Map<number, R> | null;
  itemLabel: (id: unknown) => string;
  /** The examiner and time fields every row has. */
  common: (row: { examiner_id: unknown; created_at?: unknown }, entry: ChainEntry) => Field[];
}
