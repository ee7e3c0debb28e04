/**
 * The case database: one SQLite file per case folder, reached only through this class and the
 * stores under stores/ (one per area: audit log, the case, examiners and their keys, checkpoints,
 * items, imports, jobs, tags and notes, purification runs, verdicts, reports).
 *
 * Every method is synchronous (better-sqlite3), so the class can move as it is into a worker
 * thread behind typed messages when the desktop app needs the UI thread free. Every state change
 * and its audit-log entry are written in one IMMEDIATE transaction by the stores' shared write
 * path (stores/case-write-path.ts): either both are on disk or neither is, and two processes
 * working on one case cannot interleave their chain links.
 */
import Database, { type Database as SqliteDatabase } from 'better-sqlite3';
import { UserInputError } from '../errors/user-input-error.ts';
import type { StoredAuditRow } from './audit-chain.ts';
import { LATEST_SCHEMA_VERSION, migrate } from './migrations.ts';
import type {
  CaseRecord,
  CheckpointRecord,
  EvidenceItem,
  ExaminerKeyRecord,
  HashMatchRecord,
  ImportOutcome,
  ItemMatchHashes,
  ItemFilter,
  ItemSummary,
  JobRecord,
  JobState,
  NewHashMatch,
  NoteRecord,
  PurificationRun,
  PurificationRunInput,
  ReportInput,
  ReportRecord,
  TagRecord,
  Verdict,
  VerdictInput,
} from './records.ts';
import type { ChainPosition } from './stores/audit-store.ts';
import { caseStores, type CaseStores } from './stores/case-stores.ts';
import type { AuditAppend } from './stores/case-write-path.ts';
import type { ImportDuplicate } from './stores/import-store.ts';
import type { NewEvidenceItem } from './stores/item-store.ts';
import type { HashMatchRun } from './stores/hash-match-store.ts';
import type { FinishedJobState } from './stores/job-store.ts';
import type { TagReversal } from './stores/tag-reversal-store.ts';

export type { AuditAppend } from './stores/case-write-path.ts';
export type { NewEvidenceItem } from './stores/item-store.ts';
export { SYSTEM_EXAMINER } from './stores/job-store.ts';
export type { CheckpointRecord, ExaminerKeyRecord } from './records.ts';

export interface OpenCaseDatabaseOptions {
  /** Open without writing anything (no migrations, no job bookkeeping). */
  readonly?: boolean;
}

export class CaseDatabase {
  readonly #db: SqliteDatabase;
  readonly path: string;
  /** The stores themselves, for readers that need more than this facade (verification). */
  readonly stores: CaseStores;

  private constructor(db: SqliteDatabase, path: string) {
    this.#db = db;
    this.path = path;
    this.stores = caseStores(db, path);
  }

  static open(path: string, options: OpenCaseDatabaseOptions = {}): CaseDatabase {
    let db: SqliteDatabase;
    try {
      db = new Database(path, { readonly: options.readonly ?? false, fileMustExist: options.readonly ?? false });
    } catch (error) {
      throw new UserInputError(`${path}: cannot open case database (${(error as Error).message})`);
    }
    try {
      // Another process (a second import, the desktop app) may hold the write lock briefly.
      db.pragma('busy_timeout = 10000');
      db.pragma('foreign_keys = ON');
      if (!options.readonly) {
        // WAL survives a killed process with every committed transaction intact. NORMAL only
        // syncs at checkpoints: a power cut may lose the last commits but never corrupts the
        // file, and evidence files are synced before the rows that name them are committed.
        db.pragma('journal_mode = WAL');
        db.pragma('synchronous = NORMAL');
        migrate(db, path);
      } else {
        const version = db.pragma('user_version', { simple: true }) as number;
        if (version !== LATEST_SCHEMA_VERSION) {
          throw new UserInputError(
            `${path}: case database has schema version ${version}, this program reads version ${LATEST_SCHEMA_VERSION}` +
              (version < LATEST_SCHEMA_VERSION ? ' (open it once with a command that writes, to upgrade it)' : '; use a newer acsr'),
          );
        }
      }
      return new CaseDatabase(db, path);
    } catch (error) {
      db.close();
      if (error instanceof UserInputError) throw error;
      throw new UserInputError(`${path}: not a usable case database (${(error as Error).message})`);
    }
  }

