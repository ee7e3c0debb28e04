/**
 * The case database's schema as numbered migrations, applied in order and recorded in SQLite's
 * user_version. A migration, once released, is never edited: a case folder made by an older
 * version must open in every later one, and must refuse to open in an older one that would not
 * understand it.
 */
import type { Database } from 'better-sqlite3';
import { UserInputError } from '../errors/user-input-error.ts';

interface Migration {
  version: number;
  description: string;
  sql: string;
}

/** Tables whose rows are records of what happened: once written, never changed or removed. */
export const APPEND_ONLY_TABLES = ['audit_log', 'evidence_items', 'tags', 'notes', 'purification_runs', 'classifier_verdicts', 'reports'] as const;

/** Append-only tables added by later migrations (migration 1's list above is never edited). */
export const LATER_APPEND_ONLY_TABLES = ['examiner_keys', 'checkpoints'] as const;

/** Append-only tables added by migration 3. */
export const REVERSAL_TABLES = ['tag_reversals'] as const;

/** Append-only tables added by migration 5: hashes kept for matching, and the matches found. */
export const HASH_MATCH_TABLES = ['item_match_hashes', 'hash_matches'] as const;

function appendOnlyTriggers(table: string): string {
  return `
    CREATE TRIGGER ${table}_no_update BEFORE UPDATE ON ${table}
    BEGIN SELECT RAISE(ABORT, '${table} is append-only: rows cannot be changed'); END;
    CREATE TRIGGER ${table}_no_delete BEFORE DELETE ON ${table}
    BEGIN SELECT RAISE(ABORT, '${table} is append-only: rows cannot be deleted'); END;`;
}

