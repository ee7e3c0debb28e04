/**
 * Bulk import of evidence files into a case, as a job that survives being killed.
 *
 * Files are prepared a few at a time (copy + digests, full decode, PDQ: the slow, parallel part)
 * and committed strictly in scan order (store rename + database row + audit entry: the short,
 * serial part), so item numbers do not depend on timing. Only the files in flight are in memory.
 * Each file's outcome is committed with its audit entry in one transaction, and a resumed job
 * skips the files that have an outcome, so a kill at any instant loses at most the files in
 * flight, which the resumed job simply does again.
 */
import { readFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { basename, resolve } from 'node:path';
import { UserInputError } from '../errors/user-input-error.ts';
import { CancelledError, silentProgress, throwIfCancelled, type TaskControl } from '../progress/progress.ts';
import type { CaseDatabase } from './case-database.ts';
import { displayPath } from './display-path.ts';
import { DEFAULT_MAX_PIXELS, examineEvidenceImage, type EvidenceImageFacts } from './evidence-image.ts';
import { EvidenceImagePool } from './evidence-image-pool.ts';
import type { EvidenceStore, ReceivedFile } from './evidence-store.ts';
import { describeFileError, ImportFileError } from './file-errors.ts';
import { findImportSources, type ImportSource } from './import-sources.ts';
import type { ImportOutcome, JobRecord } from './records.ts';

export const IMPORT_JOB_KIND = 'import';

export interface ImportOptions extends TaskControl {
  examiner: string;
  /** Images with more pixels are refused (decompression bombs). */
  maxPixels?: number;
  /** Files prepared at once (default: twice the image workers, at least 4). */
  concurrency?: number;
  /**
   * Worker threads that decode and PDQ-hash (0: on this thread). Default: one per core for
   * imports of 16 files or more; smaller ones do not repay the workers' start-up time.
   */
  imageWorkers?: number;
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
}

const DEFAULT_CONCURRENCY = 4;
const MIN_FILES_FOR_WORKERS = 16;

export async function importEvidence(db: CaseDatabase, store: EvidenceStore, inputs: readonly string[], options: ImportOptions): Promise<ImportSummary> {
  const parameters: ImportJobParameters = {
    inputs: inputs.map((input) => resolve(input)),
    maxPixels: options.maxPixels ?? DEFAULT_MAX_PIXELS,
  };
  const sources = await findImportSources(parameters.inputs);
  const job = db.startJob({ kind: IMPORT_JOB_KIND, parameters: { ...parameters }, examiner: options.examiner, total: sources.length });
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
  const sources = await findImportSources(parameters.inputs);
  const job = db.resumeJob(candidate.id, options.examiner);
  db.setJobTotal(job.id, sources.length);
  return runImportJob(db, store, job, sources, parameters, options, true);
}

type Prepared =
  | { kind: 'ready'; source: ImportSource; received: ReceivedFile; facts: EvidenceImageFacts }
  | { kind: 'refused'; source: ImportSource; problem: ImportFileError };

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
  const examine = (bytesPath: string, source: string) =>
    pool ? pool.examine(bytesPath, { source, maxPixels: parameters.maxPixels }) : readFile(bytesPath).then((bytes) => examineEvidenceImage(bytes, { source, maxPixels: parameters.maxPixels }));
  const concurrency = Math.max(1, options.concurrency ?? Math.max(DEFAULT_CONCURRENCY, 2 * imageWorkers));
  const inFlight: Promise<Prepared>[] = [];
  let next = 0;
  let done = sources.length - todo.length;
  const report = () => progress.report({ stage: 'import', fraction: sources.length === 0 ? 1 : done / sources.length, message: `${done}/${sources.length} files` });

  try {
    report();
    while (next < todo.length || inFlight.length > 0) {
      while (inFlight.length < concurrency && next < todo.length && !signal?.aborted) {
        const preparing = prepare(store, todo[next++], examine, signal);
        // Awaited in order below; this only keeps a failure that comes early from counting as unhandled.
        preparing.catch(() => {});
        inFlight.push(preparing);
      }
      if (inFlight.length === 0) break;
      // A file already prepared is committed even when cancelled meanwhile: the work is done.
      await commit(db, store, job.id, await inFlight.shift()!, examiner);
      done++;
      report();
      throwIfCancelled(signal);
    }
    throwIfCancelled(signal);
  } catch (error) {
    // Whatever is still being prepared is dropped; its files have no outcome yet, so a resume redoes them.
    const leftovers = await Promise.allSettled(inFlight);
    await Promise.all(leftovers.map((result) => (result.status === 'fulfilled' && result.value.kind === 'ready' ? store.discard(result.value.received) : undefined)));
    if (error instanceof CancelledError || signal?.aborted) {
      db.finishJob(job.id, 'cancelled', examiner, { summary: countsOf(db.importOutcomes(job.id)) });
      throw error instanceof CancelledError ? error : new CancelledError('import cancelled');
    } else {
      db.finishJob(job.id, 'failed', examiner, { error: (error as Error).message ?? String(error), summary: countsOf(db.importOutcomes(job.id)) });
    }
    throw error;
  } finally {
    await pool?.close();
  }

  const outcomes = db.importOutcomes(job.id);
  db.finishJob(job.id, 'completed', examiner, { summary: countsOf(outcomes) });
  return { jobId: job.id, resumed, total: sources.length, ...countsOf(outcomes), handledEarlier: sources.length - todo.length, outcomes };
}

