/**
 * Undo of tags and categories (tag_reversals). Tags are never deleted: taking one back adds a
 * reversal row, and one tag-reverse audit entry records a whole undo (every tag of one bulk
 * action) naming the tag entries it reverses. The item's category is then the latest category
 * not taken back, so undoing a change brings back the category it replaced.
 */
import type { Database as SqliteDatabase } from 'better-sqlite3';
import { UserInputError } from '../../errors/user-input-error.ts';
import { utcNow, type CaseWritePath } from './case-write-path.ts';
import type { CaseStore } from './case-store.ts';

/** A tag_reversals row as stored. */
export interface TagReversalRow {
  id: number;
  tag_id: number;
  examiner_id: number;
  created_at: string;
}

export interface TagReversal {
  /** The audit entry that records the undo. */
  auditSequence: number;
  tagIds: number[];
  itemIds: number[];
}

const SELECT_TAG = 'SELECT id, item_id FROM tags WHERE id = ?';
const SELECT_REVERSAL_OF_TAG = 'SELECT id FROM tag_reversals WHERE tag_id = ?';
const INSERT_REVERSAL = 'INSERT INTO tag_reversals (tag_id, examiner_id, created_at) VALUES (?, ?, ?)';
/** The entry that created a tag: its subject is the item, its parameters name the tag's id. */
const SELECT_TAG_ENTRY = `SELECT sequence FROM audit_log WHERE action = 'tag' AND subject = ? AND json_extract(parameters, '$.tagId') = ?`;
const STORED_ROWS = 'SELECT * FROM tag_reversals ORDER BY rowid';

/** Undoing more tags at once than one bulk action can make is not an undo. */
const MAX_TAGS_PER_REVERSAL = 10_000;

export class TagReversalStore {
  readonly #db: SqliteDatabase;
  readonly #write: CaseWritePath;
  readonly #cases: CaseStore;

  constructor(db: SqliteDatabase, write: CaseWritePath, cases: CaseStore) {
    this.#db = db;
    this.#write = write;
    this.#cases = cases;
  }

  /** Takes back every tag in `tagIds` at once (all or none), with one audit entry. */
  reverse(input: { tagIds: number[]; examiner: string }): TagReversal {
    const tagIds = [...new Set(input.tagIds)];
    if (tagIds.length === 0) throw new UserInputError('nothing to undo');
    if (tagIds.length > MAX_TAGS_PER_REVERSAL) throw new UserInputError(`at most ${MAX_TAGS_PER_REVERSAL} tags can be undone at once`);
    return this.#write.run(() => {
      const tags = tagIds.map((tagId) => {
        const tag = this.#db.prepare(SELECT_TAG).get(tagId) as { id: number; item_id: number } | undefined;
        if (!tag) throw new UserInputError(`there is no such tag in case ${this.#cases.get().number}`);
        if (this.#db.prepare(SELECT_REVERSAL_OF_TAG).get(tagId)) throw new UserInputError('this change was already undone');
        return tag;
      });
      const examinerId = this.#write.examinerId(input.examiner);
      const now = utcNow();
      const reversalIds = tags.map((tag) => Number(this.#db.prepare(INSERT_REVERSAL).run(tag.id, examinerId, now).lastInsertRowid));
      const reverses = tags.map((tag) => (this.#db.prepare(SELECT_TAG_ENTRY).pluck().get(`item:${tag.item_id}`, tag.id) as number | undefined) ?? null);
      const itemIds = [...new Set(tags.map((tag) => tag.item_id))];
      const entry = this.#write.audit({
        examiner: input.examiner,
        action: 'tag-reverse',
        subject: `case:${this.#cases.get().number}`,
        parameters: { reversalIds, tagIds: tags.map((tag) => tag.id), itemIds: tags.map((tag) => tag.item_id), reverses },
      });
      return { auditSequence: entry.sequence, tagIds: tags.map((tag) => tag.id), itemIds };
    });
  }

  /** The rows as stored, for verification against the audit chain. */
  storedRows(): TagReversalRow[] {
    return this.#db.prepare(STORED_ROWS).all() as TagReversalRow[];
  }
}
