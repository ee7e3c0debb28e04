/**
 * What examiners say about items and the case: tags (categories CAT-0..CAT-5 and free user
 * tags) and notes. Both are only ever added: the history of categorisation is part of the record.
 */
import type { Database as SqliteDatabase } from 'better-sqlite3';
import { UserInputError } from '../../errors/user-input-error.ts';
import type { NoteRecord, TagRecord } from '../records.ts';
import { parseCategory, validateUserTag } from '../tag-categories.ts';
import { utcNow, type CaseWritePath } from './case-write-path.ts';
import type { CaseStore } from './case-store.ts';
import type { ItemStore } from './item-store.ts';

/** A tags row as stored. */
export interface TagRow {
  id: number;
  item_id: number;
  kind: 'category' | 'user';
  value: string;
  comment: string | null;
  examiner_id: number;
  created_at: string;
}

/** A notes row as stored. */
export interface NoteRow {
  id: number;
  case_id: number;
  item_id: number | null;
  text: string;
  examiner_id: number;
  created_at: string;
}

type TagReadRow = Omit<TagRow, 'examiner_id'> & { examiner: string; reversed: number };
type NoteReadRow = Omit<NoteRow, 'case_id' | 'examiner_id'> & { examiner: string };

export function tagFromRow(row: TagReadRow): TagRecord {
  return {
    id: row.id,
    itemId: row.item_id,
    kind: row.kind,
    value: row.value,
    comment: row.comment,
    examiner: row.examiner,
    createdAt: row.created_at,
    reversed: row.reversed === 1,
  };
}

export function noteFromRow(row: NoteReadRow): NoteRecord {
  return { id: row.id, itemId: row.item_id, text: row.text, examiner: row.examiner, createdAt: row.created_at };
}

const INSERT_TAG = 'INSERT INTO tags (item_id, kind, value, comment, examiner_id, created_at) VALUES (?, ?, ?, ?, ?, ?)';
const SELECT_TAGS_OF_ITEM = `SELECT t.id, t.item_id, t.kind, t.value, t.comment, e.name AS examiner, t.created_at,
    EXISTS (SELECT 1 FROM tag_reversals r WHERE r.tag_id = t.id) AS reversed
  FROM tags t JOIN examiners e ON e.id = t.examiner_id WHERE t.item_id = ? ORDER BY t.id`;
const INSERT_NOTE = 'INSERT INTO notes (case_id, item_id, text, examiner_id, created_at) VALUES (?, ?, ?, ?, ?)';
const SELECT_ALL_NOTES = `SELECT n.id, n.item_id, n.text, e.name AS examiner, n.created_at
  FROM notes n JOIN examiners e ON e.id = n.examiner_id ORDER BY n.id`;
const SELECT_CASE_NOTES = `SELECT n.id, n.item_id, n.text, e.name AS examiner, n.created_at
  FROM notes n JOIN examiners e ON e.id = n.examiner_id WHERE n.item_id IS NULL ORDER BY n.id`;
const SELECT_ITEM_NOTES = `SELECT n.id, n.item_id, n.text, e.name AS examiner, n.created_at
  FROM notes n JOIN examiners e ON e.id = n.examiner_id WHERE n.item_id = ? ORDER BY n.id`;
const STORED_TAGS = 'SELECT * FROM tags ORDER BY rowid';
const STORED_NOTES = 'SELECT * FROM notes ORDER BY rowid';

export class TagNoteStore {
  readonly #db: SqliteDatabase;
  readonly #write: CaseWritePath;
  readonly #cases: CaseStore;
  readonly #items: ItemStore;

  constructor(db: SqliteDatabase, write: CaseWritePath, cases: CaseStore, items: ItemStore) {
    this.#db = db;
    this.#write = write;
    this.#cases = cases;
    this.#items = items;
  }

  addTag(input: { itemId: number; category?: string; tag?: string; comment?: string; examiner: string }): TagRecord {
    const [tagId] = this.addTags({ ...input, itemIds: [input.itemId] });
    return this.tagsOf(input.itemId).find((tag) => tag.id === tagId)!;
  }

  /**
   * One category or user tag on every item, in one transaction (a bad id leaves nothing tagged),
   * one audit entry per tag as for a single one. Returns the new tag ids, in item order: what an
   * undo takes back.
   */
  addTags(input: { itemIds: number[]; category?: string; tag?: string; comment?: string; examiner: string }): number[] {
    if ((input.category === undefined) === (input.tag === undefined)) {
      throw new UserInputError('give either a category (CAT-0..CAT-5) or a user tag, not both');
    }
    const kind = input.category !== undefined ? 'category' : 'user';
    const value = input.category !== undefined ? parseCategory(input.category) : validateUserTag(input.tag!);
    const comment = input.comment?.normalize('NFC').trim() || null;
    return this.#write.run(() => {
      for (const itemId of input.itemIds) this.#items.get(itemId);
      const examinerId = this.#write.examinerId(input.examiner);
      return input.itemIds.map((itemId) => {
        const tagId = Number(this.#db.prepare(INSERT_TAG).run(itemId, kind, value, comment, examinerId, utcNow()).lastInsertRowid);
        this.#write.audit({ examiner: input.examiner, action: 'tag', subject: `item:${itemId}`, parameters: { tagId, kind, value, comment } });
        return tagId;
      });
    });
  }

  /** Every tag ever given, oldest first, those taken back marked: the history of categorisation is part of the record. */
  tagsOf(itemId: number): TagRecord[] {
    return (this.#db.prepare(SELECT_TAGS_OF_ITEM).all(itemId) as TagReadRow[]).map(tagFromRow);
  }

  /** A note on the case as a whole (no itemId) or on one item. */
  addNote(input: { itemId?: number; text: string; examiner: string }): NoteRecord {
    const text = input.text.normalize('NFC').trim();
    if (text.length === 0) throw new UserInputError('a note cannot be empty');
    return this.#write.run(() => {
      if (input.itemId !== undefined) this.#items.get(input.itemId);
      const examinerId = this.#write.examinerId(input.examiner);
      const noteCase = this.#cases.get();
      const noteId = Number(this.#db.prepare(INSERT_NOTE).run(noteCase.id, input.itemId ?? null, text, examinerId, utcNow()).lastInsertRowid);
      this.#write.audit({
        examiner: input.examiner,
        action: 'note',
        subject: input.itemId === undefined ? `case:${noteCase.number}` : `item:${input.itemId}`,
        parameters: { noteId, text },
      });
      return this.notes({ itemId: input.itemId ?? null }).find((note) => note.id === noteId)!;
    });
  }

  /** itemId null: the case's own notes; a number: that item's; omitted: all. */
  notes(filter: { itemId?: number | null } = {}): NoteRecord[] {
    const rows =
      filter.itemId === undefined
        ? this.#db.prepare(SELECT_ALL_NOTES).all()
        : filter.itemId === null
          ? this.#db.prepare(SELECT_CASE_NOTES).all()
          : this.#db.prepare(SELECT_ITEM_NOTES).all(filter.itemId);
    return (rows as NoteReadRow[]).map(noteFromRow);
  }

  /** The rows as stored, for verification against the audit chain. */
  storedTagRows(): TagRow[] {
    return this.#db.prepare(STORED_TAGS).all() as TagRow[];
  }

  storedNoteRows(): NoteRow[] {
    return this.#db.prepare(STORED_NOTES).all() as NoteRow[];
  }
}
