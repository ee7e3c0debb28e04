/**
 * Evidence items (evidence_items): reading them, one at a time or listed with their current
 * category and user tags. Items are added by an import (import-store.ts), never changed.
 */
import type { Database as SqliteDatabase } from 'better-sqlite3';
import { UserInputError } from '../../errors/user-input-error.ts';
import type { EvidenceItem, ItemFilter, ItemSummary } from '../records.ts';
import { validateUserTag, type CategoryCode } from '../tag-categories.ts';
import { utcNow } from './case-write-path.ts';
import type { CaseStore } from './case-store.ts';

/** An evidence_items row as stored. */
export interface EvidenceItemRow {
  id: number;
  case_id: number;
  original_name: string;
  original_path: string;
  size_bytes: number;
  media_type: string;
  width: number;
  height: number;
  sha256: string;
  md5: string;
  pdq_hash: string;
  pdq_quality: number;
  imported_at: string;
  examiner_id: number;
  store_path: string;
  import_job_id: number | null;
  /** JSON array of strings. */
  decode_notes: string;
}

type ItemReadRow = Omit<EvidenceItemRow, 'case_id' | 'examiner_id'> & { examiner: string };

export function itemFromRow(row: ItemReadRow): EvidenceItem {
  return {
    id: row.id,
    originalName: row.original_name,
    originalPath: row.original_path,
    sizeBytes: row.size_bytes,
    mediaType: row.media_type,
    width: row.width,
    height: row.height,
    sha256: row.sha256,
    md5: row.md5,
    pdqHash: row.pdq_hash,
    pdqQuality: row.pdq_quality,
    importedAt: row.imported_at,
    examiner: row.examiner,
    storePath: row.store_path,
    importJobId: row.import_job_id,
    decodeNotes: JSON.parse(row.decode_notes) as string[],
  };
}

/** What an import knows about a file before the database gives it an id and an import entry. */
export type NewEvidenceItem = Omit<EvidenceItem, 'id' | 'importedAt' | 'examiner' | 'importJobId'>;

const SELECT_ITEMS = `SELECT i.id, i.original_name, i.original_path, i.size_bytes, i.media_type, i.width, i.height, i.sha256, i.md5,
    i.pdq_hash, i.pdq_quality, i.imported_at, e.name AS examiner, i.store_path, i.import_job_id, i.decode_notes
  FROM evidence_items i JOIN examiners e ON e.id = i.examiner_id ORDER BY i.id`;
const SELECT_ITEM_BY_ID = `SELECT i.id, i.original_name, i.original_path, i.size_bytes, i.media_type, i.width, i.height, i.sha256, i.md5,
    i.pdq_hash, i.pdq_quality, i.imported_at, e.name AS examiner, i.store_path, i.import_job_id, i.decode_notes
  FROM evidence_items i JOIN examiners e ON e.id = i.examiner_id WHERE i.id = ?`;
const SELECT_ITEM_BY_SHA256 = `SELECT i.id, i.original_name, i.original_path, i.size_bytes, i.media_type, i.width, i.height, i.sha256, i.md5,
    i.pdq_hash, i.pdq_quality, i.imported_at, e.name AS examiner, i.store_path, i.import_job_id, i.decode_notes
  FROM evidence_items i JOIN examiners e ON e.id = i.examiner_id WHERE i.sha256 = ?`;
/** A tag (alias t) an undo has not taken back (tag-reversal-store.ts). */
const NOT_REVERSED = 'NOT EXISTS (SELECT 1 FROM tag_reversals r WHERE r.tag_id = t.id)';
/**
 * Items with their current category (the latest category tag not taken back wins; earlier ones stay in the
 * history), filtered: every condition whose parameter is given must hold, and the item must carry
 * every user tag in the JSON array @tags.
 */
const SELECT_ITEMS_FILTERED = `SELECT * FROM (
    SELECT i.id, i.original_name, i.original_path, i.size_bytes, i.media_type, i.width, i.height, i.sha256, i.md5,
      i.pdq_hash, i.pdq_quality, i.imported_at, e.name AS examiner, i.store_path, i.import_job_id, i.decode_notes,
      (SELECT t.value FROM tags t WHERE t.item_id = i.id AND t.kind = 'category' AND ${NOT_REVERSED} ORDER BY t.id DESC LIMIT 1) AS category
    FROM evidence_items i JOIN examiners e ON e.id = i.examiner_id) i
  WHERE (@category IS NULL OR i.category = @category)
    AND (@uncategorised = 0 OR i.category IS NULL)
    AND NOT EXISTS (SELECT 1 FROM json_each(@tags) wanted
      WHERE NOT EXISTS (SELECT 1 FROM tags t WHERE t.item_id = i.id AND t.kind = 'user' AND t.value = wanted.value AND ${NOT_REVERSED}))
  ORDER BY i.id`;
