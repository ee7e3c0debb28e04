/**
 * The content filter's verdicts (classifier_verdicts) on an item's evidence ('before') and on a
 * purification run's output ('after'), with the model's weights hash and every class score.
 */
import type { Database as SqliteDatabase } from 'better-sqlite3';
import { UserInputError } from '../../errors/user-input-error.ts';
import { canonicalJson } from '../canonical-json.ts';
import type { Verdict, VerdictInput } from '../records.ts';
import { utcNow, type CaseWritePath } from './case-write-path.ts';
import type { ItemStore } from './item-store.ts';
import { assertSha256, type PurificationStore } from './purification-store.ts';

/** A classifier_verdicts row as stored (scores as JSON text). */
export interface VerdictRow {
  id: number;
  item_id: number;
  purification_run_id: number | null;
  stage: 'before' | 'after';
  model_id: string;
  model_weights_sha256: string;
  scores: string;
  top_class: string;
  examiner_id: number;
  created_at: string;
}

type VerdictReadRow = Omit<VerdictRow, 'examiner_id'> & { examiner: string };

export function verdictFromRow(row: VerdictReadRow): Verdict {
  return {
    id: row.id,
    itemId: row.item_id,
    purificationRunId: row.purification_run_id,
    stage: row.stage,
    modelId: row.model_id,
    modelWeightsSha256: row.model_weights_sha256,
    scores: JSON.parse(row.scores),
    topClass: row.top_class,
    examiner: row.examiner,
    createdAt: row.created_at,
  };
}

const INSERT_VERDICT = `INSERT INTO classifier_verdicts (item_id, purification_run_id, stage, model_id, model_weights_sha256, scores, top_class, examiner_id, created_at)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`;
const SELECT_VERDICTS_OF_ITEM = `SELECT v.id, v.item_id, v.purification_run_id, v.stage, v.model_id, v.model_weights_sha256, v.scores, v.top_class,
    e.name AS examiner, v.created_at
  FROM classifier_verdicts v JOIN examiners e ON e.id = v.examiner_id WHERE v.item_id = ? ORDER BY v.id`;
// The newest verdict per item and stage (highest id), whichever model gave it.
const SELECT_LATEST_TOP_CLASSES = `SELECT v.item_id, v.stage, v.top_class FROM classifier_verdicts v
  JOIN (SELECT item_id, stage, MAX(id) AS id FROM classifier_verdicts GROUP BY item_id, stage) newest ON newest.id = v.id`;
const STORED_ROWS = 'SELECT * FROM classifier_verdicts ORDER BY rowid';
/** Items of an import job that this model has not yet given a verdict on their evidence (a verdict with no purification run). */
const SELECT_UNCLASSIFIED_OF_JOB = `SELECT i.id, i.store_path, i.sha256, i.original_name FROM evidence_items i
  WHERE i.import_job_id = ? AND NOT EXISTS (SELECT 1 FROM classifier_verdicts v
    WHERE v.item_id = i.id AND v.stage = 'before' AND v.purification_run_id IS NULL AND v.model_id = ?)
  ORDER BY i.id`;
/** Per item, the scores of its newest verdict on the evidence (import or purification), for sorting the grid. */
const SELECT_LATEST_EVIDENCE_SCORES = `SELECT v.item_id, v.model_id, v.scores FROM classifier_verdicts v
  JOIN (SELECT item_id, MAX(id) AS id FROM classifier_verdicts WHERE stage = 'before' GROUP BY item_id) newest ON newest.id = v.id`;
/** One verdict per model used in the case, for the names of its classes. */
const SELECT_ONE_VERDICT_PER_MODEL = 'SELECT model_id, scores FROM classifier_verdicts WHERE id IN (SELECT MIN(id) FROM classifier_verdicts GROUP BY model_id)';

export class VerdictStore {
  readonly #db: SqliteDatabase;
  readonly #write: CaseWritePath;
  readonly #items: ItemStore;
  readonly #runs: PurificationStore;

