/**
 * The stores of one case database, built over one connection and sharing one write path, so
 * that every state change and its audit entry commit together whichever store makes it.
 */
import type { Database as SqliteDatabase } from 'better-sqlite3';
import { AuditStore } from './audit-store.ts';
import { CaseStore } from './case-store.ts';
import { CaseWritePath } from './case-write-path.ts';
import { CheckpointStore } from './checkpoint-store.ts';
import { DatabaseFile } from './database-file.ts';
import { ExaminerStore } from './examiner-store.ts';
import { HashMatchStore } from './hash-match-store.ts';
import { ImportStore } from './import-store.ts';
import { ItemStore } from './item-store.ts';
import { JobStore } from './job-store.ts';
import { PurificationStore } from './purification-store.ts';
import { ReportStore } from './report-store.ts';
import { TagNoteStore } from './tag-note-store.ts';
import { TagReversalStore } from './tag-reversal-store.ts';
import { VerdictStore } from './verdict-store.ts';

export interface CaseStores {
  readonly write: CaseWritePath;
  readonly audit: AuditStore;
  readonly cases: CaseStore;
  readonly examiners: ExaminerStore;
  readonly checkpoints: CheckpointStore;
  readonly items: ItemStore;
  readonly imports: ImportStore;
  readonly jobs: JobStore;
  readonly tagsAndNotes: TagNoteStore;
  readonly tagReversals: TagReversalStore;
  readonly runs: PurificationStore;
  readonly verdicts: VerdictStore;
  readonly reports: ReportStore;
  readonly hashMatches: HashMatchStore;
  readonly file: DatabaseFile;
}

export function caseStores(db: SqliteDatabase, path: string): CaseStores {
  const audit = new AuditStore(db);
  const write = new CaseWritePath(db, audit);
  const cases = new CaseStore(db, write, path);
  const items = new ItemStore(db, cases);
  const jobs = new JobStore(db, write, cases);
  const runs = new PurificationStore(db, write, items);
  const hashMatches = new HashMatchStore(db, write, cases);
  return {
    write,
    audit,
    cases,
    examiners: new ExaminerStore(db, write),
    checkpoints: new CheckpointStore(db),
    items,
    imports: new ImportStore(db, write, items, jobs, hashMatches),
    jobs,
    tagsAndNotes: new TagNoteStore(db, write, cases, items),
    tagReversals: new TagReversalStore(db, write, cases),
    runs,
    verdicts: new VerdictStore(db, write, items, runs),
    reports: new ReportStore(db, write, cases),
    hashMatches,
    file: new DatabaseFile(db),
  };
}