const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'examiners, cases, evidence, jobs, purification runs, verdicts, tags, notes, reports, audit log',
    sql: `
      CREATE TABLE examiners (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE CHECK (length(trim(name)) > 0),
        created_at TEXT NOT NULL
      );

      CREATE TABLE cases (
        id INTEGER PRIMARY KEY,
        number TEXT NOT NULL UNIQUE CHECK (length(trim(number)) > 0),
        title TEXT NOT NULL,
        requester TEXT,
        created_at TEXT NOT NULL,
        created_by INTEGER NOT NULL REFERENCES examiners(id),
        closed_at TEXT
      );

      CREATE TABLE jobs (
        id INTEGER PRIMARY KEY,
        case_id INTEGER NOT NULL REFERENCES cases(id),
        kind TEXT NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('running', 'completed', 'failed', 'cancelled', 'interrupted')),
        progress_done INTEGER NOT NULL DEFAULT 0,
        progress_total INTEGER,
        parameters TEXT NOT NULL CHECK (json_valid(parameters)),
        error TEXT,
        examiner_id INTEGER NOT NULL REFERENCES examiners(id),
        owner_pid INTEGER,
        owner_host TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        finished_at TEXT
      );

      CREATE TABLE evidence_items (
        id INTEGER PRIMARY KEY,
        case_id INTEGER NOT NULL REFERENCES cases(id),
        original_name TEXT NOT NULL,
        original_path TEXT NOT NULL,
        size_bytes INTEGER NOT NULL CHECK (size_bytes > 0),
        media_type TEXT NOT NULL,
        width INTEGER NOT NULL CHECK (width > 0),
        height INTEGER NOT NULL CHECK (height > 0),
        sha256 TEXT NOT NULL CHECK (length(sha256) = 64),
        md5 TEXT NOT NULL CHECK (length(md5) = 32),
        pdq_hash TEXT NOT NULL CHECK (length(pdq_hash) = 64),
        pdq_quality INTEGER NOT NULL,
        imported_at TEXT NOT NULL,
        examiner_id INTEGER NOT NULL REFERENCES examiners(id),
        store_path TEXT NOT NULL,
        import_job_id INTEGER REFERENCES jobs(id),
        decode_notes TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(decode_notes)),
        UNIQUE (case_id, sha256)
      );

      -- What an import job did with each source file, so that a resumed job skips exactly the
      -- files already dealt with and the summary can be rebuilt after a crash.
      CREATE TABLE import_outcomes (
        job_id INTEGER NOT NULL REFERENCES jobs(id),
        source_path TEXT NOT NULL,
        outcome TEXT NOT NULL CHECK (outcome IN ('imported', 'duplicate', 'error')),
        item_id INTEGER REFERENCES evidence_items(id),
        error_kind TEXT,
        message TEXT,
        recorded_at TEXT NOT NULL,
        PRIMARY KEY (job_id, source_path),
        CHECK ((outcome = 'error') = (item_id IS NULL))
      );

      CREATE TABLE purification_runs (
        id INTEGER PRIMARY KEY,
        item_id INTEGER NOT NULL REFERENCES evidence_items(id),
        job_id INTEGER REFERENCES jobs(id),
        bundle_id TEXT NOT NULL,
        bundle_manifest_sha256 TEXT NOT NULL CHECK (length(bundle_manifest_sha256) = 64),
        parameters TEXT NOT NULL CHECK (json_valid(parameters)),
        seed INTEGER,
        backend TEXT NOT NULL,
        chosen_cluster INTEGER NOT NULL,
        cluster_distances TEXT NOT NULL CHECK (json_valid(cluster_distances)),
        override_cluster INTEGER,
        override_examiner_id INTEGER REFERENCES examiners(id),
        override_reason TEXT,
        output_sha256 TEXT NOT NULL CHECK (length(output_sha256) = 64),
        output_store_path TEXT,
        output_pdq_hash TEXT NOT NULL CHECK (length(output_pdq_hash) = 64),
        output_pdq_quality INTEGER NOT NULL,
        pdq_distance INTEGER NOT NULL CHECK (pdq_distance BETWEEN 0 AND 256),
        timings TEXT NOT NULL CHECK (json_valid(timings)),
        examiner_id INTEGER NOT NULL REFERENCES examiners(id),
        created_at TEXT NOT NULL,
        CHECK ((override_cluster IS NULL) = (override_examiner_id IS NULL)
           AND (override_cluster IS NULL) = (override_reason IS NULL))
      );

      CREATE TABLE classifier_verdicts (
        id INTEGER PRIMARY KEY,
        item_id INTEGER NOT NULL REFERENCES evidence_items(id),
        purification_run_id INTEGER REFERENCES purification_runs(id),
        stage TEXT NOT NULL CHECK (stage IN ('before', 'after')),
        model_id TEXT NOT NULL,
        model_weights_sha256 TEXT NOT NULL CHECK (length(model_weights_sha256) = 64),
        scores TEXT NOT NULL CHECK (json_valid(scores)),
        top_class TEXT NOT NULL,
        examiner_id INTEGER NOT NULL REFERENCES examiners(id),
        created_at TEXT NOT NULL,
        CHECK (stage = 'before' OR purification_run_id IS NOT NULL)
      );

      CREATE TABLE tags (
        id INTEGER PRIMARY KEY,
        item_id INTEGER NOT NULL REFERENCES evidence_items(id),
        kind TEXT NOT NULL CHECK (kind IN ('category', 'user')),
        value TEXT NOT NULL,
        comment TEXT,
        examiner_id INTEGER NOT NULL REFERENCES examiners(id),
        created_at TEXT NOT NULL
      );

      CREATE TABLE notes (
        id INTEGER PRIMARY KEY,
        case_id INTEGER NOT NULL REFERENCES cases(id),
        item_id INTEGER REFERENCES evidence_items(id),
        text TEXT NOT NULL CHECK (length(trim(text)) > 0),
        examiner_id INTEGER NOT NULL REFERENCES examiners(id),
        created_at TEXT NOT NULL
      );

      CREATE TABLE reports (
        id INTEGER PRIMARY KEY,
        case_id INTEGER NOT NULL REFERENCES cases(id),
        report_uid TEXT NOT NULL UNIQUE,
        format TEXT NOT NULL,
        path TEXT NOT NULL,
        sha256 TEXT NOT NULL CHECK (length(sha256) = 64),
        examiner_id INTEGER NOT NULL REFERENCES examiners(id),
        created_at TEXT NOT NULL
      );

      CREATE TABLE audit_log (
        sequence INTEGER PRIMARY KEY,
        time TEXT NOT NULL,
        examiner TEXT NOT NULL,
        action TEXT NOT NULL,
        subject TEXT NOT NULL,
        parameters TEXT NOT NULL,
        previous_sha256 TEXT NOT NULL,
        sha256 TEXT NOT NULL UNIQUE
      );

      CREATE INDEX evidence_items_by_job ON evidence_items(import_job_id);
      CREATE INDEX tags_by_item ON tags(item_id, kind, id);
      CREATE INDEX notes_by_item ON notes(item_id);
      CREATE INDEX purification_runs_by_item ON purification_runs(item_id);
      CREATE INDEX classifier_verdicts_by_item ON classifier_verdicts(item_id);
      CREATE INDEX audit_log_by_subject ON audit_log(subject);
      ${APPEND_ONLY_TABLES.map(appendOnlyTriggers).join('\n')}
    `,
  },
  {
    version: 2,
    description: "the OS account beside each audit entry; examiners' signing keys and signed checkpoints of the chain head",
    sql: `
      -- Hashed with the entry when present (see audit-chain.ts); entries written before this
      -- migration have none and keep their hashes.
      ALTER TABLE audit_log ADD COLUMN os_user TEXT;

      CREATE TABLE examiner_keys (
        id INTEGER PRIMARY KEY,
        examiner_id INTEGER NOT NULL REFERENCES examiners(id),
        public_key TEXT NOT NULL,
        fingerprint TEXT NOT NULL UNIQUE CHECK (length(fingerprint) = 64),
        created_at TEXT NOT NULL
      );

      -- A signed statement "entry <sequence> of this case's chain has hash <head_sha256>", made
      -- with the examiner's private key, which never enters the case folder.
      CREATE TABLE checkpoints (
        id INTEGER PRIMARY KEY,
        sequence INTEGER NOT NULL,
        head_sha256 TEXT NOT NULL CHECK (length(head_sha256) = 64),
        signed_at TEXT NOT NULL,
        examiner TEXT NOT NULL,
        os_user TEXT NOT NULL,
        key_fingerprint TEXT NOT NULL CHECK (length(key_fingerprint) = 64),
        -- Repeated from examiner_keys so that a checkpoint can be checked on its own, even after
        -- the entries that recorded the key were cut off the end of the chain.
        public_key TEXT NOT NULL,
        signature TEXT NOT NULL
      );
      ${LATER_APPEND_ONLY_TABLES.map(appendOnlyTriggers).join('\n')}
    `,
  },
  {
    version: 3,
    description: 'undo of tags and categories: a reversal row per tag taken back, the tag itself kept',
    sql: `
      -- A tag is never deleted: undoing it adds this row, recorded by a tag-reverse audit entry
      -- that names the entries it reverses. UNIQUE: a tag is taken back at most once.
      CREATE TABLE tag_reversals (
        id INTEGER PRIMARY KEY,
        tag_id INTEGER NOT NULL UNIQUE REFERENCES tags(id),
        examiner_id INTEGER NOT NULL REFERENCES examiners(id),
        created_at TEXT NOT NULL
      );
      ${REVERSAL_TABLES.map(appendOnlyTriggers).join('\n')}
    `,
  },
  {
    version: 4,
    description: "known-content hash list matches kept in the case, and each item's SHA-1 and rotated/mirrored PDQ hashes",
    sql: `
      -- Kept at import (recorded by the item's import entry), so that matching against a list
      -- added later reads these instead of decoding the evidence again. pdq_variants: the JSON
      -- array of the PDQ hashes of the picture's eight rotations and mirrors (pdq/dihedral.ts order).
      CREATE TABLE item_match_hashes (
        id INTEGER PRIMARY KEY,
        item_id INTEGER NOT NULL UNIQUE REFERENCES evidence_items(id),
        sha1 TEXT NOT NULL CHECK (length(sha1) = 40),
        pdq_variants TEXT NOT NULL CHECK (json_valid(pdq_variants)),
        created_at TEXT NOT NULL
      );

      -- One row per (item, list version, entry, kind) found, recorded by a hashlist-match entry
      -- that lists its rows; matching again adds only what was not found before.
      CREATE TABLE hash_matches (
        id INTEGER PRIMARY KEY,
        item_id INTEGER NOT NULL REFERENCES evidence_items(id),
        list_name TEXT NOT NULL,
        list_sha256 TEXT NOT NULL CHECK (length(list_sha256) = 64),
        list_line INTEGER NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('md5', 'sha1', 'sha256', 'pdq')),
        distance INTEGER NOT NULL CHECK (distance BETWEEN 0 AND 256),
        variant TEXT,
        category TEXT,
        source TEXT,
        threshold INTEGER NOT NULL,
        examiner_id INTEGER NOT NULL REFERENCES examiners(id),
        created_at TEXT NOT NULL,
        UNIQUE (item_id, list_sha256, list_line, kind),
        CHECK ((kind = 'pdq') = (variant IS NOT NULL))
      );
      CREATE INDEX hash_matches_by_item ON hash_matches(item_id);
      ${HASH_MATCH_TABLES.map(appendOnlyTriggers).join('\n')}
    `,
  },
  {
    version: 5,
    description: 'the evasion score of a purification run, for a bundle calibrated to give one',
    sql: `
      -- Canonical JSON of the score, its threshold and every signal (records.ts, EvasionRecord);
      -- NULL when the run's bundle carries no evasion calibration, and in runs written before.
      -- Chained in the run's purify audit entry, so verify compares it like every other field.
      ALTER TABLE purification_runs ADD COLUMN evasion TEXT;
    `,
  },
];

export const LATEST_SCHEMA_VERSION = MIGRATIONS.at(-1)!.version;

/**
 * Every schema object (table, index, trigger) exactly as the migrations create it, read back
 * from a fresh in-memory database: SQLite keeps each object's CREATE text, so a case's schema can
 * be compared with this text for text, and a trigger replaced by a same-named no-op shows.
 */
export function expectedSchema(open: (path: string) => Database): Map<string, { type: string; sql: string | null }> {
  const reference = open(':memory:');
  try {
    for (const migration of MIGRATIONS) reference.exec(migration.sql);
    const rows = reference.prepare(`SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'`).all() as {
      type: string;
      name: string;
      sql: string | null;
    }[];
    return new Map(rows.map(({ type, name, sql }) => [name, { type, sql }]));
  } finally {
    reference.close();
  }
}

/** Applies the migrations the database has not seen yet, each in its own transaction. */
export function migrate(db: Database, source: string): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > LATEST_SCHEMA_VERSION) {
    throw new UserInputError(
      `${source}: case database has schema version ${current}, newer than this program understands (${LATEST_SCHEMA_VERSION}); use a newer acsr`,
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
