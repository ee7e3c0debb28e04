/**
 * A case on disk: a folder holding case.sqlite (records and audit log) and evidence/ (the
 * content-addressed store). This is the service the CLI and, later, the desktop app's worker
 * call; it ties the database and the store together so that no caller can read evidence without
 * its hash being checked.
 */
import { mkdir, readdir, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { UserInputError } from '../errors/user-input-error.ts';
import type { TaskControl } from '../progress/progress.ts';
import { CaseDatabase, SYSTEM_EXAMINER, type CheckpointRecord } from './case-database.ts';
import { signCheckpoint } from './checkpoints.ts';
import { displayPath } from './display-path.ts';
import { EvidenceStore } from './evidence-store.ts';
import { importEvidence, resumeImport, type ImportOptions, type ImportSummary } from './import-evidence.ts';
import type { EvidenceItem, JobRecord } from './records.ts';
import { verifyCase, type CaseVerification } from './verify-case.ts';

export const CASE_DATABASE_FILE = 'case.sqlite';

/** Raised when stored evidence no longer matches its recorded hash: it must not be processed. */
export class EvidenceIntegrityError extends UserInputError {
  override name = 'EvidenceIntegrityError';
}

export interface NewCase {
  number: string;
  title: string;
  requester?: string;
  examiner: string;
}

export class CaseFolder {
  readonly folder: string;
  readonly db: CaseDatabase;
  readonly store: EvidenceStore;
  /** Jobs found abandoned (their process is gone) when the case was opened. */
  readonly interruptedOnOpen: JobRecord[];

  private constructor(folder: string, db: CaseDatabase, interruptedOnOpen: JobRecord[]) {
    this.folder = folder;
    this.db = db;
    this.store = new EvidenceStore(folder);
    this.interruptedOnOpen = interruptedOnOpen;
  }

  /** Makes a new case folder; refuses a folder that already has content, to never mix cases. */
  static async create(folder: string, details: NewCase): Promise<CaseFolder> {
    const absolute = resolve(folder);
    const existing = await readdir(absolute).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return null;
      if (error.code === 'ENOTDIR') throw new UserInputError(`${displayPath(folder)} is a file, not a folder`);
      throw error;
    });
    if (existing && existing.includes(CASE_DATABASE_FILE)) throw new UserInputError(`${displayPath(folder)} is already a case folder`);
    if (existing && existing.length > 0) throw new UserInputError(`${displayPath(folder)} is not empty; a new case needs a new or empty folder`);
    await mkdir(absolute, { recursive: true });
    const db = CaseDatabase.open(join(absolute, CASE_DATABASE_FILE));
    try {
      db.createCase({ ...details, folder: absolute });
      const caseFolder = new CaseFolder(absolute, db, []);
      await caseFolder.store.initialise();
      return caseFolder;
    } catch (error) {
      db.close();
      throw error;
    }
  }

  static async open(folder: string, options: { readonly?: boolean } = {}): Promise<CaseFolder> {
    const absolute = resolve(folder);
    const databasePath = join(absolute, CASE_DATABASE_FILE);
    if (!(await stat(databasePath).catch(() => undefined))?.isFile()) {
      throw new UserInputError(`${displayPath(folder)} is not a case folder (no ${CASE_DATABASE_FILE}; create one with 'acsr case create')`);
    }
    const db = CaseDatabase.open(databasePath, { readonly: options.readonly ?? false });
    try {
      db.getCase();
      const interrupted = options.readonly ? [] : db.markAbandonedJobs();
      return new CaseFolder(absolute, db, interrupted);
    } catch (error) {
      db.close();
      throw error;
    }
  }

  close(): void {
    this.db.close();
  }

  async importEvidence(inputs: readonly string[], options: ImportOptions): Promise<ImportSummary> {
    await this.store.initialise();
    return importEvidence(this.db, this.store, inputs, options);
  }

  async resumeImport(options: ImportOptions & { jobId?: number }): Promise<ImportSummary> {
    await this.store.initialise();
    return resumeImport(this.db, this.store, options);
  }

  /**
   * An item's stored bytes, for processing or reporting, after checking them against the
   * recorded SHA-256 (the hash is computed on the very bytes returned, so nothing can change in
   * between). A mismatch is written to the audit log and raised.
   */
  async readEvidence(itemId: number, options: { examiner?: string } = {}): Promise<{ item: EvidenceItem; bytes: Buffer }> {
    const item = this.db.getItem(itemId);
    let read: { bytes: Buffer; sha256: string };
    try {
      read = await this.store.read(item.storePath);
    } catch (error) {
      const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'stored file is missing' : `stored file cannot be read (${(error as Error).message})`;
      this.#recordIntegrityFailure(item, reason, options.examiner);
      throw new EvidenceIntegrityError(`evidence item ${itemId} (${item.storePath}): ${reason}`);
    }
    if (read.sha256 !== item.sha256) {
      const reason = `stored file's SHA-256 is ${read.sha256}, the recorded one is ${item.sha256}: the evidence file was altered`;
      this.#recordIntegrityFailure(item, reason, options.examiner);
      throw new EvidenceIntegrityError(`evidence item ${itemId} (${item.storePath}): ${reason}`);
    }
    return { item, bytes: read.bytes };
  }

  #recordIntegrityFailure(item: EvidenceItem, reason: string, examiner = SYSTEM_EXAMINER): void {
    this.db.appendAudit({ examiner, action: 'integrity-failure', subject: `item:${item.id}`, parameters: { storePath: item.storePath, reason } });
  }

  /** Recomputes the audit chain and every stored file's hash; records the check in the audit log. */
  async verify(options: TaskControl & { examiner: string; home?: string }): Promise<CaseVerification> {
    return verifyCase(this.db, this.store, options);
  }

  /** Signs the chain's current head with the examiner's key (see checkpoints.ts). */
  checkpoint(examiner: string, options: { home?: string } = {}): CheckpointRecord {
    return signCheckpoint(this.db, examiner, { caseFolder: this.folder, ...options });
  }
}