  constructor(db: SqliteDatabase, write: CaseWritePath, items: ItemStore, runs: PurificationStore) {
    this.#db = db;
    this.#write = write;
    this.#items = items;
    this.#runs = runs;
  }

  record(input: VerdictInput): Verdict {
    assertSha256(input.modelWeightsSha256, 'model weights SHA-256');
    const entries = Object.entries(input.scores);
    if (entries.length === 0) throw new UserInputError('a verdict needs at least one class score');
    const topClass = entries.reduce((best, entry) => (entry[1] > best[1] ? entry : best))[0];
    return this.#write.run(() => {
      this.#items.get(input.itemId);
      if (input.purificationRunId !== undefined && !this.#runs.runsOf(input.itemId).some((run) => run.id === input.purificationRunId)) {
        throw new UserInputError(`purification run ${input.purificationRunId} is not a run of item ${input.itemId}`);
      }
      const examinerId = this.#write.examinerId(input.examiner);
      const verdictId = Number(
        this.#db
          .prepare(INSERT_VERDICT)
          .run(
            input.itemId,
            input.purificationRunId ?? null,
            input.stage,
            input.modelId,
            input.modelWeightsSha256,
            canonicalJson(input.scores),
            topClass,
            examinerId,
            utcNow(),
          ).lastInsertRowid,
      );
      this.#write.audit({
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
      return this.verdictsOf(input.itemId).find((verdict) => verdict.id === verdictId)!;
    });
  }

  verdictsOf(itemId: number): Verdict[] {
    return (this.#db.prepare(SELECT_VERDICTS_OF_ITEM).all(itemId) as VerdictReadRow[]).map(verdictFromRow);
  }

  /** Per item, the newest verdict's top class for each stage, for the whole case in one query (the evidence grid). */
  latestTopClasses(): { itemId: number; stage: 'before' | 'after'; topClass: string }[] {
    const rows = this.#db.prepare(SELECT_LATEST_TOP_CLASSES).all() as Pick<VerdictRow, 'item_id' | 'stage' | 'top_class'>[];
    return rows.map((row) => ({ itemId: row.item_id, stage: row.stage, topClass: row.top_class }));
  }

  /** Several verdicts in one transaction (an import records a batch at a time). */
  recordAll(inputs: readonly VerdictInput[]): Verdict[] {
    return this.#write.run(() => inputs.map((input) => this.record(input)));
  }

  /** Items of the import job `jobId` without a verdict of `modelId` on their evidence. */
  unclassifiedOfJob(jobId: number, modelId: string): { itemId: number; storePath: string; sha256: string; originalName: string }[] {
    const rows = this.#db.prepare(SELECT_UNCLASSIFIED_OF_JOB).all(jobId, modelId) as {
      id: number;
      store_path: string;
      sha256: string;
      original_name: string;
    }[];
    return rows.map((row) => ({ itemId: row.id, storePath: row.store_path, sha256: row.sha256, originalName: row.original_name }));
  }

  /** Per item, the class scores of the newest verdict on its evidence, and the model that gave them. */
  latestEvidenceScores(): Map<number, { modelId: string; scores: Record<string, number> }> {
    const rows = this.#db.prepare(SELECT_LATEST_EVIDENCE_SCORES).all() as Pick<VerdictRow, 'item_id' | 'model_id' | 'scores'>[];
    return new Map(rows.map((row) => [row.item_id, { modelId: row.model_id, scores: JSON.parse(row.scores) as Record<string, number> }]));
  }

  /** Every model that has given a verdict in this case, with its class names (from the scores it recorded). */
  modelsUsed(): { modelId: string; classNames: string[] }[] {
    const rows = this.#db.prepare(SELECT_ONE_VERDICT_PER_MODEL).all() as Pick<VerdictRow, 'model_id' | 'scores'>[];
    return rows.map((row) => ({ modelId: row.model_id, classNames: Object.keys(JSON.parse(row.scores) as Record<string, number>) }));
  }

  /** The rows as stored, for verification against the audit chain. */
  storedRows(): VerdictRow[] {
    return this.#db.prepare(STORED_ROWS).all() as VerdictRow[];
  }
}
