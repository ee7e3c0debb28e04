/**
 * The SQLite file beneath the stores, for the checks that look at the file rather than at any
 * table: SQLite's own integrity check, the schema as SQLite holds it (sqlite_master), the
 * connection's settings and the library's version. These are the only reads outside a store;
 * they are read-only by construction (PRAGMAs that only report, and SELECTs).
 */
import type { Database as SqliteDatabase } from 'better-sqlite3';

export interface SchemaObject {
  type: string;
  name: string;
  sql: string | null;
}

export interface ConnectionSettings {
  userVersion: number;
  journalMode: string;
  foreignKeys: boolean;
}

const INTEGRITY_CHECK = 'PRAGMA integrity_check(20)';
const SCHEMA_OBJECTS = `SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'`;

export class DatabaseFile {
  readonly #db: SqliteDatabase;

  constructor(db: SqliteDatabase) {
    this.#db = db;
  }

  /** SQLite's integrity check, at most 20 findings; ['ok'] when the file is sound. */
  integrityCheck(): string[] {
    return this.#db.prepare(INTEGRITY_CHECK).pluck().all() as string[];
  }

  /** Every table, index and trigger the file defines, with its SQL text as stored. */
  schemaObjects(): SchemaObject[] {
    return this.#db.prepare(SCHEMA_OBJECTS).all() as SchemaObject[];
  }

  settings(): ConnectionSettings {
    return {
      userVersion: this.#db.pragma('user_version', { simple: true }) as number,
      journalMode: this.#db.pragma('journal_mode', { simple: true }) as string,
      foreignKeys: this.#db.pragma('foreign_keys', { simple: true }) === 1,
    };
  }

  sqliteVersion(): string {
    return this.#db.prepare('SELECT sqlite_version()').pluck().get() as string;
  }
}
