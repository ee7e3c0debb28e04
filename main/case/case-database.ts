/**
 * The case database: one SQLite file per case folder, reached only through this class.
 *
 * Every method is synchronous (better-sqlite3), so the class can move as it is into a worker
 * thread behind typed messages when the desktop app needs the UI thread free. Every state change
 * and its audit-log entry are written in one IMMEDIATE transaction: either both are on disk or
 * neither is, and two processes working on one case cannot interleave their chain links.
 */
import Database, { type Database as SqliteDatabase } from 'better-sqlite3';
import { hostname } from 'node:os';
import { UserInputError } from '../errors/user-input-error.ts';
import { auditEntryHash, GENESIS_SHA256, type StoredAuditRow } from './audit-chain.ts';
import { canonicalJson } from './canonical-json.ts';
import { LATEST_SCHEMA_VERSION, migrate } from './migrations.ts';
import { currentOsUser } from './os-user.ts';
import { normaliseName, normaliseOptionalName } from './text-safety.ts';
import type {
  CaseRecord,
  EvidenceItem,
  ImportOutcome,
  ItemFilter,
  ItemSummary,
  JobRecord,
  JobState,
  NoteRecord,
  PurificationRun,
  PurificationRunInput,
  ReportInput,
  ReportRecord,
  TagRecord,
  Verdict,
  VerdictInput,
} from './records.ts';
import { CURRENT_CATEGORY, ITEM_COLUMNS, ITEM_FROM, ITEM_SELECT, itemFromRow, JOB_SELECT, jobFromRow, type ItemRow, type JobRow } from './case-rows.ts';
import { parseCategory, validateUserTag, type CategoryCode } from './tag-categories.ts';

/** Audit entries written by the program itself rather than on a person's behalf. */
export const SYSTEM_EXAMINER = 'acsr (automatic)';

export interface AuditAppend {
  examiner: string;
  action: string;
  subject: string;
  parameters?: Record<string, unknown>;
}

/** What an import knows about a file before the database gives it an id and an import entry. */
export type NewEvidenceItem = Omit<EvidenceItem, 'id' | 'importedAt' | 'examiner' | 'importJobId'>;

export interface OpenCaseDatabaseOptions {
  /** Open without writing anything (no migrations, no job bookkeeping). */
  readonly?: boolean;
}

export class CaseDatabase {
  readonly #db: SqliteDatabase;
  readonly path: string;

  private constructor(db: SqliteDatabase, path: string) {
    this.#db = db;
    this.path = path;
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

  /** For checks that inspect the schema itself (verify-case.ts); not for changing anything. */
  get connection(): SqliteDatabase {
    return this.#db;
  }

  #write<T>(work: () => T): T {
    return this.#db.transaction(work).immediate();
  }

  // ---- audit log -------------------------------------------------------------------------

  /** Appends an entry on its own; state changes use the methods below, which append for you. */
  appendAudit(entry: AuditAppend): StoredAuditRow {
    return this.#write(() => this.#appendAudit(entry));
  }

