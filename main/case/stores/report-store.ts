/** Reports written from the case (reports): where each file went and the SHA-256 it had then. */
import type { Database as SqliteDatabase } from 'better-sqlite3';
import type { ReportInput, ReportRecord } from '../records.ts';
import { utcNow, type CaseWritePath } from './case-write-path.ts';
import type { CaseStore } from './case-store.ts';
import { assertSha256 } from './purification-store.ts';

/** A reports row as stored. */
export interface ReportRow {
  id: number;
  case_id: number;
  report_uid: string;
  format: string;
  path: string;
  sha256: string;
  examiner_id: number;
  created_at: string;
}

type ReportReadRow = Omit<ReportRow, 'case_id' | 'examiner_id'> & { examiner: string };

export function reportFromRow(row: ReportReadRow): ReportRecord {
  return { id: row.id, reportUid: row.report_uid, format: row.format, path: row.path, sha256: row.sha256, examiner: row.examiner, createdAt: row.created_at };
}

const INSERT_REPORT = 'INSERT INTO reports (case_id, report_uid, format, path, sha256, examiner_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)';
const SELECT_REPORTS = `SELECT r.id, r.report_uid, r.format, r.path, r.sha256, e.name AS examiner, r.created_at
  FROM reports r JOIN examiners e ON e.id = r.examiner_id ORDER BY r.id`;
const STORED_ROWS = 'SELECT * FROM reports ORDER BY rowid';

export class ReportStore {
  readonly #db: SqliteDatabase;
  readonly #write: CaseWritePath;
  readonly #cases: CaseStore;

  constructor(db: SqliteDatabase, write: CaseWritePath, cases: CaseStore) {
    this.#db = db;
    this.#write = write;
    this.#cases = cases;
  }

  record(input: ReportInput): ReportRecord {
    assertSha256(input.sha256, 'report SHA-256');
    return this.#write.run(() => {
      const examinerId = this.#write.examinerId(input.examiner);
      const reportId = Number(
        this.#db.prepare(INSERT_REPORT).run(this.#cases.get().id, input.reportUid, input.format, input.path, input.sha256, examinerId, utcNow())
          .lastInsertRowid,
      );
      this.#write.audit({
        examiner: input.examiner,
        action: 'report',
        subject: `report:${input.reportUid}`,
        parameters: { reportId, format: input.format, path: input.path, sha256: input.sha256, ...(input.scope ? { scope: input.scope } : {}) },
      });
      return this.all().find((report) => report.id === reportId)!;
    });
  }

  all(): ReportRecord[] {
    return (this.#db.prepare(SELECT_REPORTS).all() as ReportReadRow[]).map(reportFromRow);
  }

  /** The rows as stored, for verification against the audit chain. */
  storedRows(): ReportRow[] {
    return this.#db.prepare(STORED_ROWS).all() as ReportRow[];
  }
}
