/**
 * Bulk import of evidence files into a case, as a job that survives being killed.
 *
 * Files are prepared a few at a time (copy + digests, duplicate check, header, full decode within
 * the memory budget, PDQ: the slow, parallel part; import-prepare.ts) and committed strictly in
 * scan order (store rename + database row + audit entry: the short,
 * serial part), so item numbers do not depend on timing. Only the files in flight are in memory.
 * Each file's outcome is committed with its audit entry in one transaction, and a resumed job
 * skips the files that have an outcome, so a kill at any instant loses at most the files in
 * flight, which the resumed job simply does again.
 *
 * With a content filter, each item is also classified as it is committed (import-classify.ts), so
 * every item has the filter's verdict and scores from the start.
 */
import { availableParallelism } from 'node:os';
import { basename, resolve } from 'node:path';
import { UserInputError } from '../errors/user-input-error.ts';
import { CancelledError, silentProgress, throwIfCancelled, type ProgressReporter, type TaskControl } from '../progress/progress.ts';
import type { ImageClassifier } from '../acsr/models/model-contracts.ts';
import type { CaseDatabase } from './case-database.ts';
import { DecodeBudget, defaultDecodeBudgetBytes } from './decode-budget.ts';
import { DEFAULT_MAX_PIXELS, examineEvidenceImage } from './evidence-image.ts';
import { EvidenceImagePool } from './evidence-image-pool.ts';
import type { EvidenceStore } from './evidence-store.ts';
import type { FilterThumbnail } from './filter-thumbnail.ts';
import { CLASSIFY_BATCH, ImportClassifyStep, type ClassifySummary } from './import-classify.ts';
import { checkImportInputs, findImportSources, type ImportSource } from './import-sources.ts';
import { sameContentRefusal, startPreparing, type Examine, type PrepareContext, type Prepared } from './import-prepare.ts';
import type { ImportOutcome, JobRecord } from './records.ts';

export const IMPORT_JOB_KIND = 'import';

export interface ImportOptions extends TaskControl {
  examiner: string;
  /** Images with more pixels are refused (decompression bombs). */
  maxPixels?: number;
  /**
   * Bytes of decoded samples the import may hold at once (decode-budget.ts); an image that needs
   * more on its own is refused. Default: from the memory available and the image workers.
   */
  decodeBudgetBytes?: number;
  /** Files larger than this are refused before copying (default: what the case's disk can take). */
  maxFileBytes?: number;
  /** A read that gives nothing for this long is abandoned and the file refused (default 60 s). */
  readTimeoutMs?: number;
  /** Files prepared at once (default: twice the image workers, at least 4; a filter batch more when classifying). */
  concurrency?: number;
  /**
   * Worker threads that decode and PDQ-hash (0: on this thread). Default: one per core for
   * imports of 16 files or more; smaller ones do not repay the workers' start-up time.
   */
  imageWorkers?: number;
  /** The content filter that scores every imported item (loaded once by the caller); none: no scores. */
  classifier?: ImageClassifier;
}

interface ImportJobParameters {
  inputs: string[];
  maxPixels: number;
}

export interface ImportSummary {
  jobId: number;
  resumed: boolean;
  /** Files and refused entries the job covers, over all its runs. */
  total: number;
  imported: number;
  duplicates: number;
  errors: number;
  /** Handled by an earlier, interrupted run of the same job. */
  handledEarlier: number;
  /** Every outcome of the job, in the order files were dealt with. */
  outcomes: ImportOutcome[];
  /** The decode budget this run used, in bytes. */
  decodeBudgetBytes: number;
  /** What the content filter did in this run, or null when the import had none. */
  filter: ({ modelId: string } & ClassifySummary) | null;
}

const DEFAULT_CONCURRENCY = 4;
const MIN_FILES_FOR_WORKERS = 16;

