/**
 * Known-content hash list matches kept in the case (hash_matches), and the hashes an import keeps
 * so that a list added later can be matched without decoding the evidence again
 * (item_match_hashes: SHA-1 and the PDQ hashes of the eight rotations and mirrors).
 *
 * Matches are only ever added: one hashlist-match audit entry records a run and lists the rows it
 * added; matching again adds only what was not found before (the same item, list version, list
 * line and kind), so a re-match never replaces an earlier finding.
 */
import type { Database as SqliteDatabase } from 'better-sqlite3';
import type { HashMatchRecord, ItemMatchHashes, NewHashMatch } from '../records.ts';
import { utcNow, type CaseWritePath } from './case-write-path.ts';
import type { CaseStore } from './case-store.ts';

/** An item_match_hashes row as stored. */
export interface ItemMatchHashesRow {
  id: number;
  item_id: number;
  sha1: string;
  /** JSON array of eight PDQ hashes. */
  pdq_variants: string;
  created_at: string;
}

/** A hash_matches row as stored. */
export interface HashMatchRow {
  id: number;
  item_id: number;
  list_name: string;
  list_sha256: string;
  list_line: number;
  kind: string;
  distance: number;
  variant: string | null;
  category: string | null;
  source: string | null;
  threshold: number;
  examiner_id: number;
  created_at: string;
}

/** What one matching run covered, recorded with the matches it added. */
export interface HashMatchRun {
  threshold: number;
  lists: Array<{ name: string; sha256: string }>;
  itemsChecked: number;
}

