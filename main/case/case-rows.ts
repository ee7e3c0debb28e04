/**
 * How evidence items and jobs are read from the case database: the SELECTs and the mapping from
 * snake_case rows (JSON columns as text) to the records the rest of the product sees.
 */
import type { EvidenceItem, JobRecord, JobState } from './records.ts';

export const ITEM_COLUMNS = `i.id, i.original_name, i.original_path, i.size_bytes, i.media_type, i.width, i.height, i.sha256, i.md5,
    i.pdq_hash, i.pdq_quality, i.imported_at, e.name AS examiner, i.store_path, i.import_job_id, i.decode_notes`;
export const ITEM_FROM = 'FROM evidence_items i JOIN examiners e ON e.id = i.examiner_id';
export const ITEM_SELECT = `SELECT ${ITEM_COLUMNS} ${ITEM_FROM}`;

/** The latest category tag wins; earlier ones stay in the history. */
export const CURRENT_CATEGORY = `SELECT t.value FROM tags t WHERE t.item_id = i.id AND t.kind = 'category' ORDER BY t.id DESC LIMIT 1`;

export interface ItemRow {
  id: number;
  original_name: string;
  original_path: string;
  size_bytes: number;
  media_type: string;
  width: number;
  height: number;
  sha256: string;
  md5: string;
  pdq_hash: string;
  pdq_quality: number;
  imported_at: string;
  examiner: string;
  store_path: string;
  import_job_id: number | null;
  decode_notes: string;
}

export function itemFromRow(row: ItemRow): EvidenceItem {
  return {
    id: row.id,
    originalName: row.original_name,
    originalPath: row.original_path,
    sizeBytes: row.size_bytes,
    mediaType: row.media_type,
    width: row.width,
    height: row.height,
    sha256: row.sha256,
    md5: row.md5,
    pdqHash: row.pdq_hash,
    pdqQuality: row.pdq_quality,
    importedAt: row.imported_at,
    examiner: row.examiner,
    storePath: row.store_path,
    importJobId: row.import_job_id,
    decodeNotes: JSON.parse(row.decode_notes) as string[],
  };
}

export const JOB_SELECT = `
  SELECT j.id, j.kind, j.state, j.progress_done, j.progress_total, j.parameters, j.error, e.name AS examiner,
    j.owner_pid, j.owner_host, j.created_at, j.updated_at, j.finished_at
  FROM jobs j JOIN examiners e ON e.id = j.examiner_id`;

export interface JobRow {
  id: number;
  kind: string;
  state: JobState;
  progress_done: number;
  progress_total: number | null;
  parameters: string;
  error: string | null;
  examiner: string;
  owner_pid: number | null;
  owner_host: string | null;
  created_at: string;
  updated_at: string;
  finished_at: string | null;
}

export function jobFromRow(row: JobRow): JobRecord {
  return {
    id: row.id,
    kind: row.kind,
    state: row.state,
    progressDone: row.progress_done,
    progressTotal: row.progress_total,
    parameters: JSON.parse(row.parameters),
    error: row.error,
    examiner: row.examiner,
    ownerPid: row.owner_pid,
    ownerHost: row.owner_host,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    finishedAt: row.finished_at,
  };
}
