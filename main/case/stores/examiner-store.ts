/**
 * Examiners (examiners; registered by the write path the first time a name acts) and their
 * signing keys (examiner_keys: the public halves that checkpoints are checked with).
 */
import type { Database as SqliteDatabase } from 'better-sqlite3';
import type { ExaminerKeyRecord } from '../records.ts';
import { utcNow, type CaseWritePath } from './case-write-path.ts';

/** An examiners row as stored. */
export interface ExaminerRow {
  id: number;
  name: string;
  created_at: string;
}

/** An examiner_keys row as stored. */
export interface ExaminerKeyRow {
  id: number;
  examiner_id: number;
  public_key: string;
  fingerprint: string;
  created_at: string;
}

type ExaminerKeyReadRow = Omit<ExaminerKeyRow, 'examiner_id'> & { examiner_name: string | null };

export function examinerKeyFromRow(row: ExaminerKeyReadRow): ExaminerKeyRecord {
  return { id: row.id, examiner: row.examiner_name, publicKey: row.public_key, fingerprint: row.fingerprint, createdAt: row.created_at };
}

const KEY_KNOWN = 'SELECT 1 FROM examiner_keys WHERE fingerprint = ?';
const INSERT_KEY = 'INSERT INTO examiner_keys (examiner_id, public_key, fingerprint, created_at) VALUES (?, ?, ?, ?)';
// LEFT JOIN: a key row whose examiner is gone is still listed (and named by verification).
const SELECT_KEYS = `SELECT k.id, e.name AS examiner_name, k.public_key, k.fingerprint, k.created_at
  FROM examiner_keys k LEFT JOIN examiners e ON e.id = k.examiner_id ORDER BY k.id`;
const STORED_EXAMINERS = 'SELECT * FROM examiners ORDER BY rowid';
const STORED_KEYS = 'SELECT * FROM examiner_keys ORDER BY rowid';

export class ExaminerStore {
  readonly #db: SqliteDatabase;
  readonly #write: CaseWritePath;

  constructor(db: SqliteDatabase, write: CaseWritePath) {
    this.#db = db;
    this.#write = write;
  }

  /** Records an examiner's public key in the case, once per key, with its own audit entry. */
  recordKey(input: { examiner: string; publicKey: string; fingerprint: string }): void {
    this.#write.run(() => {
      if (this.#db.prepare(KEY_KNOWN).get(input.fingerprint)) return;
      const examinerId = this.#write.examinerId(input.examiner);
      const keyId = Number(this.#db.prepare(INSERT_KEY).run(examinerId, input.publicKey, input.fingerprint, utcNow()).lastInsertRowid);
      this.#write.audit({
        examiner: input.examiner,
        action: 'examiner-key',
        subject: `examiner:${examinerId}`,
        parameters: { keyId, publicKey: input.publicKey, fingerprint: input.fingerprint },
      });
    });
  }

  keys(): ExaminerKeyRecord[] {
    return (this.#db.prepare(SELECT_KEYS).all() as ExaminerKeyReadRow[]).map(examinerKeyFromRow);
  }

  /** The rows as stored, for verification against the audit chain. */
  storedRows(): ExaminerRow[] {
    return this.#db.prepare(STORED_EXAMINERS).all() as ExaminerRow[];
  }

  storedKeyRows(): ExaminerKeyRow[] {
    return this.#db.prepare(STORED_KEYS).all() as ExaminerKeyRow[];
  }
}