export async function importEvidence(db: CaseDatabase, store: EvidenceStore, inputs: readonly string[], options: ImportOptions): Promise<ImportSummary> {
  const parameters: ImportJobParameters = {
    inputs: inputs.map((input) => resolve(input)),
    maxPixels: options.maxPixels ?? DEFAULT_MAX_PIXELS,
  };
  // Inputs that do not exist are a mistake on the command line, answered before any job exists.
  await checkImportInputs(parameters.inputs);
  // The job exists before the folders are scanned, so a kill at any moment, the scan included,
  // leaves a job that is offered for resumption (with no total yet).
  const job = db.startJob({ kind: IMPORT_JOB_KIND, parameters: { ...parameters }, examiner: options.examiner });
  const sources = await scanForJob(db, job, parameters, options);
  return runImportJob(db, store, job, sources, parameters, options, false);
}

/** Continues the given import job, or the latest one that did not finish. */
export async function resumeImport(db: CaseDatabase, store: EvidenceStore, options: ImportOptions & { jobId?: number }): Promise<ImportSummary> {
  const resumable = db.jobs({ kind: IMPORT_JOB_KIND, states: ['interrupted', 'cancelled', 'failed'] });
  const candidate = options.jobId === undefined ? resumable.at(-1) : resumable.find((job) => job.id === options.jobId);
  if (!candidate) {
    const running = db.jobs({ kind: IMPORT_JOB_KIND, states: ['running'] });
    const hint = running.length > 0 ? ` (job ${running.map((job) => job.id).join(', ')} is still running in process ${running[0].ownerPid})` : '';
    throw new UserInputError(
      options.jobId === undefined ? `no interrupted, cancelled or failed import to resume${hint}` : `import job ${options.jobId} cannot be resumed${hint}`,
    );
  }
  const parameters = candidate.parameters as ImportJobParameters;
  await store.removeStaleIncoming();
  const job = db.resumeJob(candidate.id, options.examiner);
  const sources = await scanForJob(db, job, parameters, options);
  return runImportJob(db, store, job, sources, parameters, options, true);
}

/** The scan, as part of the job: a failure or a cancel during it finishes the job accordingly. */
async function scanForJob(db: CaseDatabase, job: JobRecord, parameters: ImportJobParameters, options: ImportOptions): Promise<ImportSource[]> {
  const progress = options.progress ?? silentProgress;
  progress.report({ stage: 'scan', fraction: 0, message: 'looking for files' });
  try {
    const sources = await findImportSources(parameters.inputs, {
      signal: options.signal,
      onFolder: (found) => progress.report({ stage: 'scan', fraction: 0, message: `${found} files found so far` }),
    });
    db.setJobTotal(job.id, sources.length);
    return sources;
  } catch (error) {
    finishStopped(db, job, options, error);
    throw error instanceof CancelledError || options.signal?.aborted ? asCancelled(error) : error;
  }
}

