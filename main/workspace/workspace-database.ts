/**
 * The workspace database: workspace.sqlite in the folder that holds the case folders, for what
 * every case shares (the known-content hash lists). Opened like a case database (WAL, foreign
 * keys, a busy timeout for a second process) and written only through the same kind of write
 * path, so each change and its audit entry commit together.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import Database, { type Database as SqliteDatabase } from 'better-sqlite3';
import { AuditStore } from '../case/stores/audit-store.ts';
import { CaseWritePath } from '../case/stores/case-write-path.ts';
import { UserInputError } from '../errors/user-input-error.ts';
import { HashListStore } from './hash-list-store.ts';
import { migrateWorkspace } from './workspace-migrations.ts';

export const WORKSPACE_DATABASE_FILE = 'workspace.sqlite';

export class WorkspaceDatabase {
  readonly path: string;
  readonly audit: AuditStore;
  readonly hashLists: HashListStore;
  readonly #db: SqliteDatabase;

  private constructor(db: SqliteDatabase, path: string) {
    this.#db = db;
    this.path = path;
    this.audit = new AuditStore(db);
    this.hashLists = new HashListStore(db, new CaseWritePath(db, this.audit));
  }

  /**
   * Opens the workspace's database. With `create` (the default) a missing folder and database are
   * made; without it they are refused, so that only reading leaves no file behind.
   */
  static open(workspace: string, options: { create?: boolean } = {}): WorkspaceDatabase {
    const folder = resolve(workspace);
    const path = join(folder, WORKSPACE_DATABASE_FILE);
    const create = options.create ?? true;
    if (!create && !existsSync(path)) {
      throw new UserInputError(
        `${folder} has no workspace database (${WORKSPACE_DATABASE_FILE}); import a hash list into it first with 'acsr hashlist import --workspace ${folder}'`,
      );
    }
    let db: SqliteDatabase;
    try {
      if (create) mkdirSync(folder, { recursive: true });
      db = new Database(path, { fileMustExist: !create });
    } catch (error) {
      throw new UserInputError(`${path}: cannot open the workspace database (${(error as Error).message})`);
    }
    try {
      db.pragma('busy_timeout = 10000');
      db.pragma('foreign_keys = ON');
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
      migrateWorkspace(db, path);
      return new WorkspaceDatabase(db, path);
    } catch (error) {
      db.close();
      if (error instanceof UserInputError) throw error;
      throw new UserInputError(`${path}: not a usable workspace database (${(error as Error).message})`);
    }
  }

  close(): void {
    if (this.#db.open) this.#db.close();
  }
}
