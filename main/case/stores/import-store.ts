/**
 * What an import did with each source file (import_outcomes): imported as a new item, a
 * duplicate of an item already in the case, or an error. Each outcome advances its job's
 * progress and is chained, so that a resumed import skips exactly the files already dealt with.
 */
import type { Database as SqliteDatabase } from 'better-sqlite3';
import type { EvidenceItem, ImportOutcome, ImportOutcomeKind, ItemMatchHashes } from '../records.ts';
import type { HashMatchStore } from './hash-match-store.ts';
import { utcNow, type CaseWritePath } from './case-write-path.ts';
import type { ItemStore, NewEvidenceItem } from './item-store.ts';
import type { JobStore } from './job-store.ts';

/** An import_outcomes row as stored. */
export interface ImportOutcomeRow {
  job_id: number;
  source_path: string;
  outcome: ImportOutcomeKind;
  item_id: number | null;
  error_kind: string | null;
  message: string | null;
  recorded_at: string;
}

export function importOutcomeFromRow(row: ImportOutcomeRow): ImportOutcome {
  return { sourcePath: row.source_path, outcome: row.outcome, itemId: row.item_id, errorKind: row.error_kind, message: row.message };
}

type Outcome = { outcome: 'imported' | 'duplicate'; itemId: number } | { outcome: 'error'; errorKind: string; message: string };

export interface ImportDuplicate {
  jobId: number;
  sourcePath: string;
  existingItemId: number;
  sha256: string;
  examiner: string;
}

const INSERT_OUTCOME = `INSERT INTO import_outcomes (job_id, source_path, outcome, item_id, error_kind, message, recorded_at)
  VALUES (?, ?, ?, ?, ?, ?, ?)`;
const SELECT_OUTCOMES = `SELECT job_id, source_path, outcome, item_id, error_kind, message, recorded_at
  FROM import_outcomes WHERE job_id = ? ORDER BY rowid`;
const SELECT_HANDLED_SOURCES = 'SELECT source_path FROM import_outcomes WHERE job_id = ?';

export class ImportStore {
  readonly #db: SqliteDatabase;
  readonly #write: CaseWritePath;
  readonly #items: ItemStore;
  readonly #jobs: JobStore;
  readonly #matches: HashMatchStore;

  constructor(db: SqliteDatabase, write: CaseWritePath, items: ItemStore, jobs: JobStore, matches: HashMatchStore) {
    this.#db = db;
    this.#write = write;
    this.#items = items;
    this.#jobs = jobs;
    this.#matches = matches;
  }

  /**
   * Records a file taken into the case. The evidence file must already be in the store (synced),
   * so a committed row never names a file that is not there. When another process imported the
   * same content meanwhile, the file is recorded as a duplicate of that item instead.
   */
  recordImported(input: NewEvidenceItem & Partial<ItemMatchHashes> & { jobId: number; examiner: string }): { item: EvidenceItem; duplicate: boolean } {
    return this.#write.run(() => {
      const existing = this.#items.findBySha256(input.sha256);
      if (existing) {
        this.recordDuplicate({
          jobId: input.jobId,
          sourcePath: input.originalPath,
          existingItemId: existing.id,
          sha256: input.sha256,
          examiner: input.examiner,
        });
        return { item: existing, duplicate: true };
      }
      const examinerId = this.#write.examinerId(input.examiner);
      const itemId = this.#items.insert(input, { examinerId, jobId: input.jobId });
      this.#recordOutcome(input.jobId, input.originalPath, { outcome: 'imported', itemId });
      const { sha1, pdqVariants } = input;
      const matchHashes = sha1 !== undefined && pdqVariants !== undefined ? { sha1, pdqVariants } : null;
      if (matchHashes) this.#matches.insertMatchHashes(itemId, matchHashes);
      this.#write.audit({
        examiner: input.examiner,
        action: 'import',
        subject: `item:${itemId}`,
        parameters: {
          jobId: input.jobId,
          originalPath: input.originalPath,
          originalName: input.originalName,
          sizeBytes: input.sizeBytes,
          mediaType: input.mediaType,
          width: input.width,
          height: input.height,
          sha256: input.sha256,
          md5: input.md5,
          pdqHash: input.pdqHash,
          pdqQuality: input.pdqQuality,
          storePath: input.storePath,
          decodeNotes: input.decodeNotes,
          ...(matchHashes ?? {}),
        },
      });
      return { item: this.#items.get(itemId), duplicate: false };
    });
  }

  recordDuplicate(input: ImportDuplicate): void {
    this.#write.run(() => {
      this.#recordOutcome(input.jobId, input.sourcePath, { outcome: 'duplicate', itemId: input.existingItemId });
      this.#write.audit({
        examiner: input.examiner,
        action: 'import-duplicate',
        subject: `item:${input.existingItemId}`,
        parameters: { jobId: input.jobId, originalPath: input.sourcePath, sha256: input.sha256 },
      });
    });
  }

  recordError(input: { jobId: number; sourcePath: string; errorKind: string; message: string; examiner: string }): void {
    this.#write.run(() => {
      this.#recordOutcome(input.jobId, input.sourcePath, { outcome: 'error', errorKind: input.errorKind, message: input.message });
      this.#write.audit({
        examiner: input.examiner,
        action: 'import-error',
        subject: `file:${input.sourcePath}`,
        parameters: { jobId: input.jobId, errorKind: input.errorKind, message: input.message },
      });
    });
  }

  #recordOutcome(jobId: number, sourcePath: string, outcome: Outcome): void {
    const now = utcNow();
    const isError = outcome.outcome === 'error';
    this.#db
      .prepare(INSERT_OUTCOME)
      .run(jobId, sourcePath, outcome.outcome, isError ? null : outcome.itemId, isError ? outcome.errorKind : null, isError ? outcome.message : null, now);
    this.#jobs.advance(jobId, now);
  }

  outcomes(jobId: number): ImportOutcome[] {
    return (this.#db.prepare(SELECT_OUTCOMES).all(jobId) as ImportOutcomeRow[]).map(importOutcomeFromRow);
  }

  /** Source paths the job has already dealt with, so that a resumed job skips them. */
  handledSources(jobId: number): Set<string> {
    return new Set(this.#db.prepare(SELECT_HANDLED_SOURCES).pluck().all(jobId) as string[]);
  }
}
