/**
 * The one way anything is written to a case database. A state change runs inside `run`, one
 * IMMEDIATE transaction, and appends its audit entry there with `audit`: the rows and the entry
 * that describes them are both on disk or neither is, and two processes working on one case
 * cannot interleave their chain links (the write lock is taken before the chain's head is read).
 */
import type { Database as SqliteDatabase } from 'better-sqlite3';
import { auditEntryHash, GENESIS_SHA256, type StoredAuditRow } from '../audit-chain.ts';
import { canonicalJson } from '../canonical-json.ts';
import { currentOsUser } from '../os-user.ts';
import { normaliseName } from '../text-safety.ts';
import type { AuditStore } from './audit-store.ts';

export interface AuditAppend {
  examiner: string;
  action: string;
  subject: string;
  parameters?: Record<string, unknown>;
}

const INSERT_AUDIT_ENTRY = `INSERT INTO audit_log (sequence, time, examiner, os_user, action, subject, parameters, previous_sha256, sha256)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`;
const SELECT_EXAMINER_ID = 'SELECT id FROM examiners WHERE name = ?';
const INSERT_EXAMINER = 'INSERT INTO examiners (name, created_at) VALUES (?, ?)';

export function utcNow(): string {
  return new Date().toISOString();
}

export class CaseWritePath {
  readonly #db: SqliteDatabase;
  readonly #audit: AuditStore;

  constructor(db: SqliteDatabase, audit: AuditStore) {
    this.#db = db;
    this.#audit = audit;
  }

  /** Runs `work` in one IMMEDIATE transaction (nested calls join the outer one). */
  run<T>(work: () => T): T {
    return this.#db.transaction(work).immediate();
  }

  /** Appends the next chain link. Only inside `run`, so that it commits with the rows it describes. */
  audit({ examiner: typedExaminer, action, subject, parameters = {} }: AuditAppend): StoredAuditRow {
    if (!this.#db.inTransaction) throw new Error(`audit entry '${action}' appended outside a write transaction`);
    const examiner = normaliseName(typedExaminer, 'examiner name');
    const osUser = currentOsUser();
    const last = this.#audit.head();
    const content = {
      sequence: (last?.sequence ?? 0) + 1,
      time: utcNow(),
      examiner,
      osUser,
      action,
      subject,
      parameters,
      previousSha256: last?.sha256 ?? GENESIS_SHA256,
    };
    // Hash what will be read back: parameters round-tripped through their stored canonical text.
    const parametersText = canonicalJson(parameters);
    const sha256 = auditEntryHash({ ...content, parameters: JSON.parse(parametersText) });
    this.#db.prepare(INSERT_AUDIT_ENTRY).run(content.sequence, content.time, examiner, osUser, action, subject, parametersText, content.previousSha256, sha256);
    return { ...content, parameters: parametersText, sha256 };
  }

  /**
   * The id of the examiner acting now; a name seen for the first time is registered, with its
   * own audit entry (before the entry of what they do). Only inside `run`.
   */
  examinerId(name: string): number {
    const trimmed = normaliseName(name, 'examiner name');
    const existing = this.#db.prepare(SELECT_EXAMINER_ID).get(trimmed) as { id: number } | undefined;
    if (existing) return existing.id;
    const id = Number(this.#db.prepare(INSERT_EXAMINER).run(trimmed, utcNow()).lastInsertRowid);
    this.audit({ examiner: trimmed, action: 'examiner-register', subject: `examiner:${id}`, parameters: { name: trimmed, osUser: currentOsUser() } });
    return id;
  }
}
