/**
 * The workspace database's schema (workspace.sqlite, beside the case folders) as numbered
 * migrations recorded in SQLite's user_version, like the case database's (main/case/migrations.ts):
 * a migration, once released, is never edited, and a workspace written by a newer version is
 * refused rather than misread.
 *
 * It holds what belongs to the workspace rather than to one case: the known-content hash lists
 * every case is matched against, and an audit log of their imports and removals. The audit log
 * has the case database's columns and is hash-chained by the same code (case-write-path.ts), so
 * the same checks apply to it.
 */
import type { Database } from 'better-sqlite3';
import { UserInputError } from '../errors/user-input-error.ts';

interface Migration {
  version: number;
  description: string;
  sql: string;
}

const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'audit log; known-content hash lists, their entries, exact hashes and packed PDQ hashes',
    sql: `
      CREATE TABLE audit_log (
        sequence INTEGER PRIMARY KEY,
        time TEXT NOT NULL,
        examiner TEXT NOT NULL,
        os_user TEXT,
        action TEXT NOT NULL,
        subject TEXT NOT NULL,
        parameters TEXT NOT NULL,
        previous_sha256 TEXT NOT NULL,
        sha256 TEXT NOT NULL UNIQUE
      );
      CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
      BEGIN SELECT RAISE(ABORT, 'audit_log is append-only: rows cannot be changed'); END;
      CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
      BEGIN SELECT RAISE(ABORT, 'audit_log is append-only: rows cannot be deleted'); END;

      -- One row per imported file. A removed list keeps its row (who removed it and when) so
      -- that matches reported earlier can still be traced to the list version they came from;
      -- its entries and hashes are deleted.
      CREATE TABLE hash_lists (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL CHECK (length(trim(name)) > 0),
        file_name TEXT NOT NULL,
        sha256 TEXT NOT NULL CHECK (length(sha256) = 64),
        format TEXT NOT NULL CHECK (format IN ('text', 'vics-json')),
        byte_length INTEGER NOT NULL,
        entry_count INTEGER NOT NULL,
        pdq_count INTEGER NOT NULL,
        md5_count INTEGER NOT NULL,
        sha1_count INTEGER NOT NULL,
        sha256_count INTEGER NOT NULL,
        duplicates INTEGER NOT NULL,
        skipped_records INTEGER NOT NULL,
        imported_by TEXT NOT NULL,
        imported_at TEXT NOT NULL,
        removed_by TEXT,
        removed_at TEXT,
        CHECK ((removed_by IS NULL) = (removed_at IS NULL))
      );
      CREATE UNIQUE INDEX hash_lists_active_name ON hash_lists(name) WHERE removed_at IS NULL;
      CREATE UNIQUE INDEX hash_lists_active_sha256 ON hash_lists(sha256) WHERE removed_at IS NULL;

      -- An entry is a line of a text list or a media record of a Project VIC list.
      CREATE TABLE hash_list_entries (
        list_id INTEGER NOT NULL REFERENCES hash_lists(id),
        entry INTEGER NOT NULL,
        line INTEGER NOT NULL,
        category TEXT,
        source TEXT,
        PRIMARY KEY (list_id, entry)
      ) WITHOUT ROWID;

      -- Exact hashes (MD5, SHA-1, SHA-256) as their bytes (hex decoded), indexed by value.
      CREATE TABLE hash_list_hashes (
        list_id INTEGER NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('md5', 'sha1', 'sha256')),
        hash BLOB NOT NULL,
        entry INTEGER NOT NULL,
        FOREIGN KEY (list_id, entry) REFERENCES hash_list_entries(list_id, entry)
      );
      CREATE INDEX hash_list_hashes_exact ON hash_list_hashes(kind, hash);
      CREATE INDEX hash_list_hashes_by_list ON hash_list_hashes(list_id);

      -- PDQ hashes are matched by distance in memory (main/triage), never looked up by value, so
      -- they are kept packed in blocks of up to 65,536: 'hashes' holds 32 bytes per hash (eight
      -- little-endian 32-bit words in the order of main/triage/packed-pdq.ts), 'entries' the
      -- entry of each hash (little-endian 32-bit). A million hashes load in one read of 16 blocks.
      CREATE TABLE hash_list_pdq_blocks (
        list_id INTEGER NOT NULL REFERENCES hash_lists(id),
        block INTEGER NOT NULL,
        hash_count INTEGER NOT NULL CHECK (hash_count > 0),
        hashes BLOB NOT NULL CHECK (length(hashes) = 32 * hash_count),
        entries BLOB NOT NULL CHECK (length(entries) = 4 * hash_count),
        PRIMARY KEY (list_id, block)
      ) WITHOUT ROWID;
    `,
  },
];

export const LATEST_WORKSPACE_SCHEMA_VERSION = MIGRATIONS.at(-1)!.version;

/** Applies the migrations the database has not seen yet, each in its own transaction. */
export function migrateWorkspace(db: Database, source: string): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > LATEST_WORKSPACE_SCHEMA_VERSION) {
    throw new UserInputError(
      `${source}: workspace database has schema version ${current}, newer than this program understands (${LATEST_WORKSPACE_SCHEMA_VERSION}); use a newer acsr`,
    );
  }
  for (const migration of MIGRATIONS) {
    if (migration.version <= current) continue;
    db.transaction(() => {
      db.exec(migration.sql);
      // PRAGMA does not take bound parameters; the version is a number from this file.
      db.pragma(`user_version = ${migration.version}`);
    }).immediate();
  }
}