  close(): void {
    if (this.#db.open) this.#db.close();
  }

  // ---- audit log -------------------------------------------------------------------------

  /** Appends an entry on its own; state changes use the methods below, which append for you. */
  appendAudit(entry: AuditAppend): StoredAuditRow {
    return this.stores.write.run(() => this.stores.write.audit(entry));
  }

  auditRows(filter: { subject?: string } = {}): IterableIterator<StoredAuditRow> {
    return this.stores.audit.rows(filter);
  }

  /** The newest audit entry of one action (e.g. 'verify': the latest verification's outcome), or null. */
  latestAudit(action: string): StoredAuditRow | null {
    return this.stores.audit.latest(action);
  }

  /** The first entry's hash identifies the chain (checkpoints name it). */
  auditFirst(): ChainPosition | null {
    return this.stores.audit.first();
  }

  auditHead(): ChainPosition | null {
    return this.stores.audit.head();
  }

  // ---- the case --------------------------------------------------------------------------

  createCase(input: { number: string; title: string; requester?: string; examiner: string; folder?: string }): CaseRecord {
    return this.stores.cases.create(input);
  }

  /** Closing is recorded, not enforced: a closed case can still be verified and reported on. */
  closeCase(input: { examiner: string; reason?: string }): CaseRecord {
    return this.stores.cases.close(input);
  }

  getCase(): CaseRecord {
    return this.stores.cases.get();
  }

  // ---- evidence items and imports --------------------------------------------------------

  findItemBySha256(sha256: string): EvidenceItem | null {
    return this.stores.items.findBySha256(sha256);
  }

  getItem(itemId: number): EvidenceItem {
    return this.stores.items.get(itemId);
  }

  items(): IterableIterator<EvidenceItem> {
    return this.stores.items.all();
  }

  itemCount(): number {
    return this.stores.items.count();
  }

  /** Items with their current category and user tags, filtered (all conditions must hold). */
  listItems(filter: ItemFilter = {}): ItemSummary[] {
    return this.stores.items.list(filter);
  }

  /** See ImportStore.recordImported: the file must already be in the evidence store. */
  recordImportedItem(input: NewEvidenceItem & Partial<ItemMatchHashes> & { jobId: number; examiner: string }): { item: EvidenceItem; duplicate: boolean } {
    return this.stores.imports.recordImported(input);
  }

  recordImportDuplicate(input: ImportDuplicate): void {
    this.stores.imports.recordDuplicate(input);
  }

  recordImportError(input: { jobId: number; sourcePath: string; errorKind: string; message: string; examiner: string }): void {
    this.stores.imports.recordError(input);
  }

  importOutcomes(jobId: number): ImportOutcome[] {
    return this.stores.imports.outcomes(jobId);
  }

  /** Source paths the job has already dealt with, so that a resumed job skips them. */
  handledSources(jobId: number): Set<string> {
    return this.stores.imports.handledSources(jobId);
  }

  // ---- jobs ------------------------------------------------------------------------------

  startJob(input: { kind: string; parameters: Record<string, unknown>; examiner: string; total?: number }): JobRecord {
    return this.stores.jobs.start(input);
  }

  /** Takes over a job that stopped before finishing; it becomes this process's running job. */
  resumeJob(jobId: number, examiner: string): JobRecord {
    return this.stores.jobs.resume(jobId, examiner);
  }

  setJobTotal(jobId: number, total: number): void {
    this.stores.jobs.setTotal(jobId, total);
  }

  finishJob(jobId: number, state: FinishedJobState, examiner: string, details: { error?: string; summary?: Record<string, unknown> } = {}): JobRecord {
    return this.stores.jobs.finish(jobId, state, examiner, details);
  }

  /** Jobs left 'running' by a process that is gone are marked interrupted (JobStore.markAbandoned). */
  markAbandonedJobs(): JobRecord[] {
    return this.stores.jobs.markAbandoned();
  }

  getJob(jobId: number): JobRecord {
    return this.stores.jobs.get(jobId);
  }

  jobs(filter: { kind?: string; states?: readonly JobState[] } = {}): JobRecord[] {
    return this.stores.jobs.all(filter);
  }

  // ---- tags and notes --------------------------------------------------------------------

  addTag(input: { itemId: number; category?: string; tag?: string; comment?: string; examiner: string }): TagRecord {
    return this.stores.tagsAndNotes.addTag(input);
  }

  /** One category or user tag on every item, all or none; the new tag ids, for an undo. */
  addTags(input: { itemIds: number[]; category?: string; tag?: string; comment?: string; examiner: string }): number[] {
    return this.stores.tagsAndNotes.addTags(input);
  }

  /** Every tag ever given, oldest first (those taken back marked): the history of categorisation is part of the record. */
  tagsOf(itemId: number): TagRecord[] {
    return this.stores.tagsAndNotes.tagsOf(itemId);
  }

  /** Takes back tags (an undo), with one audit entry naming the entries it reverses. */
  reverseTags(input: { tagIds: number[]; examiner: string }): TagReversal {
    return this.stores.tagReversals.reverse(input);
  }

  /** A note on the case as a whole (no itemId) or on one item. */
  addNote(input: { itemId?: number; text: string; examiner: string }): NoteRecord {
    return this.stores.tagsAndNotes.addNote(input);
  }

  /** itemId null: the case's own notes; a number: that item's; omitted: all. */
  notes(filter: { itemId?: number | null } = {}): NoteRecord[] {
    return this.stores.tagsAndNotes.notes(filter);
  }

  // ---- purification, verdicts, reports (written by `case purify` and `case report`) ------

  recordPurificationRun(input: PurificationRunInput): PurificationRun {
    return this.stores.runs.record(input);
  }

  /**
   * A run together with the content filter's verdicts on its input and output, in one
   * transaction. A resumed job skips every item that has a run, so a run written without its
   * verdicts (the process killed in between) would stay without them for good.
   */
  recordPurificationWithVerdicts(
    input: PurificationRunInput,
    verdicts: readonly Omit<VerdictInput, 'itemId' | 'purificationRunId'>[],
  ): { run: PurificationRun; verdicts: Verdict[] } {
    return this.stores.write.run(() => {
      const run = this.stores.runs.record(input);
      return { run, verdicts: verdicts.map((verdict) => this.stores.verdicts.record({ ...verdict, itemId: input.itemId, purificationRunId: run.id })) };
    });
  }

  purificationRuns(itemId: number): PurificationRun[] {
    return this.stores.runs.runsOf(itemId);
  }

  recordVerdict(input: VerdictInput): Verdict {
    return this.stores.verdicts.record(input);
  }

  verdicts(itemId: number): Verdict[] {
    return this.stores.verdicts.verdictsOf(itemId);
  }

  recordReport(input: ReportInput): ReportRecord {
    return this.stores.reports.record(input);
  }

  reports(): ReportRecord[] {
    return this.stores.reports.all();
  }

  // ---- known-content hash list matches (written by an import and by `case match`) --------

  /** Adds the matches not already in the case, with one audit entry for the run. */
  recordHashMatches(input: { examiner: string; run: HashMatchRun; matches: readonly NewHashMatch[] }): { added: HashMatchRecord[]; auditSequence: number } {
    return this.stores.hashMatches.record(input);
  }

  /** Every match kept in the case, or one item's. */
  hashMatches(itemId?: number): HashMatchRecord[] {
    return itemId === undefined ? this.stores.hashMatches.all() : this.stores.hashMatches.ofItem(itemId);
  }

  /** Item id -> the SHA-1 and rotated/mirrored PDQ hashes its import kept. */
  itemMatchHashes(): Map<number, ItemMatchHashes> {
    return this.stores.hashMatches.matchHashes();
  }

  /**
   * Changes whenever an item or the match hashes of one are added, by this connection or another
   * (an import job, the CLI): what anything computed from the items' hashes can be cached against.
   */
  itemHashesVersion(): string {
    return `items ${this.stores.items.rowsVersion()}, match hashes ${this.stores.hashMatches.matchHashesVersion()}`;
  }

  // ---- signing keys and checkpoints (see checkpoints.ts) ---------------------------------

  /** Records an examiner's public key in the case, once per key, with its own audit entry. */
  recordExaminerKey(input: { examiner: string; publicKey: string; fingerprint: string }): void {
    this.stores.examiners.recordKey(input);
  }

  examinerKeys(): ExaminerKeyRecord[] {
    return this.stores.examiners.keys();
  }

  /** Stores a signed checkpoint (not an audit entry: see CheckpointStore). */
  recordCheckpoint(checkpoint: Omit<CheckpointRecord, 'id'>): CheckpointRecord {
    return this.stores.checkpoints.record(checkpoint);
  }

  checkpoints(): CheckpointRecord[] {
    return this.stores.checkpoints.all();
  }
}