async function runImportJob(
  db: CaseDatabase,
  store: EvidenceStore,
  job: JobRecord,
  sources: readonly ImportSource[],
  parameters: ImportJobParameters,
  options: ImportOptions,
  resumed: boolean,
): Promise<ImportSummary> {
  const { examiner, signal } = options;
  const progress = options.progress ?? silentProgress;
  const handled = db.handledSources(job.id);
  const todo = sources.filter((source) => !handled.has(source.path));
  const imageWorkers = options.imageWorkers ?? (todo.length >= MIN_FILES_FOR_WORKERS ? availableParallelism() : 0);
  const pool = imageWorkers > 0 ? new EvidenceImagePool(imageWorkers) : null;
  const budget = new DecodeBudget(options.decodeBudgetBytes ?? defaultDecodeBudgetBytes(imageWorkers));
  const classify = options.classifier ? new ImportClassifyStep(db, options.classifier, examiner) : null;
  let classified: ClassifySummary | null = null;
  const context: PrepareContext = {
    db,
    store,
    maxPixels: parameters.maxPixels,
    ...(classify ? { filterInput: classify.inputSize } : {}),
    budget,
    examine: examinerFor(pool),
    sourceLimits: async () => limitsFor(store, options),
    signal,
    firstOfContent: new Map(),
  };
  // While the filter runs a batch on this thread, the image workers keep decoding into the files in
  // flight; room for a batch more of them keeps the workers busy until the model is done.
  const concurrency = Math.max(1, options.concurrency ?? Math.max(DEFAULT_CONCURRENCY, 2 * imageWorkers) + (classify ? CLASSIFY_BATCH : 0));
  const inFlight: Promise<Prepared>[] = [];
  let next = 0;
  let done = sources.length - todo.length;
  const report = () => reportProgress(progress, done, sources.length);

  try {
    report();
    while (next < todo.length || inFlight.length > 0) {
      while (inFlight.length < concurrency && next < todo.length && !signal?.aborted) {
        const preparing = startPreparing(context, todo[next++]);
        // Awaited in order below; this only keeps a failure that comes early from counting as unhandled.
        preparing.catch(() => {});
        inFlight.push(preparing);
      }
      if (inFlight.length === 0) break;
      // A file already prepared is committed even when cancelled meanwhile: the work is done.
      const committed = await commit(db, store, job.id, await inFlight.shift()!, examiner);
      if (committed) await classify?.add(committed.itemId, committed.thumbnail);
      done++;
      report();
      throwIfCancelled(signal);
    }
    throwIfCancelled(signal);
    if (classify) {
      progress.report({ stage: 'classify', fraction: 1, message: 'content filter scores' });
      classified = await classify.sweep(job.id, store, signal);
    }
  } catch (error) {
    await classify?.discard();
    // Whatever is still being prepared is dropped; its files have no outcome yet, so a resume redoes them.
    const leftovers = await Promise.allSettled(inFlight);
    await Promise.all(
      leftovers.map((result) => (result.status === 'fulfilled' && result.value.kind === 'ready' ? store.discard(result.value.received) : undefined)),
    );
    finishStopped(db, job, options, error);
    throw error instanceof CancelledError || signal?.aborted ? asCancelled(error) : error;
  } finally {
    await pool?.close();
  }

  const outcomes = db.importOutcomes(job.id);
  db.finishJob(job.id, 'completed', examiner, { summary: countsOf(outcomes) });
  return {
    jobId: job.id,
    resumed,
    total: sources.length,
    ...countsOf(outcomes),
    handledEarlier: sources.length - todo.length,
    outcomes,
    decodeBudgetBytes: budget.totalBytes,
    filter: classify && classified ? { modelId: classify.modelId, ...classified } : null,
  };
}

function reportProgress(progress: ProgressReporter, done: number, total: number): void {
  progress.report({ stage: 'import', fraction: total === 0 ? 1 : done / total, message: `${done}/${total} files` });
}

function finishStopped(db: CaseDatabase, job: JobRecord, options: ImportOptions, error: unknown): void {
  const summary = countsOf(db.importOutcomes(job.id));
  if (error instanceof CancelledError || options.signal?.aborted) db.finishJob(job.id, 'cancelled', options.examiner, { summary });
  else db.finishJob(job.id, 'failed', options.examiner, { error: (error as Error)?.message ?? String(error), summary });
}

function asCancelled(error: unknown): CancelledError {
  return error instanceof CancelledError ? error : new CancelledError('import cancelled');
}

/** Big decodes go to a worker that is ended afterwards, also when the import has no pool of its own. */
function examinerFor(pool: EvidenceImagePool | null): Examine {
  return async (path, { recycle, ...request }) => {
    if (pool) return pool.examine(path, { ...request, recycle });
    if (!recycle) return examineEvidenceImage(path, request);
    const oneOff = new EvidenceImagePool(1);
    try {
      return await oneOff.examine(path, { ...request, recycle: true });
    } finally {
      await oneOff.close();
    }
  };
}