const SELECT_USER_TAG_VALUES = `SELECT DISTINCT value FROM tags t WHERE t.item_id = ? AND t.kind = 'user' AND ${NOT_REVERSED} ORDER BY value`;
const COUNT_ITEMS = 'SELECT count(*) AS n FROM evidence_items';
const ROWS_VERSION = 'SELECT count(*) AS n, max(id) AS last FROM evidence_items';
const INSERT_ITEM = `INSERT INTO evidence_items (case_id, original_name, original_path, size_bytes, media_type, width, height,
    sha256, md5, pdq_hash, pdq_quality, imported_at, examiner_id, store_path, import_job_id, decode_notes)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;
const STORED_ROWS = 'SELECT * FROM evidence_items ORDER BY rowid';

export class ItemStore {
  readonly #db: SqliteDatabase;
  readonly #cases: CaseStore;

  constructor(db: SqliteDatabase, cases: CaseStore) {
    this.#db = db;
    this.#cases = cases;
  }

  findBySha256(sha256: string): EvidenceItem | null {
    const row = this.#db.prepare(SELECT_ITEM_BY_SHA256).get(sha256) as ItemReadRow | undefined;
    return row ? itemFromRow(row) : null;
  }

  get(itemId: number): EvidenceItem {
    const row = this.#db.prepare(SELECT_ITEM_BY_ID).get(itemId) as ItemReadRow | undefined;
    if (!row) throw new UserInputError(`no evidence item ${itemId} in case ${this.#cases.get().number}`);
    return itemFromRow(row);
  }

  *all(): IterableIterator<EvidenceItem> {
    for (const row of this.#db.prepare(SELECT_ITEMS).iterate() as IterableIterator<ItemReadRow>) yield itemFromRow(row);
  }

  count(): number {
    return (this.#db.prepare(COUNT_ITEMS).get() as { n: number }).n;
  }

  /** The table is append-only, so its row count and last id change with, and only with, an item added. */
  rowsVersion(): string {
    const { n, last } = this.#db.prepare(ROWS_VERSION).get() as { n: number; last: number | null };
    return `${n}/${last ?? 0}`;
  }

  /** Items with their current category and user tags, filtered (all conditions must hold). */
  list(filter: ItemFilter = {}): ItemSummary[] {
    const rows = this.#db.prepare(SELECT_ITEMS_FILTERED).all({
      category: filter.category ?? null,
      uncategorised: filter.uncategorised ? 1 : 0,
      tags: JSON.stringify((filter.tags ?? []).map((tag) => validateUserTag(tag))),
    }) as (ItemReadRow & { category: CategoryCode | null })[];
    const tagsOf = this.#db.prepare(SELECT_USER_TAG_VALUES).pluck();
    return rows.map((row) => ({ ...itemFromRow(row), category: row.category, tags: tagsOf.all(row.id) as string[] }));
  }

  /** Inserts the row of a newly imported file; the import store calls it inside its write. */
  insert(item: NewEvidenceItem, importedBy: { examinerId: number; jobId: number }): number {
    const { originalName, originalPath, sizeBytes, mediaType, width, height, sha256, md5, pdqHash, pdqQuality, storePath, decodeNotes } = item;
    const caseId = this.#cases.get().id;
    return Number(
      this.#db
        .prepare(INSERT_ITEM)
        .run(
          caseId,
          originalName,
          originalPath,
          sizeBytes,
          mediaType,
          width,
          height,
          sha256,
          md5,
          pdqHash,
          pdqQuality,
          utcNow(),
          importedBy.examinerId,
          storePath,
          importedBy.jobId,
          JSON.stringify(decodeNotes),
        ).lastInsertRowid,
    );
  }

  /** The rows as stored, for verification against the audit chain. */
  storedRows(): EvidenceItemRow[] {
    return this.#db.prepare(STORED_ROWS).all() as EvidenceItemRow[];
  }
}
