/**
 * Signed checkpoints (checkpoints; see checkpoints.ts). A checkpoint is not an audit entry: it is
 * a statement about the chain, made by a key the case folder does not hold, and it must outlive a
 * deletion of the chain's tail. So it is written on its own, outside the write path.
 */
import type { Database as SqliteDatabase } from 'better-sqlite3';
import type { CheckpointRecord } from '../records.ts';

/** A checkpoints row as stored. */
export interface CheckpointRow {
  id: number;
  sequence: number;
  head_sha256: string;
  signed_at: string;
  examiner: string;
  os_user: string;
  key_fingerprint: string;
  public_key: string;
  signature: string;
}

export function checkpointFromRow(row: CheckpointRow): CheckpointRecord {
  return {
    id: row.id,
    sequence: row.sequence,
    headSha256: row.head_sha256,
    signedAt: row.signed_at,
    examiner: row.examiner,
    osUser: row.os_user,
    keyFingerprint: row.key_fingerprint,
    publicKey: row.public_key,
    signature: row.signature,
  };
}

const INSERT_CHECKPOINT = `INSERT INTO checkpoints (sequence, head_sha256, signed_at, examiner, os_user, key_fingerprint, public_key, signature)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?)`;
const SELECT_CHECKPOINTS = `SELECT id, sequence, head_sha256, signed_at, examiner, os_user, key_fingerprint, public_key, signature
  FROM checkpoints ORDER BY id`;

export class CheckpointStore {
  readonly #db: SqliteDatabase;

  constructor(db: SqliteDatabase) {
    this.#db = db;
  }

  record(checkpoint: Omit<CheckpointRecord, 'id'>): CheckpointRecord {
    const { sequence, headSha256, signedAt, examiner, osUser, keyFingerprint, publicKey, signature } = checkpoint;
    const id = Number(
      this.#db.prepare(INSERT_CHECKPOINT).run(sequence, headSha256, signedAt, examiner, osUser, keyFingerprint, publicKey, signature).lastInsertRowid,
    );
    return { id, ...checkpoint };
  }

  all(): CheckpointRecord[] {
    return (this.#db.prepare(SELECT_CHECKPOINTS).all() as CheckpointRow[]).map(checkpointFromRow);
  }
}
