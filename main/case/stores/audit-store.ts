/**
 * Reading the audit log (audit_log). Entries are appended only by the write path
 * (case-write-path.ts), in the same transaction as the rows they describe.
 */
import type { Database as SqliteDatabase } from 'better-sqlite3';
import type { StoredAuditRow } from '../audit-chain.ts';

/** An audit_log row as stored. */
export interface AuditLogRow {
  sequence: number;
  time: string;
  examiner: string;
  /** null in entries written before the OS account was recorded (schema 1). */
  os_user: string | null;
  action: string;
  subject: string;
  parameters: string;
  previous_sha256: string;
  sha256: string;
}

export function auditEntryFromRow(row: AuditLogRow): StoredAuditRow {
  return {
    sequence: row.sequence,
    time: row.time,
    examiner: row.examiner,
    osUser: row.os_user,
    action: row.action,
    subject: row.subject,
    parameters: row.parameters,
    previousSha256: row.previous_sha256,
    sha256: row.sha256,
  };
}

export interface ChainPosition {
  sequence: number;
  sha256: string;
}

const SELECT_ALL = `SELECT sequence, time, examiner, os_user, action, subject, parameters, previous_sha256, sha256
  FROM audit_log ORDER BY sequence`;
const SELECT_BY_SUBJECT = `SELECT sequence, time, examiner, os_user, action, subject, parameters, previous_sha256, sha256
  FROM audit_log WHERE subject = ? ORDER BY sequence`;
const SELECT_LATEST_OF_ACTION = `SELECT sequence, time, examiner, os_user, action, subject, parameters, previous_sha256, sha256
  FROM audit_log WHERE action = ? ORDER BY sequence DESC LIMIT 1`;
const SELECT_FIRST = 'SELECT sequence, sha256 FROM audit_log ORDER BY sequence LIMIT 1';
const SELECT_HEAD = 'SELECT sequence, sha256 FROM audit_log ORDER BY sequence DESC LIMIT 1';

export class AuditStore {
  readonly #db: SqliteDatabase;

  constructor(db: SqliteDatabase) {
    this.#db = db;
  }

  /** Every entry in sequence order, or only those about one subject (e.g. 'item:12'). */
  *rows(filter: { subject?: string } = {}): IterableIterator<StoredAuditRow> {
    const rows =
      filter.subject === undefined
        ? (this.#db.prepare(SELECT_ALL).iterate() as IterableIterator<AuditLogRow>)
        : (this.#db.prepare(SELECT_BY_SUBJECT).iterate(filter.subject) as IterableIterator<AuditLogRow>);
    for (const row of rows) yield auditEntryFromRow(row);
  }

  /** The newest entry of one action (e.g. the latest 'verify'), or null. */
  latest(action: string): StoredAuditRow | null {
    const row = this.#db.prepare(SELECT_LATEST_OF_ACTION).get(action) as AuditLogRow | undefined;
    return row ? auditEntryFromRow(row) : null;
  }

  /** The first entry's hash identifies the chain (checkpoints name it). */
  first(): ChainPosition | null {
    return (this.#db.prepare(SELECT_FIRST).get() as ChainPosition | undefined) ?? null;
  }

  head(): ChainPosition | null {
    return (this.#db.prepare(SELECT_HEAD).get() as ChainPosition | undefined) ?? null;
  }
}