type Examine = (path: string, source: string) => Promise<EvidenceImageFacts>;

async function prepare(store: EvidenceStore, source: ImportSource, examine: Examine, signal: AbortSignal | undefined): Promise<Prepared> {
  if (source.problem) return { kind: 'refused', source, problem: source.problem };
  let received: ReceivedFile | undefined;
  try {
    received = await store.receive(source.path, { followLinks: source.followLinks, signal });
    if (received.sizeBytes === 0) throw new ImportFileError('empty-file', `${displayPath(source.path)}: file is empty (0 bytes)`);
    const facts = await examine(received.incomingPath, displayPath(source.path));
    return { kind: 'ready', source, received, facts };
  } catch (error) {
    if (received) await store.discard(received);
    const described = describeFileError(error, source.path);
    if (described instanceof ImportFileError) return { kind: 'refused', source, problem: described };
    // An unexpected system error on one file (EIO on a failing disk...) must not end the import.
    const code = (error as NodeJS.ErrnoException | undefined)?.code;
    if (typeof code === 'string' && code !== 'ABORT_ERR') {
      return { kind: 'refused', source, problem: new ImportFileError('read-error', `${displayPath(source.path)}: ${(error as Error).message}`) };
    }
    throw error;
  }
}

async function commit(db: CaseDatabase, store: EvidenceStore, jobId: number, prepared: Prepared, examiner: string): Promise<void> {
  const sourcePath = prepared.source.path;
  if (prepared.kind === 'refused') {
    db.recordImportError({ jobId, sourcePath, errorKind: prepared.problem.kind, message: prepared.problem.message, examiner });
    return;
  }
  const { received, facts } = prepared;
  // The usual duplicate is caught here, before touching the store; recordImportedItem catches
  // the rare one imported by another process in between.
  const existing = db.findItemBySha256(received.sha256);
  if (existing) {
    await store.discard(received);
    db.recordImportDuplicate({ jobId, sourcePath, existingItemId: existing.id, sha256: received.sha256, examiner });
    return;
  }
  const storePath = await store.commit(received);
  db.recordImportedItem({
    jobId,
    examiner,
    originalName: basename(sourcePath),
    originalPath: sourcePath,
    sizeBytes: received.sizeBytes,
    sha256: received.sha256,
    md5: received.md5,
    storePath,
    ...facts,
  });
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
