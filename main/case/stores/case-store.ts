/** The case itself (cases: one row per case folder): opening, closing, reading it. */
import type { Database as SqliteDatabase } from 'better-sqlite3';
import { UserInputError } from '../../errors/user-input-error.ts';
import type { CaseRecord } from '../records.ts';
import { normaliseName, normaliseOptionalName } from '../text-safety.ts';
import { utcNow, type CaseWritePath } from './case-write-path.ts';

/** A cases row as stored. */
export interface CaseRow {
  id: number;
  number: string;
  title: string;
  requester: string | null;
  created_at: string;
  created_by: number;
  closed_at: string | null;
}

type CaseReadRow = Omit<CaseRow, 'created_by'> & { created_by_name: string };

export function caseFromRow(row: CaseReadRow): CaseRecord {
  return {
    id: row.id,
    number: row.number,
    title: row.title,
    requester: row.requester,
    createdAt: row.created_at,
    createdBy: row.created_by_name,
    closedAt: row.closed_at,
  };
}

const SELECT_CASE = `SELECT c.id, c.number, c.title, c.requester, c.created_at, e.name AS created_by_name, c.closed_at
  FROM cases c JOIN examiners e ON e.id = c.created_by ORDER BY c.id LIMIT 1`;
const ANY_CASE = 'SELECT 1 FROM cases';
const INSERT_CASE = 'INSERT INTO cases (number, title, requester, created_at, created_by) VALUES (?, ?, ?, ?, ?)';
const CLOSE_CASE = 'UPDATE cases SET closed_at = ? WHERE id = ?';
const STORED_ROWS = 'SELECT * FROM cases ORDER BY rowid';

export class CaseStore {
  readonly #db: SqliteDatabase;
  readonly #write: CaseWritePath;
  readonly #path: string;

  constructor(db: SqliteDatabase, write: CaseWritePath, path: string) {
    this.#db = db;
    this.#write = write;
    this.#path = path;
  }

  create(input: { number: string; title: string; requester?: string; examiner: string; folder?: string }): CaseRecord {
    return this.#write.run(() => {
      if (this.#db.prepare(ANY_CASE).get()) throw new UserInputError(`${this.#path} already holds case ${this.get().number}`);
      const number = normaliseName(input.number, 'case number');
      const title = input.title.trim().length === 0 ? '' : normaliseName(input.title, 'case title');
      const requester = normaliseOptionalName(input.requester, 'requester');
      const examinerId = this.#write.examinerId(input.examiner);
      this.#db.prepare(INSERT_CASE).run(number, title, requester, utcNow(), examinerId);
      this.#write.audit({
        examiner: input.examiner,
        action: 'case-create',
        subject: `case:${number}`,
        parameters: { number, title, requester, folder: input.folder ?? null },
      });
      return this.get();
    });
  }

  /** Closing is recorded, not enforced: a closed case can still be verified and reported on. */
  close(input: { examiner: string; reason?: string }): CaseRecord {
    return this.#write.run(() => {
      const current = this.get();
      if (current.closedAt !== null) throw new UserInputError(`case ${current.number} was already closed on ${current.closedAt}`);
      this.#write.examinerId(input.examiner);
      this.#db.prepare(CLOSE_CASE).run(utcNow(), current.id);
      this.#write.audit({ examiner: input.examiner, action: 'case-close', subject: `case:${current.number}`, parameters: { reason: input.reason ?? null } });
      return this.get();
    });
  }

  get(): CaseRecord {
    const row = this.#db.prepare(SELECT_CASE).get() as CaseReadRow | undefined;
    if (!row) throw new UserInputError(`${this.#path}: the database holds no case (was 'acsr case create' interrupted?)`);
    return caseFromRow(row);
  }

  /** The rows as stored, for verification against the audit chain. */
  storedRows(): CaseRow[] {
    return this.#db.prepare(STORED_ROWS).all() as CaseRow[];
  }
}
