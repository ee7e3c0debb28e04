/**
 * Purification runs (purification_runs): what `case purify` did to an item, with the bundle,
 * every parameter, the cluster chosen and every distance, an examiner's override and its reason,
 * and the output's hashes. Chained in full, so that verify can check every fact a report prints.
 */
import type { Database as SqliteDatabase } from 'better-sqlite3';
import { UserInputError } from '../../errors/user-input-error.ts';
import { canonicalJson } from '../canonical-json.ts';
import type { EvasionRecord, PurificationRun, PurificationRunInput } from '../records.ts';
import { utcNow, type CaseWritePath } from './case-write-path.ts';
import type { ItemStore } from './item-store.ts';

/** A purification_runs row as stored (JSON columns as text). */
export interface PurificationRunRow {
  id: number;
  item_id: number;
  job_id: number | null;
  bundle_id: string;
  bundle_manifest_sha256: string;
  parameters: string;
  seed: number | null;
  backend: string;
  chosen_cluster: number;
  cluster_distances: string;
  override_cluster: number | null;
  override_examiner_id: number | null;
  override_reason: string | null;
  output_sha256: string;
  output_store_path: string | null;
  output_pdq_hash: string;
  output_pdq_quality: number;
  pdq_distance: number;
  timings: string;
  examiner_id: number;
  created_at: string;
  /** Since schema 6: canonical JSON of the evasion score, or NULL. */
  evasion: string | null;
}

type PurificationRunReadRow = PurificationRunRow & { examiner_name: string; override_examiner_name: string | null };

export function purificationRunFromRow(row: PurificationRunReadRow): PurificationRun {
  return {
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
    override: row.override_cluster === null ? null : { cluster: row.override_cluster, examiner: row.override_examiner_name!, reason: row.override_reason! },
    outputSha256: row.output_sha256,
    outputStorePath: row.output_store_path,
    outputPdqHash: row.output_pdq_hash,
    outputPdqQuality: row.output_pdq_quality,
    pdqDistance: row.pdq_distance,
    timingsMs: JSON.parse(row.timings),
    // absent rather than null, so that the records (and `case show --json`) of runs without one keep their shape
    ...(row.evasion === null ? {} : { evasion: JSON.parse(row.evasion) }),
    examiner: row.examiner_name,
    createdAt: row.created_at,
  };
}

const INSERT_RUN = `INSERT INTO purification_runs (item_id, job_id, bundle_id, bundle_manifest_sha256, parameters, seed, backend,
    chosen_cluster, cluster_distances, override_cluster, override_examiner_id, override_reason, output_sha256,
    output_store_path, output_pdq_hash, output_pdq_quality, pdq_distance, timings, examiner_id, created_at, evasion)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;
const SELECT_RUNS_OF_ITEM = `SELECT r.*, e.name AS examiner_name, o.name AS override_examiner_name
  FROM purification_runs r JOIN examiners e ON e.id = r.examiner_id
  LEFT JOIN examiners o ON o.id = r.override_examiner_id WHERE r.item_id = ? ORDER BY r.id`;
const COUNT_RUNS_BY_ITEM = 'SELECT item_id, COUNT(*) AS runs FROM purification_runs GROUP BY item_id';
const STORED_ROWS = 'SELECT * FROM purification_runs ORDER BY rowid';
// The newest run of each item decides what the grid and `case list` say about evasion.
const LATEST_EVASION_BY_ITEM = `SELECT item_id, evasion FROM purification_runs
  WHERE id IN (SELECT MAX(id) FROM purification_runs GROUP BY item_id)`;

export class PurificationStore {
  readonly #db: SqliteDatabase;
  readonly #write: CaseWritePath;
  readonly #items: ItemStore;

  constructor(db: SqliteDatabase, write: CaseWritePath, items: ItemStore) {
    this.#db = db;
    this.#write = write;
    this.#items = items;
  }

  record(input: PurificationRunInput): PurificationRun {
    assertSha256(input.bundleManifestSha256, 'bundle manifest SHA-256');
    assertSha256(input.outputSha256, 'output SHA-256');
    if (input.override && !input.override.reason.trim()) throw new UserInputError('a cluster override needs a reason');
    return this.#write.run(() => {
      this.#items.get(input.itemId);
      const examinerId = this.#write.examinerId(input.examiner);
      const overrideExaminerId = input.override ? this.#write.examinerId(input.override.examiner) : null;
      const runId = Number(
        this.#db
          .prepare(INSERT_RUN)
          .run(
            input.itemId,
            input.jobId ?? null,
            input.bundleId,
            input.bundleManifestSha256,
            canonicalJson(input.parameters),
            input.seed ?? null,
            input.backend,
            input.chosenCluster,
            canonicalJson(input.clusterDistances),
            input.override?.cluster ?? null,
            overrideExaminerId,
            input.override?.reason.trim() ?? null,
            input.outputSha256,
            input.outputStorePath ?? null,
            input.outputPdqHash,
            input.outputPdqQuality,
            input.pdqDistance,
            canonicalJson(input.timingsMs),
            examinerId,
            utcNow(),
            input.evasion ? canonicalJson(input.evasion) : null,
          ).lastInsertRowid,
      );
      const subject = `item:${input.itemId}`;
      if (input.override) {
        this.#write.audit({
          examiner: input.override.examiner,
          action: 'override',
          subject,
          parameters: { runId, chosenCluster: input.chosenCluster, usedCluster: input.override.cluster, reason: input.override.reason.trim() },
        });
      }
      const run = this.runsOf(input.itemId).find((candidate) => candidate.id === runId)!;
      this.#write.audit({
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
          // Chained since schema 6: the evasion score and its signals, null without a calibration.
          evasion: run.evasion ?? null,
        },
      });
      return run;
    });
  }

  runsOf(itemId: number): PurificationRun[] {
    return (this.#db.prepare(SELECT_RUNS_OF_ITEM).all(itemId) as PurificationRunReadRow[]).map(purificationRunFromRow);
  }

  /** item id -> number of runs, for the whole case in one query (the evidence grid). */
  runCountsByItem(): Map<number, number> {
    const rows = this.#db.prepare(COUNT_RUNS_BY_ITEM).all() as { item_id: number; runs: number }[];
    return new Map(rows.map((row) => [row.item_id, row.runs]));
  }

  /** item id -> the evasion score of its newest run (null: that run's bundle has no evasion check), one query. */
  latestEvasionByItem(): Map<number, EvasionRecord | null> {
    const rows = this.#db.prepare(LATEST_EVASION_BY_ITEM).all() as { item_id: number; evasion: string | null }[];
    return new Map(rows.map((row) => [row.item_id, row.evasion === null ? null : (JSON.parse(row.evasion) as EvasionRecord)]));
  }

  /** The rows as stored, for verification against the audit chain. */
  storedRows(): PurificationRunRow[] {
    return this.#db.prepare(STORED_ROWS).all() as PurificationRunRow[];
  }
}

export function assertSha256(value: string, what: string): void {
  if (!/^[0-9a-f]{64}$/.test(value)) throw new UserInputError(`${what} must be 64 lowercase hex digits, got '${value}'`);
}