  #appendAudit({ examiner: typedExaminer, action, subject, parameters = {} }: AuditAppend): StoredAuditRow {
    const examiner = normaliseName(typedExaminer, 'examiner name');
    const osUser = currentOsUser();
    const last = this.#db.prepare('SELECT sequence, sha256 FROM audit_log ORDER BY sequence DESC LIMIT 1').get() as
      | { sequence: number; sha256: string }
      | undefined;
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
    this.#db
      .prepare(
        `INSERT INTO audit_log (sequence, time, examiner, os_user, action, subject, parameters, previous_sha256, sha256)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(content.sequence, content.time, examiner, osUser, action, subject, parametersText, content.previousSha256, sha256);
    return { ...content, parameters: parametersText, sha256 };
  }

  *auditRows(filter: { subject?: string } = {}): IterableIterator<StoredAuditRow> {
    const where = filter.subject === undefined ? '' : 'WHERE subject = @subject';
    const statement = this.#db.prepare(
      `SELECT sequence, time, examiner, os_user AS osUser, action, subject, parameters, previous_sha256 AS previousSha256, sha256
       FROM audit_log ${where} ORDER BY sequence`,
    );
    yield* statement.iterate(filter) as IterableIterator<StoredAuditRow>;
  }

  /** The first entry's hash identifies the chain (checkpoints name it). */
  auditFirst(): { sequence: number; sha256: string } | null {
    return (this.#db.prepare('SELECT sequence, sha256 FROM audit_log ORDER BY sequence LIMIT 1').get() as
      | { sequence: number; sha256: string }
      | undefined) ?? null;
  }

  auditHead(): { sequence: number; sha256: string } | null {
    return (this.#db.prepare('SELECT sequence, sha256 FROM audit_log ORDER BY sequence DESC LIMIT 1').get() as
      | { sequence: number; sha256: string }
      | undefined) ?? null;
  }

  // ---- examiners and the case ------------------------------------------------------------

  #examinerId(name: string): number {
    const trimmed = normaliseName(name, 'examiner name');
    const existing = this.#db.prepare('SELECT id FROM examiners WHERE name = ?').get(trimmed) as { id: number } | undefined;
    if (existing) return existing.id;
    const id = Number(this.#db.prepare('INSERT INTO examiners (name, created_at) VALUES (?, ?)').run(trimmed, utcNow()).lastInsertRowid);
    this.#appendAudit({ examiner: trimmed, action: 'examiner-register', subject: `examiner:${id}`, parameters: { name: trimmed, osUser: currentOsUser() } });
    return id;
  }

  createCase(input: { number: string; title: string; requester?: string; examiner: string; folder?: string }): CaseRecord {
    return this.#write(() => {
      if (this.#db.prepare('SELECT 1 FROM cases').get()) {
        throw new UserInputError(`${this.path} already holds case ${this.getCase().number}`);
      }
      const number = normaliseName(input.number, 'case number');
      const title = input.title.trim().length === 0 ? '' : normaliseName(input.title, 'case title');
      const requester = normaliseOptionalName(input.requester, 'requester');
      const examinerId = this.#examinerId(input.examiner);
      this.#db
        .prepare('INSERT INTO cases (number, title, requester, created_at, created_by) VALUES (?, ?, ?, ?, ?)')
        .run(number, title, requester, utcNow(), examinerId);
      this.#appendAudit({
        examiner: input.examiner,
        action: 'case-create',
        subject: `case:${number}`,
        parameters: { number, title, requester, folder: input.folder ?? null },
      });
      return this.getCase();
    });
  }

  /** Closing is recorded, not enforced: a closed case can still be verified and reported on. */
  closeCase(input: { examiner: string; reason?: string }): CaseRecord {
    return this.#write(() => {
      const current = this.getCase();
      if (current.closedAt !== null) throw new UserInputError(`case ${current.number} was already closed on ${current.closedAt}`);
      this.#examinerId(input.examiner);
      this.#db.prepare('UPDATE cases SET closed_at = ? WHERE id = ?').run(utcNow(), current.id);
      this.#appendAudit({ examiner: input.examiner, action: 'case-close', subject: `case:${current.number}`, parameters: { reason: input.reason ?? null } });
      return this.getCase();
    });
  }

  getCase(): CaseRecord {
    const row = this.#db
      .prepare(
        `SELECT c.id, c.number, c.title, c.requester, c.created_at AS createdAt, e.name AS createdBy, c.closed_at AS closedAt
         FROM cases c JOIN examiners e ON e.id = c.created_by ORDER BY c.id LIMIT 1`,
      )
      .get() as CaseRecord | undefined;
    if (!row) throw new UserInputError(`${this.path}: the database holds no case (was 'acsr case create' interrupted?)`);
    return row;
  }

  // ---- evidence items --------------------------------------------------------------------

  findItemBySha256(sha256: string): EvidenceItem | null {
    const row = this.#db.prepare(`${ITEM_SELECT} WHERE i.sha256 = ?`).get(sha256);
    return row ? itemFromRow(row as ItemRow) : null;
  }

  getItem(itemId: number): EvidenceItem {
    const row = this.#db.prepare(`${ITEM_SELECT} WHERE i.id = ?`).get(itemId);
    if (!row) throw new UserInputError(`no evidence item ${itemId} in case ${this.getCase().number}`);
    return itemFromRow(row as ItemRow);
  }

  *items(): IterableIterator<EvidenceItem> {
    for (const row of this.#db.prepare(`${ITEM_SELECT} ORDER BY i.id`).iterate()) yield itemFromRow(row as ItemRow);
  }

  itemCount(): number {
    return (this.#db.prepare('SELECT count(*) AS n FROM evidence_items').get() as { n: number }).n;
  }

  /** Items with their current category and user tags, filtered (all conditions must hold). */
  listItems(filter: ItemFilter = {}): ItemSummary[] {
    const conditions: string[] = [];
    const parameters: Record<string, unknown> = {};
    if (filter.category !== undefined) {
      conditions.push('category = @category');
      parameters.category = filter.category;
    }
    if (filter.uncategorised) conditions.push('category IS NULL');
    (filter.tags ?? []).forEach((tag, index) => {
      conditions.push(`EXISTS (SELECT 1 FROM tags t WHERE t.item_id = i.id AND t.kind = 'user' AND t.value = @tag${index})`);
      parameters[`tag${index}`] = validateUserTag(tag);
    });
    const rows = this.#db
      .prepare(
        `SELECT * FROM (SELECT ${ITEM_COLUMNS}, (${CURRENT_CATEGORY}) AS category ${ITEM_FROM}) i
         ${conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : ''} ORDER BY i.id`,
      )
      .all(parameters) as (ItemRow & { category: CategoryCode | null })[];
    const tagsOf = this.#db.prepare(`SELECT DISTINCT value FROM tags WHERE item_id = ? AND kind = 'user' ORDER BY value`).pluck();
    return rows.map((row) => ({ ...itemFromRow(row), category: row.category, tags: tagsOf.all(row.id) as string[] }));
  }

  /**
   * Records a file taken into the case. The evidence file must already be in the store (synced),
   * so a committed row never names a file that is not there. When another process imported the
   * same content meanwhile, the file is recorded as a duplicate of that item instead.
   */
  recordImportedItem(input: NewEvidenceItem & { jobId: number; examiner: string }): { item: EvidenceItem; duplicate: boolean } {
    return this.#write(() => {
      const existing = this.findItemBySha256(input.sha256);
      if (existing) {
        this.#recordDuplicate({ jobId: input.jobId, sourcePath: input.originalPath, existingItemId: existing.id, sha256: input.sha256, examiner: input.examiner });
        return { item: existing, duplicate: true };
      }
      const examinerId = this.#examinerId(input.examiner);
      const caseId = this.getCase().id;
      const itemId = Number(
        this.#db
          .prepare(
            `INSERT INTO evidence_items (case_id, original_name, original_path, size_bytes, media_type, width, height,
               sha256, md5, pdq_hash, pdq_quality, imported_at, examiner_id, store_path, import_job_id, decode_notes)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          )
          .run(
            caseId, input.originalName, input.originalPath, input.sizeBytes, input.mediaType, input.width, input.height,
            input.sha256, input.md5, input.pdqHash, input.pdqQuality, utcNow(), examinerId, input.storePath, input.jobId,
            JSON.stringify(input.decodeNotes),
          ).lastInsertRowid,
      );
      this.#recordOutcome(input.jobId, input.originalPath, { outcome: 'imported', itemId });
      this.#appendAudit({
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
        },
      });
      return { item: this.getItem(itemId), duplicate: false };
    });
  }

  recordImportDuplicate(input: { jobId: number; sourcePath: string; existingItemId: number; sha256: string; examiner: string }): void {
    this.#write(() => this.#recordDuplicate(input));
  }

  #recordDuplicate(input: { jobId: number; sourcePath: string; existingItemId: number; sha256: string; examiner: string }): void {
    this.#recordOutcome(input.jobId, input.sourcePath, { outcome: 'duplicate', itemId: input.existingItemId });
    this.#appendAudit({
      examiner: input.examiner,
      action: 'import-duplicate',
      subject: `item:${input.existingItemId}`,
      parameters: { jobId: input.jobId, originalPath: input.sourcePath, sha256: input.sha256 },
    });
  }

  recordImportError(input: { jobId: number; sourcePath: string; errorKind: string; message: string; examiner: string }): void {
    this.#write(() => {
      this.#recordOutcome(input.jobId, input.sourcePath, { outcome: 'error', errorKind: input.errorKind, message: input.message });
      this.#appendAudit({
        examiner: input.examiner,
        action: 'import-error',
        subject: `file:${input.sourcePath}`,
        parameters: { jobId: input.jobId, errorKind: input.errorKind, message: input.message },
      });
    });
  }

  #recordOutcome(
    jobId: number,
    sourcePath: string,
    outcome: { outcome: 'imported' | 'duplicate'; itemId: number } | { outcome: 'error'; errorKind: string; message: string },
  ): void {
    const now = utcNow();
    this.#db
      .prepare(
        `INSERT INTO import_outcomes (job_id, source_path, outcome, item_id, error_kind, message, recorded_at)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        jobId, sourcePath, outcome.outcome,
        outcome.outcome === 'error' ? null : outcome.itemId,
        outcome.outcome === 'error' ? outcome.errorKind : null,
        outcome.outcome === 'error' ? outcome.message : null,
        now,
      );
    this.#db.prepare('UPDATE jobs SET progress_done = progress_done + 1, updated_at = ? WHERE id = ?').run(now, jobId);
  }

  importOutcomes(jobId: number): ImportOutcome[] {
    return this.#db
      .prepare(
        `SELECT source_path AS sourcePath, outcome, item_id AS itemId, error_kind AS errorKind, message
         FROM import_outcomes WHERE job_id = ? ORDER BY rowid`,
      )
      .all(jobId) as ImportOutcome[];
  }

  /** Source paths the job has already dealt with, so that a resumed job skips them. */
  handledSources(jobId: number): Set<string> {
    return new Set(this.#db.prepare('SELECT source_path FROM import_outcomes WHERE job_id = ?').pluck().all(jobId) as string[]);
  }

  // ---- jobs ------------------------------------------------------------------------------

  startJob(input: { kind: string; parameters: Record<string, unknown>; examiner: string; total?: number }): JobRecord {
    return this.#write(() => {
      const examinerId = this.#examinerId(input.examiner);
      const now = utcNow();
      const jobId = Number(
        this.#db
          .prepare(
            `INSERT INTO jobs (case_id, kind, state, progress_total, parameters, examiner_id, owner_pid, owner_host, created_at, updated_at)
             VALUES (?, ?, 'running', ?, ?, ?, ?, ?, ?, ?)`,
          )
          .run(this.getCase().id, input.kind, input.total ?? null, canonicalJson(input.parameters), examinerId, process.pid, hostname(), now, now)
          .lastInsertRowid,
      );
      this.#appendAudit({ examiner: input.examiner, action: `${input.kind}-start`, subject: `job:${jobId}`, parameters: input.parameters });
      return this.getJob(jobId);
    });
  }

  /** Takes over a job that stopped before finishing; it becomes this process's running job. */
  resumeJob(jobId: number, examiner: string): JobRecord {
    return this.#write(() => {
      const job = this.getJob(jobId);
      if (job.state === 'running' || job.state === 'completed') {
        throw new UserInputError(`job ${jobId} is ${job.state}; only interrupted, cancelled or failed jobs can be resumed`);
      }
      this.#examinerId(examiner);
      this.#db
        .prepare(`UPDATE jobs SET state = 'running', error = NULL, finished_at = NULL, owner_pid = ?, owner_host = ?, updated_at = ? WHERE id = ?`)
        .run(process.pid, hostname(), utcNow(), jobId);
      this.#appendAudit({
        examiner,
        action: `${job.kind}-resume`,
        subject: `job:${jobId}`,
        parameters: { previousState: job.state, alreadyHandled: job.progressDone },
      });
      return this.getJob(jobId);
    });
  }

  setJobTotal(jobId: number, total: number): void {
    this.#db.prepare('UPDATE jobs SET progress_total = ?, updated_at = ? WHERE id = ?').run(total, utcNow(), jobId);
  }

  finishJob(jobId: number, state: Exclude<JobState, 'running' | 'interrupted'>, examiner: string, details: { error?: string; summary?: Record<string, unknown> } = {}): JobRecord {
    return this.#write(() => {
      const job = this.getJob(jobId);
      const now = utcNow();
      this.#db.prepare('UPDATE jobs SET state = ?, error = ?, finished_at = ?, updated_at = ? WHERE id = ?').run(state, details.error ?? null, now, now, jobId);
      const action = `${job.kind}-${state === 'completed' ? 'finish' : state === 'cancelled' ? 'cancel' : 'fail'}`;
      this.#appendAudit({
        examiner,
        action,
        subject: `job:${jobId}`,
        parameters: { ...(details.summary ?? {}), ...(details.error === undefined ? {} : { error: details.error }) },
      });
      return this.getJob(jobId);
    });
  }

  /**
   * Jobs left 'running' by a process that no longer exists (killed, crashed, power cut) are
   * marked interrupted, with an audit entry, so that nobody mistakes them for work in progress.
   * A job owned by a live process on this host is left alone; one from another host cannot be
   * checked and is left alone too.
   */
  markAbandonedJobs(): JobRecord[] {
    const running = this.#db.prepare(`SELECT id, owner_pid AS ownerPid, owner_host AS ownerHost FROM jobs WHERE state = 'running'`).all() as {
      id: number;
      ownerPid: number | null;
      ownerHost: string | null;
    }[];
    const abandoned = running.filter((job) => job.ownerHost === hostname() && (job.ownerPid === null || !isProcessAlive(job.ownerPid)));
    return abandoned.map(({ id }) =>
      this.#write(() => {
        const job = this.getJob(id);
        if (job.state !== 'running') return job;
        this.#db.prepare(`UPDATE jobs SET state = 'interrupted', error = ?, updated_at = ? WHERE id = ?`).run(
          `process ${job.ownerPid} ended without finishing the job`, utcNow(), id,
        );
        this.#appendAudit({
          examiner: SYSTEM_EXAMINER,
          action: 'job-interrupted',
          subject: `job:${id}`,
          parameters: { kind: job.kind, ownerPid: job.ownerPid, handled: job.progressDone, total: job.progressTotal },
        });
        return this.getJob(id);
      }),
    );
  }

  getJob(jobId: number): JobRecord {
    const row = this.#db.prepare(`${JOB_SELECT} WHERE j.id = ?`).get(jobId);
    if (!row) throw new UserInputError(`no job ${jobId} in this case`);
    return jobFromRow(row as JobRow);
  }

  jobs(filter: { kind?: string; states?: readonly JobState[] } = {}): JobRecord[] {
    const rows = this.#db.prepare(`${JOB_SELECT} ORDER BY j.id`).all() as JobRow[];
    return rows
      .map(jobFromRow)
      .filter((job) => (filter.kind === undefined || job.kind === filter.kind) && (filter.states === undefined || filter.states.includes(job.state)));
  }

  // ---- tags and notes --------------------------------------------------------------------

  addTag(input: { itemId: number; category?: string; tag?: string; comment?: string; examiner: string }): TagRecord {
    if ((input.category === undefined) === (input.tag === undefined)) {
      throw new UserInputError('give either a category (CAT-0..CAT-5) or a user tag, not both');
    }
    const kind = input.category !== undefined ? 'category' : 'user';
    const value = input.category !== undefined ? parseCategory(input.category) : validateUserTag(input.tag!);
    const comment = input.comment?.normalize('NFC').trim() || null;
    return this.#write(() => {
      this.getItem(input.itemId);
      const examinerId = this.#examinerId(input.examiner);
      const tagId = Number(
        this.#db
          .prepare('INSERT INTO tags (item_id, kind, value, comment, examiner_id, created_at) VALUES (?, ?, ?, ?, ?, ?)')
          .run(input.itemId, kind, value, comment, examinerId, utcNow()).lastInsertRowid,
      );
      this.#appendAudit({ examiner: input.examiner, action: 'tag', subject: `item:${input.itemId}`, parameters: { tagId, kind, value, comment } });
      return this.tagsOf(input.itemId).find((tag) => tag.id === tagId)!;
    });
  }

  /** Every tag ever given, oldest first: the history of categorisation is part of the record. */
  tagsOf(itemId: number): TagRecord[] {
    return this.#db
      .prepare(
        `SELECT t.id, t.item_id AS itemId, t.kind, t.value, t.comment, e.name AS examiner, t.created_at AS createdAt
         FROM tags t JOIN examiners e ON e.id = t.examiner_id WHERE t.item_id = ? ORDER BY t.id`,
      )
      .all(itemId) as TagRecord[];
  }

  /** A note on the case as a whole (no itemId) or on one item. */
  addNote(input: { itemId?: number; text: string; examiner: string }): NoteRecord {
    const text = input.text.normalize('NFC').trim();
    if (text.length === 0) throw new UserInputError('a note cannot be empty');
    return this.#write(() => {
      if (input.itemId !== undefined) this.getItem(input.itemId);
      const examinerId = this.#examinerId(input.examiner);
      const noteCase = this.getCase();
      const noteId = Number(
        this.#db
          .prepare('INSERT INTO notes (case_id, item_id, text, examiner_id, created_at) VALUES (?, ?, ?, ?, ?)')
          .run(noteCase.id, input.itemId ?? null, text, examinerId, utcNow()).lastInsertRowid,
      );
      this.#appendAudit({
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
    const where = filter.itemId === undefined ? '' : filter.itemId === null ? 'WHERE n.item_id IS NULL' : 'WHERE n.item_id = @itemId';
    return this.#db
      .prepare(
        `SELECT n.id, n.item_id AS itemId, n.text, e.name AS examiner, n.created_at AS createdAt
         FROM notes n JOIN examiners e ON e.id = n.examiner_id ${where} ORDER BY n.id`,
      )
      .all(filter.itemId == null ? {} : { itemId: filter.itemId }) as NoteRecord[];
  }

  // ---- purification, verdicts, reports (written by `case purify` and `case report`) ------

  recordPurificationRun(input: PurificationRunInput): PurificationRun {
    assertSha256(input.bundleManifestSha256, 'bundle manifest SHA-256');
    assertSha256(input.outputSha256, 'output SHA-256');
    if (input.override && !input.override.reason.trim()) throw new UserInputError('a cluster override needs a reason');
    return this.#write(() => {
      this.getItem(input.itemId);
      const examinerId = this.#examinerId(input.examiner);
      const overrideExaminerId = input.override ? this.#examinerId(input.override.examiner) : null;
      const runId = Number(
        this.#db
          .prepare(
            `INSERT INTO purification_runs (item_id, job_id, bundle_id, bundle_manifest_sha256, parameters, seed, backend,
               chosen_cluster, cluster_distances, override_cluster, override_examiner_id, override_reason, output_sha256,
               output_store_path, output_pdq_hash, output_pdq_quality, pdq_distance, timings, examiner_id, created_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          )
          .run(
            input.itemId, input.jobId ?? null, input.bundleId, input.bundleManifestSha256, canonicalJson(input.parameters),
            input.seed ?? null, input.backend, input.chosenCluster, canonicalJson(input.clusterDistances),
            input.override?.cluster ?? null, overrideExaminerId, input.override?.reason.trim() ?? null, input.outputSha256,
            input.outputStorePath ?? null, input.outputPdqHash, input.outputPdqQuality, input.pdqDistance,
            canonicalJson(input.timingsMs), examinerId, utcNow(),
          ).lastInsertRowid,
      );
      const subject = `item:${input.itemId}`;
      if (input.override) {
        this.#appendAudit({
          examiner: input.override.examiner,
          action: 'override',
          subject,
          parameters: { runId, chosenCluster: input.chosenCluster, usedCluster: input.override.cluster, reason: input.override.reason.trim() },
        });
      }
      const run = this.purificationRuns(input.itemId).find((candidate) => candidate.id === runId)!;
      this.#appendAudit({
        examiner: input.examiner,
        action: 'purify',
        subject,
        parameters: {
          runId,
          bundleId: run.bundleId,
          bundleManifestSha256: run.bundleManifestSha256,
          parameters: run.parameters,
          seed: run.seed,
          backend: run.backend,
          chosenCluster: run.chosenCluster,
          usedCluster: run.override?.cluster ?? run.chosenCluster,
          outputSha256: run.outputSha256,
          outputPdqHash: run.outputPdqHash,
          pdqDistance: run.pdqDistance,
          // Chained since schema 2, so that verify can check every fact the report prints.
          jobId: run.jobId,
          clusterDistances: run.clusterDistances,
          outputStorePath: run.outputStorePath,
          outputPdqQuality: run.outputPdqQuality,
        },
      });
      return run;
    });
  }

  purificationRuns(itemId: number): PurificationRun[] {
    const rows = this.#db
      .prepare(
        `SELECT r.*, e.name AS examiner_name, o.name AS override_examiner_name
         FROM purification_runs r JOIN examiners e ON e.id = r.examiner_id
         LEFT JOIN examiners o ON o.id = r.override_examiner_id WHERE r.item_id = ? ORDER BY r.id`,
      )
      .all(itemId) as Record<string, any>[];
    return rows.map((row) => ({
      id: row.id,
      itemId: row.item_id,
      jobId: row.job_id,
      bundleId: row.bundle_id,
      bundleManifestSha256: row.bundle_manifest_sha256,
      parameters: JSON.parse(row.parameters),
      seed: row.seed,
      backend: row.backend,
      chosenCluster: row.chosen_cluster,
      clusterDistances: JSON.parse(row.cluster_distances),
      override:
        row.override_cluster === null ? null : { cluster: row.override_cluster, examiner: row.override_examiner_name, reason: row.override_reason },
      outputSha256: row.output_sha256,
      outputStorePath: row.output_store_path,
      outputPdqHash: row.output_pdq_hash,
      outputPdqQuality: row.output_pdq_quality,
      pdqDistance: row.pdq_distance,
      timingsMs: JSON.parse(row.timings),
      examiner: row.examiner_name,
      createdAt: row.created_at,
    }));
  }

  recordVerdict(input: VerdictInput): Verdict {
    assertSha256(input.modelWeightsSha256, 'model weights SHA-256');
    const entries = Object.entries(input.scores);
    if (entries.length === 0) throw new UserInputError('a verdict needs at least one class score');
    const topClass = entries.reduce((best, entry) => (entry[1] > best[1] ? entry : best))[0];
    return this.#write(() => {
      this.getItem(input.itemId);
      if (input.purificationRunId !== undefined && !this.purificationRuns(input.itemId).some((run) => run.id === input.purificationRunId)) {
        throw new UserInputError(`purification run ${input.purificationRunId} is not a run of item ${input.itemId}`);
      }
      const examinerId = this.#examinerId(input.examiner);
      const verdictId = Number(
        this.#db
          .prepare(
            `INSERT INTO classifier_verdicts (item_id, purification_run_id, stage, model_id, model_weights_sha256, scores, top_class, examiner_id, created_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          )
          .run(input.itemId, input.purificationRunId ?? null, input.stage, input.modelId, input.modelWeightsSha256, canonicalJson(input.scores), topClass, examinerId, utcNow())
          .lastInsertRowid,
      );
      this.#appendAudit({
        examiner: input.examiner,
        action: 'classify',
        subject: `item:${input.itemId}`,
        parameters: {
          verdictId,
          stage: input.stage,
          purificationRunId: input.purificationRunId ?? null,
          modelId: input.modelId,
          modelWeightsSha256: input.modelWeightsSha256,
          scores: input.scores,
          topClass,
        },
      });
      return this.verdicts(input.itemId).find((verdict) => verdict.id === verdictId)!;
    });
  }

  verdicts(itemId: number): Verdict[] {
    const rows = this.#db
      .prepare(
        `SELECT v.id, v.item_id AS itemId, v.purification_run_id AS purificationRunId, v.stage, v.model_id AS modelId,
           v.model_weights_sha256 AS modelWeightsSha256, v.scores, v.top_class AS topClass, e.name AS examiner, v.created_at AS createdAt
         FROM classifier_verdicts v JOIN examiners e ON e.id = v.examiner_id WHERE v.item_id = ? ORDER BY v.id`,
      )
      .all(itemId) as (Omit<Verdict, 'scores'> & { scores: string })[];
    return rows.map((row) => ({ ...row, scores: JSON.parse(row.scores) }));
  }

  recordReport(input: ReportInput): ReportRecord {
    assertSha256(input.sha256, 'report SHA-256');
    return this.#write(() => {
      const examinerId = this.#examinerId(input.examiner);
      const reportId = Number(
        this.#db
          .prepare('INSERT INTO reports (case_id, report_uid, format, path, sha256, examiner_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)')
          .run(this.getCase().id, input.reportUid, input.format, input.path, input.sha256, examinerId, utcNow()).lastInsertRowid,
      );
      this.#appendAudit({
        examiner: input.examiner,
        action: 'report',
        subject: `report:${input.reportUid}`,
        parameters: { reportId, format: input.format, path: input.path, sha256: input.sha256 },
      });
      return this.reports().find((report) => report.id === reportId)!;
    });
  }

  reports(): ReportRecord[] {
    return this.#db
      .prepare(
        `SELECT r.id, r.report_uid AS reportUid, r.format, r.path, r.sha256, e.name AS examiner, r.created_at AS createdAt
         FROM reports r JOIN examiners e ON e.id = r.examiner_id ORDER BY r.id`,
      )
      .all() as ReportRecord[];
  }

  // ---- signing keys and checkpoints (see checkpoints.ts) ---------------------------------

  /** Records an examiner's public key in the case, once per key, with its own audit entry. */
  recordExaminerKey(input: { examiner: string; publicKey: string; fingerprint: string }): void {
    this.#write(() => {
      if (this.#db.prepare('SELECT 1 FROM examiner_keys WHERE fingerprint = ?').get(input.fingerprint)) return;
      const examinerId = this.#examinerId(input.examiner);
      const keyId = Number(
        this.#db
          .prepare('INSERT INTO examiner_keys (examiner_id, public_key, fingerprint, created_at) VALUES (?, ?, ?, ?)')
          .run(examinerId, input.publicKey, input.fingerprint, utcNow()).lastInsertRowid,
      );
      this.#appendAudit({
        examiner: input.examiner,
        action: 'examiner-key',
        subject: `examiner:${examinerId}`,
        parameters: { keyId, publicKey: input.publicKey, fingerprint: input.fingerprint },
      });
    });
  }

  examinerKeys(): ExaminerKeyRecord[] {
    return this.#db
      .prepare(
        `SELECT k.id, e.name AS examiner, k.public_key AS publicKey, k.fingerprint, k.created_at AS createdAt
         FROM examiner_keys k LEFT JOIN examiners e ON e.id = k.examiner_id ORDER BY k.id`,
      )
      .all() as ExaminerKeyRecord[];
  }

  /**
   * Stores a signed checkpoint. It is not an audit entry: it is a statement about the chain, made
   * by a key the case folder does not hold, and it must outlive a deletion of the chain's tail.
   */
  recordCheckpoint(checkpoint: Omit<CheckpointRecord, 'id'>): CheckpointRecord {
    const id = Number(
      this.#db
        .prepare(
          `INSERT INTO checkpoints (sequence, head_sha256, signed_at, examiner, os_user, key_fingerprint, public_key, signature)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          checkpoint.sequence, checkpoint.headSha256, checkpoint.signedAt, checkpoint.examiner, checkpoint.osUser, checkpoint.keyFingerprint,
          checkpoint.publicKey, checkpoint.signature,
        )
        .lastInsertRowid,
    );
    return { id, ...checkpoint };
  }

  checkpoints(): CheckpointRecord[] {
    return this.#db
      .prepare(
        `SELECT id, sequence, head_sha256 AS headSha256, signed_at AS signedAt, examiner, os_user AS osUser,
           key_fingerprint AS keyFingerprint, public_key AS publicKey, signature FROM checkpoints ORDER BY id`,
      )
      .all() as CheckpointRecord[];
  }
}

export interface ExaminerKeyRecord {
  id: number;
  /** null when the row names no examiner (a tampered row). */
  examiner: string | null;
  /** Base64 of the DER SubjectPublicKeyInfo of an Ed25519 key. */
  publicKey: string;
  /** SHA-256 (hex) of the DER public key. */
  fingerprint: string;
  createdAt: string;
}

export interface CheckpointRecord {
  id: number;
  sequence: number;
  headSha256: string;
  signedAt: string;
  examiner: string;
  osUser: string;
  keyFingerprint: string;
  /** Base64 DER SubjectPublicKeyInfo, as in examiner_keys. */
  publicKey: string;
  /** Base64 Ed25519 signature over checkpointPayload(...) (checkpoints.ts). */
  signature: string;
}

export function utcNow(): string {
  return new Date().toISOString();
}

function assertSha256(value: string, what: string): void {
  if (!/^[0-9a-f]{64}$/.test(value)) throw new UserInputError(`${what} must be 64 lowercase hex digits, got '${value}'`);
}

function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
