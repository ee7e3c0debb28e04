/**
 * The workspace's known-content hash lists: each imported file (its name, SHA-256, format,
 * counts, who imported it and when), its entries and their hashes, and the reads matching needs.
 * An import is one transaction with its audit entry: a list is stored whole or not at all.
 */
import type { Database as SqliteDatabase } from 'better-sqlite3';
import type { CaseWritePath } from '../case/stores/case-write-path.ts';
import { utcNow } from '../case/stores/case-write-path.ts';
import { normaliseName } from '../case/text-safety.ts';
import { UserInputError } from '../errors/user-input-error.ts';
import { EXACT_HASH_KINDS, type ExactHashKind, type HashKind } from '../triage/hash-kinds.ts';
import type { HashList, HashListFormat } from '../triage/hash-list.ts';
import { PDQ_WORDS } from '../triage/packed-pdq.ts';

export interface HashListRecord {
  id: number;
  name: string;
  fileName: string;
  /** SHA-256 of the imported file: the list's version. */
  sha256: string;
  format: HashListFormat;
  byteLength: number;
  entryCount: number;
  counts: Record<HashKind, number>;
  duplicates: number;
  skippedRecords: number;
  importedBy: string;
  importedAt: string;
  removedBy: string | null;
  removedAt: string | null;
}

export interface HashListEntryRecord {
  line: number;
  category: string | null;
  source: string | null;
}

/** Every PDQ hash of the active lists, packed (row k at words 8k..8k+7), with its list and entry. */
export interface StoredPdqHashes {
  words: Uint32Array;
  count: number;
  listOfRow: Uint32Array;
  entryOfRow: Uint32Array;
}

interface HashListRow {
  id: number;
  name: string;
  file_name: string;
  sha256: string;
  format: HashListFormat;
  byte_length: number;
  entry_count: number;
  pdq_count: number;
  md5_count: number;
  sha1_count: number;
  sha256_count: number;
  duplicates: number;
  skipped_records: number;
  imported_by: string;
  imported_at: string;
  removed_by: string | null;
  removed_at: string | null;
}

