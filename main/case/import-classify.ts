/**
 * The import's classify step: every imported item gets the content filter's verdict on its
 * evidence (every class score, the model id and its weights hash, with an audit entry), so the
 * investigator can sort and triage before anything is purified.
 *
 * The filter sees a thumbnail of exactly its input size (filter-thumbnail.ts), made by the image
 * workers; thumbnails wait here until a batch is full and go through the model together, and the
 * batch's verdicts are written in one transaction, on the import's thread. One batch is scored at
 * a time, while the next one fills: with a filter that runs on its own thread
 * (worker-image-classifier.ts), the import goes on committing files meanwhile. The model is loaded
 * once per job by the caller (the case module stays free of TensorFlow).
 *
 * A kill between an item's commit and its batch loses only that batch's verdicts: the sweep at the
 * end of every run (a resumed one included) classifies every item of the job that has none, making
 * its thumbnail again from the stored evidence after checking the evidence's hash.
 */
import { softmaxRows } from '../acsr/attacks/score-objectives.ts';
import type { ImageClassifier } from '../acsr/models/model-contracts.ts';
import { throwIfCancelled } from '../progress/progress.ts';
import type { CaseDatabase } from './case-database.ts';
import type { EvidenceStore } from './evidence-store.ts';
import { makeFilterThumbnail, type FilterInputSize, type FilterThumbnail } from './filter-thumbnail.ts';

/** Thumbnails per forward pass: large enough to amortise the model's per-call cost, small in memory (16 x 150 kB). */
export const CLASSIFY_BATCH = 16;

export interface ClassifySummary {
  /** Items given a verdict by this run. */
  classified: number;
  /** Items whose thumbnail could not be made from the stored evidence, with the reason. */
  problems: { itemId: number; message: string }[];
}

export class ImportClassifyStep {
  readonly #db: CaseDatabase;
  readonly #classifier: ImageClassifier;
  readonly #examiner: string;
  #pending: { itemId: number; thumbnail: FilterThumbnail }[] = [];
  /** The batch being scored, settled once its verdicts are written (or it failed). */
  #scoring: Promise<void> | null = null;
  #classified = 0;

  constructor(db: CaseDatabase, classifier: ImageClassifier, examiner: string) {
    if (classifier.inputSize.channels !== 3)
      throw new Error(`content filter '${classifier.identity.id}' takes greyscale input; the import classifies RGB thumbnails`);
    this.#db = db;
    this.#classifier = classifier;
    this.#examiner = examiner;
  }

  get inputSize(): FilterInputSize {
    return { width: this.#classifier.inputSize.width, height: this.#classifier.inputSize.height };
  }

  get modelId(): string {
    return this.#classifier.identity.id;
  }

  /**
   * Queues an item just committed; an item without a thumbnail is left to the sweep. A full batch
   * is sent to the filter once the one before it is recorded; this returns without waiting for it.
   */
  async add(itemId: number, thumbnail: FilterThumbnail | undefined): Promise<void> {
    if (!thumbnail) return;
    this.#pending.push({ itemId, thumbnail });
    if (this.#pending.length >= CLASSIFY_BATCH) await this.#startBatch();
  }

  /** Classifies and records whatever is queued, and waits until it is recorded. */
  async flush(): Promise<void> {
    await this.#startBatch();
    await this.#settled();
  }

  /** Waits for the batch being scored (its failure included), then sends what is queued. */
  async #startBatch(): Promise<void> {
    await this.#settled();
    const batch = this.#pending;
    this.#pending = [];
    if (batch.length === 0) return;
    const scoring = this.#score(batch);
    // Reported by the next #settled(); this keeps it from counting as unhandled meanwhile.
    scoring.catch(() => {});
    this.#scoring = scoring;
  }

  async #settled(): Promise<void> {
    const scoring = this.#scoring;
    this.#scoring = null;
    await scoring;
  }

  async #score(batch: { itemId: number; thumbnail: FilterThumbnail }[]): Promise<void> {
    const rows = await this.#classifier.scores(batch.map(({ thumbnail }) => unitImage(thumbnail)));
    const classNames = this.#classifier.classNames;
    const { id: modelId, weightSha256: modelWeightsSha256 } = this.#classifier.identity;
    this.#db.stores.verdicts.recordAll(
      batch.map(({ itemId }, index) => {
        const probabilities = softmaxRows(rows[index], classNames.length);
        return {
          itemId,
          stage: 'before' as const,
          modelId,
          modelWeightsSha256,
          scores: Object.fromEntries(classNames.map((name, k) => [name, probabilities[k]])),
          examiner: this.#examiner,
        };
      }),
    );
    this.#classified += batch.length;
  }

  /**
   * A stopped import: drops what is queued (the next run's sweep classifies those items) and lets
   * the batch being scored be recorded, since that work is done; its failure is not reported.
   */
  async discard(): Promise<void> {
    this.#pending = [];
    await this.#settled().catch(() => {});
  }

  /** Classifies every item of the job that has no verdict of this filter yet, from the stored evidence. */
  async sweep(jobId: number, store: EvidenceStore, signal?: AbortSignal): Promise<ClassifySummary> {
    await this.flush();
    const problems: ClassifySummary['problems'] = [];
    for (const item of this.#db.stores.verdicts.unclassifiedOfJob(jobId, this.modelId)) {
      throwIfCancelled(signal);
      try {
        const { bytes, sha256 } = await store.read(item.storePath);
        // Evidence that no longer matches its hash is not classified; verification reports it.
        if (sha256 !== item.sha256) throw new Error('the stored file no longer matches its SHA-256');
        await this.add(item.itemId, await makeFilterThumbnail(bytes, this.inputSize));
      } catch (error) {
        problems.push({ itemId: item.itemId, message: `${item.originalName}: not classified (${error instanceof Error ? error.message : String(error)})` });
      }
    }
    await this.flush();
    return { classified: this.#classified, problems };
  }
}

/** RGB bytes as the [0, 1] floats the models take (model-input.ts). */
function unitImage(thumbnail: FilterThumbnail): { height: number; width: number; channels: 3; data: Float32Array } {
  const data = new Float32Array(thumbnail.rgb.length);
  for (let index = 0; index < data.length; index++) data[index] = thumbnail.rgb[index] / 255;
  return { height: thumbnail.height, width: thumbnail.width, channels: 3, data };
}