async function limitsFor(store: EvidenceStore, options: ImportOptions): Promise<{ maxBytes: number; maxBytesReason: string; readTimeoutMs?: number }> {
  const free = await store.freeBytes();
  const limits =
    options.maxFileBytes !== undefined && options.maxFileBytes < free
      ? { maxBytes: options.maxFileBytes, maxBytesReason: 'size limit of this import' }
      : { maxBytes: free, maxBytesReason: "that the case's disk can still take" };
  return { ...limits, ...(options.readTimeoutMs !== undefined ? { readTimeoutMs: options.readTimeoutMs } : {}) };
}

/** An item this commit added, with the content filter's thumbnail when one was made. */
type Committed = { itemId: number; thumbnail: FilterThumbnail | undefined } | null;

async function commit(db: CaseDatabase, store: EvidenceStore, jobId: number, prepared: Prepared, examiner: string): Promise<Committed> {
  const sourcePath = prepared.source.path;
  if (prepared.kind === 'refused') {
    db.recordImportError({ jobId, sourcePath, errorKind: prepared.problem.kind, message: prepared.problem.message, examiner });
    return null;
  }
  if (prepared.kind === 'duplicate') {
    db.recordImportDuplicate({ jobId, sourcePath, existingItemId: prepared.itemId, sha256: prepared.sha256, examiner });
    return null;
  }
  if (prepared.kind === 'copy') {
    // The first file with this content comes earlier in scan order, so it is usually committed
    // by now; when this one was hashed first, it takes the other's copy and is the item itself.
    const first = await prepared.firstPrepared;
    const existing = db.findItemBySha256(prepared.sha256);
    if (existing) {
      db.recordImportDuplicate({ jobId, sourcePath, existingItemId: existing.id, sha256: prepared.sha256, examiner });
    } else if (first.kind === 'refused') {
      const problem = sameContentRefusal(prepared.source, first.source, first.problem);
      db.recordImportError({ jobId, sourcePath, errorKind: problem.kind, message: problem.message, examiner });
    } else if (first.kind === 'ready') {
      return commitItem(db, store, jobId, { ...first, source: prepared.source }, examiner);
    } else {
      throw new Error(`unexpected preparation '${first.kind}' for the first file with the content of ${sourcePath}`);
    }
    return null;
  }
  // The usual duplicate is caught before the decode; this catches the rare one imported by another
  // process in between (recordImportedItem catches the rarer still).
  const existing = db.findItemBySha256(prepared.received.sha256);
  if (existing) {
    await store.discard(prepared.received);
    db.recordImportDuplicate({ jobId, sourcePath, existingItemId: existing.id, sha256: prepared.received.sha256, examiner });
    return null;
  }
  return commitItem(db, store, jobId, prepared, examiner);
}

async function commitItem(
  db: CaseDatabase,
  store: EvidenceStore,
  jobId: number,
  prepared: Extract<Prepared, { kind: 'ready' }>,
  examiner: string,
): Promise<Committed> {
  const { received, facts: examined, source } = prepared;
  const { filterThumbnail, ...facts } = examined;
  const storePath = await store.commit(received);
  const { item, duplicate } = db.recordImportedItem({
    jobId,
    examiner,
    originalName: basename(source.path),
    originalPath: source.path,
    sizeBytes: received.sizeBytes,
    sha256: received.sha256,
    md5: received.md5,
    sha1: received.sha1,
    storePath,
    ...facts,
  });
  return duplicate ? null : { itemId: item.id, thumbnail: filterThumbnail };
}

function countsOf(outcomes: readonly ImportOutcome[]): { imported: number; duplicates: number; errors: number } {
  let imported = 0;
  let duplicates = 0;
  let errors = 0;
  for (const { outcome } of outcomes) {
    if (outcome === 'imported') imported++;
    else if (outcome === 'duplicate') duplicates++;
    else errors++;
  }
  return { imported, duplicates, errors };
}