const INSERT_LIST = `INSERT INTO hash_lists (name, file_name, sha256, format, byte_length, entry_count, pdq_count, md5_count, sha1_count,
  sha256_count, duplicates, skipped_records, imported_by, imported_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;
const INSERT_ENTRY = 'INSERT INTO hash_list_entries (list_id, entry, line, category, source) VALUES (?, ?, ?, ?, ?)';
const INSERT_HASH = 'INSERT INTO hash_list_hashes (list_id, kind, hash, entry) VALUES (?, ?, ?, ?)';
const SELECT_LISTS = 'SELECT * FROM hash_lists ORDER BY id';
const SELECT_ACTIVE_LISTS = 'SELECT * FROM hash_lists WHERE removed_at IS NULL ORDER BY id';
const SELECT_ACTIVE_BY_NAME = 'SELECT * FROM hash_lists WHERE removed_at IS NULL AND name = ?';
const SELECT_ACTIVE_BY_SHA256 = 'SELECT * FROM hash_lists WHERE removed_at IS NULL AND sha256 = ?';
const SELECT_BY_ID = 'SELECT * FROM hash_lists WHERE id = ?';
const MARK_REMOVED = 'UPDATE hash_lists SET removed_by = ?, removed_at = ? WHERE id = ?';
const INSERT_PDQ_BLOCK = 'INSERT INTO hash_list_pdq_blocks (list_id, block, hash_count, hashes, entries) VALUES (?, ?, ?, ?, ?)';
const DELETE_HASHES = 'DELETE FROM hash_list_hashes WHERE list_id = ?';
const DELETE_PDQ_BLOCKS = 'DELETE FROM hash_list_pdq_blocks WHERE list_id = ?';
const DELETE_ENTRIES = 'DELETE FROM hash_list_entries WHERE list_id = ?';
const SELECT_ENTRY = 'SELECT line, category, source FROM hash_list_entries WHERE list_id = ? AND entry = ?';
const SELECT_EXACT = `SELECT h.list_id AS listId, h.entry AS entry FROM hash_list_hashes h JOIN hash_lists l ON l.id = h.list_id
  WHERE h.kind = ? AND h.hash = ? AND l.removed_at IS NULL ORDER BY h.list_id, h.entry`;
const SELECT_PDQ_BLOCKS = `SELECT b.list_id, b.hash_count, b.hashes, b.entries FROM hash_list_pdq_blocks b JOIN hash_lists l ON l.id = b.list_id
  WHERE l.removed_at IS NULL ORDER BY b.list_id, b.block`;

/** PDQ hashes per stored block (see the migration). */
const PDQ_BLOCK = 65_536;

function recordOf(row: HashListRow): HashListRecord {
  return {
    id: row.id,
    name: row.name,
    fileName: row.file_name,
    sha256: row.sha256,
    format: row.format,
    byteLength: row.byte_length,
    entryCount: row.entry_count,
    counts: { pdq: row.pdq_count, md5: row.md5_count, sha1: row.sha1_count, sha256: row.sha256_count },
    duplicates: row.duplicates,
    skippedRecords: row.skipped_records,
    importedBy: row.imported_by,
    importedAt: row.imported_at,
    removedBy: row.removed_by,
    removedAt: row.removed_at,
  };
}

/** Rows [first, first + count) of packed PDQ words (or of entries) as little-endian bytes. */
function littleEndianBytes(values: Uint32Array, first: number, count: number): Buffer {
  const bytes = Buffer.alloc(count * 4);
  for (let k = 0; k < count; k++) bytes.writeUInt32LE(values[first + k], k * 4);
  return bytes;
}

export class HashListStore {
  readonly #db: SqliteDatabase;
  readonly #write: CaseWritePath;

  constructor(db: SqliteDatabase, write: CaseWritePath) {
    this.#db = db;
    this.#write = write;
  }

  /**
   * Stores a parsed list under `name`, with its audit entry, in one transaction. Refused when an
   * active list has the same name or the same file (SHA-256).
   */
  record(list: HashList, input: { name: string; fileName: string; examiner: string }): HashListRecord {
    const name = normaliseName(input.name, 'hash list name');
    const examiner = normaliseName(input.examiner, 'examiner name');
    return this.#write.run(() => {
      const sameName = this.#db.prepare(SELECT_ACTIVE_BY_NAME).get(name) as HashListRow | undefined;
      if (sameName) throw new UserInputError(`a hash list named '${name}' is already imported (list ${sameName.id}); remove it first or choose another name`);
      const sameFile = this.#db.prepare(SELECT_ACTIVE_BY_SHA256).get(list.sha256) as HashListRow | undefined;
      if (sameFile) throw new UserInputError(`this file is already imported as list ${sameFile.id} ('${sameFile.name}', SHA-256 ${list.sha256})`);
      const { counts } = list;
      const importedAt = utcNow();
      const id = Number(
        this.#db
          .prepare(INSERT_LIST)
          .run(
            name,
            input.fileName,
            list.sha256,
            list.format,
            list.byteLength,
            list.entryCount,
            counts.pdq,
            counts.md5,
            counts.sha1,
            counts.sha256,
            list.duplicates,
            list.skippedRecords,
            examiner,
            importedAt,
          ).lastInsertRowid,
      );
      const insertEntry = this.#db.prepare(INSERT_ENTRY);
      for (let entry = 0; entry < list.entryCount; entry++) {
        const { line, category, source } = list.entry(entry);
        insertEntry.run(id, entry, line, category, source);
      }
      const insertBlock = this.#db.prepare(INSERT_PDQ_BLOCK);
      for (let first = 0, block = 0; first < list.pdq.count; first += PDQ_BLOCK, block++) {
        const count = Math.min(PDQ_BLOCK, list.pdq.count - first);
        insertBlock.run(
          id,
          block,
          count,
          littleEndianBytes(list.pdq.words, first * PDQ_WORDS, count * PDQ_WORDS),
          littleEndianBytes(list.pdq.entryOfRow, first, count),
        );
      }
      const insertHash = this.#db.prepare(INSERT_HASH);
      for (const kind of EXACT_HASH_KINDS) {
        for (const [hex, entry] of list.exact[kind]) insertHash.run(id, kind, Buffer.from(hex, 'hex'), entry);
      }
      this.#write.audit({
        examiner,
        action: 'hashlist-import',
        subject: `hashlist:${id}`,
        parameters: { name, fileName: input.fileName, sha256: list.sha256, format: list.format, entries: list.entryCount, counts, duplicates: list.duplicates },
      });
      return this.get(id);
    });
  }

  get(id: number): HashListRecord {
    const row = this.#db.prepare(SELECT_BY_ID).get(id) as HashListRow | undefined;
    if (!row) throw new UserInputError(`no hash list ${id}`);
    return recordOf(row);
  }

  /** The active lists (and the removed ones too when asked), oldest first. */
  all(options: { includeRemoved?: boolean } = {}): HashListRecord[] {
    return (this.#db.prepare(options.includeRemoved ? SELECT_LISTS : SELECT_ACTIVE_LISTS).all() as HashListRow[]).map(recordOf);
  }

  /** An active list by its number or its name. */
  find(nameOrId: string): HashListRecord {
    const byName = this.#db.prepare(SELECT_ACTIVE_BY_NAME).get(nameOrId.trim()) as HashListRow | undefined;
    if (byName) return recordOf(byName);
    if (/^\d+$/.test(nameOrId.trim())) {
      const byId = this.#db.prepare(SELECT_BY_ID).get(Number(nameOrId)) as HashListRow | undefined;
      if (byId && byId.removed_at === null) return recordOf(byId);
      if (byId) throw new UserInputError(`hash list ${byId.id} ('${byId.name}') was removed on ${byId.removed_at} by ${byId.removed_by}`);
    }
    throw new UserInputError(`no hash list '${nameOrId}' in this workspace (see 'acsr hashlist list')`);
  }

  /** Deletes the list's entries and hashes; its row stays, marked removed, with an audit entry. */
  remove(nameOrId: string, examiner: string): HashListRecord {
    return this.#write.run(() => {
      const list = this.find(nameOrId);
      this.#db.prepare(DELETE_HASHES).run(list.id);
      this.#db.prepare(DELETE_PDQ_BLOCKS).run(list.id);
      this.#db.prepare(DELETE_ENTRIES).run(list.id);
      this.#db.prepare(MARK_REMOVED).run(normaliseName(examiner, 'examiner name'), utcNow(), list.id);
      this.#write.audit({ examiner, action: 'hashlist-remove', subject: `hashlist:${list.id}`, parameters: { name: list.name, sha256: list.sha256 } });
      return this.get(list.id);
    });
  }

  entry(listId: number, entry: number): HashListEntryRecord {
    const row = this.#db.prepare(SELECT_ENTRY).get(listId, entry) as HashListEntryRecord | undefined;
    if (!row) throw new Error(`hash list ${listId} has no entry ${entry}`);
    return row;
  }

  /** The active lists' entries that list this exact hash (lower-case hex). */
  exactMatches(kind: ExactHashKind, hex: string): Array<{ listId: number; entry: number }> {
    return this.#db.prepare(SELECT_EXACT).all(kind, Buffer.from(hex, 'hex')) as Array<{ listId: number; entry: number }>;
  }

  /** Every PDQ hash of the active lists, packed for the batch join (main/triage/pdq-matching.ts). */
  pdqHashes(): StoredPdqHashes {
    const expected = this.all().reduce((sum, list) => sum + list.counts.pdq, 0);
    const words = new Uint32Array(expected * PDQ_WORDS);
    const listOfRow = new Uint32Array(expected);
    const entryOfRow = new Uint32Array(expected);
    let count = 0;
    for (const [listId, hashCount, hashes, entries] of this.#db.prepare(SELECT_PDQ_BLOCKS).raw().iterate() as IterableIterator<
      [number, number, Buffer, Buffer]
    >) {
      if (count + hashCount > expected) throw new Error('more PDQ hashes stored than the lists count');
      for (let k = 0; k < hashCount * PDQ_WORDS; k++) words[count * PDQ_WORDS + k] = hashes.readUInt32LE(k * 4);
      for (let k = 0; k < hashCount; k++) entryOfRow[count + k] = entries.readUInt32LE(k * 4);
      listOfRow.fill(listId, count, count + hashCount);
      count += hashCount;
    }
    if (count !== expected) throw new Error(`${count} PDQ hashes stored, the lists count ${expected}`);
    return { words, count, listOfRow, entryOfRow };
  }
}