const INSERT_HASHES = 'INSERT INTO item_match_hashes (item_id, sha1, pdq_variants, created_at) VALUES (?, ?, ?, ?)';
const SELECT_HASHES = 'SELECT item_id, sha1, pdq_variants FROM item_match_hashes';
const HASH_ROWS_VERSION = 'SELECT count(*) AS n, max(id) AS last FROM item_match_hashes';
const SELECT_EXISTING = 'SELECT id FROM hash_matches WHERE item_id = ? AND list_sha256 = ? AND list_line = ? AND kind = ?';
const INSERT_MATCH = `INSERT INTO hash_matches (item_id, list_name, list_sha256, list_line, kind, distance, variant, category, source, threshold,
    examiner_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;
const SELECT_MATCHES = `SELECT m.id, m.item_id, m.list_name, m.list_sha256, m.list_line, m.kind, m.distance, m.variant, m.category, m.source,
    m.threshold, e.name AS examiner, m.created_at FROM hash_matches m JOIN examiners e ON e.id = m.examiner_id`;

type MatchReadRow = Omit<HashMatchRow, 'examiner_id'> & { examiner: string };

function matchFromRow(row: MatchReadRow): HashMatchRecord {
  return {
    id: row.id,
    itemId: row.item_id,
    listName: row.list_name,
    listSha256: row.list_sha256,
    line: row.list_line,
    kind: row.kind as HashMatchRecord['kind'],
    distance: row.distance,
    variant: row.variant as HashMatchRecord['variant'],
    category: row.category,
    source: row.source,
    threshold: row.threshold,
    examiner: row.examiner,
    createdAt: row.created_at,
  };
}

export class HashMatchStore {
  readonly #db: SqliteDatabase;
  readonly #write: CaseWritePath;
  readonly #cases: CaseStore;

  constructor(db: SqliteDatabase, write: CaseWritePath, cases: CaseStore) {
    this.#db = db;
    this.#write = write;
    this.#cases = cases;
  }

  /** Called by the import inside its write; the item's import entry records the same hashes. */
  insertMatchHashes(itemId: number, hashes: ItemMatchHashes): void {
    this.#db.prepare(INSERT_HASHES).run(itemId, hashes.sha1, JSON.stringify(hashes.pdqVariants), utcNow());
  }

  /** Item id -> the hashes its import kept (items imported by older versions have none). */
  matchHashes(): Map<number, ItemMatchHashes> {
    const rows = this.#db.prepare(SELECT_HASHES).all() as Array<{ item_id: number; sha1: string; pdq_variants: string }>;
    return new Map(rows.map((row) => [row.item_id, { sha1: row.sha1, pdqVariants: JSON.parse(row.pdq_variants) as string[] }]));
  }

  /** item_match_hashes is append-only: its row count and last id change with, and only with, hashes added. */
  matchHashesVersion(): string {
    const { n, last } = this.#db.prepare(HASH_ROWS_VERSION).get() as { n: number; last: number | null };
    return `${n}/${last ?? 0}`;
  }

  /**
   * Records a matching run: adds the matches not already in the case, with one audit entry that
   * lists them (also when there are none, so the run and the list versions it used are on record).
   */
  record(input: { examiner: string; run: HashMatchRun; matches: readonly NewHashMatch[] }): { added: HashMatchRecord[]; auditSequence: number } {
    return this.#write.run(() => {
      const examinerId = this.#write.examinerId(input.examiner);
      const now = utcNow();
      const existing = this.#db.prepare(SELECT_EXISTING).pluck();
      const insert = this.#db.prepare(INSERT_MATCH);
      const added: Array<NewHashMatch & { matchId: number }> = [];
      for (const match of input.matches) {
        if (existing.get(match.itemId, match.listSha256, match.line, match.kind) !== undefined) continue;
        // Two entries of one run can name the same line (a line with both an MD5 and a SHA-1): the
        // first stands, as UNIQUE would otherwise end the whole run.
        if (added.some((a) => a.itemId === match.itemId && a.listSha256 === match.listSha256 && a.line === match.line && a.kind === match.kind)) continue;
        const { itemId, listName, listSha256, line, kind, distance, variant, category, source } = match;
        const matchId = Number(
          insert.run(itemId, listName, listSha256, line, kind, distance, variant, category, source, input.run.threshold, examinerId, now).lastInsertRowid,
        );
        added.push({ ...match, matchId });
      }
      const entry = this.#write.audit({
        examiner: input.examiner,
        action: 'hashlist-match',
        subject: `case:${this.#cases.get().number}`,
        parameters: {
          threshold: input.run.threshold,
          lists: input.run.lists,
          itemsChecked: input.run.itemsChecked,
          matchedItems: new Set(input.matches.map((match) => match.itemId)).size,
          matches: input.matches.length,
          // Every row this run added, as the row holds it (verification compares them).
          added: added.map((match) => ({
            matchId: match.matchId,
            itemId: match.itemId,
            listName: match.listName,
            listSha256: match.listSha256,
            line: match.line,
            kind: match.kind,
            distance: match.distance,
            variant: match.variant,
            category: match.category,
            source: match.source,
          })),
        },
      });
      const byId = new Map(added.map((match) => [match.matchId, match]));
      const records = this.all().filter((record) => byId.has(record.id));
      return { added: records, auditSequence: entry.sequence };
    });
  }

  /** Every match in the case, by item, then list, then line. */
  all(): HashMatchRecord[] {
    return (this.#db.prepare(`${SELECT_MATCHES} ORDER BY m.item_id, m.list_name, m.list_line, m.kind, m.id`).all() as MatchReadRow[]).map(matchFromRow);
  }

  ofItem(itemId: number): HashMatchRecord[] {
    return (this.#db.prepare(`${SELECT_MATCHES} WHERE m.item_id = ? ORDER BY m.list_name, m.list_line, m.kind, m.id`).all(itemId) as MatchReadRow[]).map(
      matchFromRow,
    );
  }

  /** The rows as stored, for verification against the audit chain. */
  storedMatchRows(): HashMatchRow[] {
    return this.#db.prepare('SELECT * FROM hash_matches ORDER BY rowid').all() as HashMatchRow[];
  }

  storedHashRows(): ItemMatchHashesRow[] {
    return this.#db.prepare('SELECT * FROM item_match_hashes ORDER BY rowid').all() as ItemMatchHashesRow[];
  }
}
