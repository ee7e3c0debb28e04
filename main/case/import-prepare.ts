/**
 * One file's preparation for the import, cheapest checks first, so that nothing expensive is done
 * on a file that is going to be skipped or refused anyway:
 *
 * 1. copy and hash, through one descriptor (evidence-source-file.ts: a regular file, within the
 *    size limit, starting like a supported image);
 * 2. duplicate check on the hash, against the case and against the files of this job, so a
 *    duplicate is never decoded (sixteen copies of a decompression bomb cost one decode);
 * 3. header: format, pixel cap, and the memory the decode will take, refused when it is more than
 *    the whole decode budget;
 * 4. the full decode and PDQ hash, once the budget has room for it.
 */
import { readImageHeader, decodedSampleBytes } from '../io/image.ts';
import { UserInputError } from '../errors/user-input-error.ts';
import type { CaseDatabase } from './case-database.ts';
import type { DecodeBudget } from './decode-budget.ts';
import { displayPath } from './display-path.ts';
import { decodeErrorKind, type ExaminedEvidence } from './evidence-image.ts';
import { describeBytes, type SourceLimits } from './evidence-source-file.ts';
import type { EvidenceStore, ReceivedFile } from './evidence-store.ts';
import { describeFileError, ImportFileError } from './file-errors.ts';
import type { FilterInputSize } from './filter-thumbnail.ts';
import type { ImportSource } from './import-sources.ts';

export type Prepared =
  | { kind: 'ready'; source: ImportSource; received: ReceivedFile; facts: ExaminedEvidence }
  | { kind: 'refused'; source: ImportSource; problem: ImportFileError }
  /** Same content as an item already in the case. */
  | { kind: 'duplicate'; source: ImportSource; itemId: number; sha256: string }
  /** Same content as another file of this job, dealt with by that file's preparation. */
  | { kind: 'copy'; source: ImportSource; sha256: string; first: ImportSource; firstPrepared: Promise<Prepared> };

/** Decodes above this many bytes run in a worker that is ended afterwards (see EvidenceImagePool). */
export const RECYCLE_WORKER_ABOVE_BYTES = 128 * 1024 * 1024;

export type Examine = (
  path: string,
  options: { source: string; maxPixels: number; recycle: boolean; filterInput?: FilterInputSize },
) => Promise<ExaminedEvidence>;

export interface PrepareContext {
  db: CaseDatabase;
  store: EvidenceStore;
  maxPixels: number;
  /** The content filter's input size, when the import classifies: the decode makes its thumbnail too. */
  filterInput?: FilterInputSize;
  budget: DecodeBudget;
  examine: Examine;
  /** Size limit and why; computed per file, since free disk space shrinks as the import goes. */
  sourceLimits: () => Promise<Omit<SourceLimits, 'signal'>>;
  signal?: AbortSignal;
  /** The first file of this job with each content, and its preparation. */
  firstOfContent: Map<string, { source: ImportSource; prepared: Promise<Prepared> }>;
}

/** Starts preparing `source`; the promise is registered for later files with the same content. */
export function startPreparing(context: PrepareContext, source: ImportSource): Promise<Prepared> {
  let registerAs: ((sha256: string) => void) | undefined;
  const prepared: Promise<Prepared> = prepare(context, source, (sha256) => registerAs!(sha256));
  registerAs = (sha256) => context.firstOfContent.set(sha256, { source, prepared });
  return prepared;
}

async function prepare(context: PrepareContext, source: ImportSource, register: (sha256: string) => void): Promise<Prepared> {
  if (source.problem) return { kind: 'refused', source, problem: source.problem };
  const { db, store, signal } = context;
  const shown = displayPath(source.path);
  let received: ReceivedFile | undefined;
  try {
    received = await store.receive(source.path, { followLinks: source.followLinks, signal, ...(await context.sourceLimits()) });

    const existing = db.findItemBySha256(received.sha256);
    const earlier = context.firstOfContent.get(received.sha256);
    if (existing || earlier) {
      await store.discard(received);
      if (existing) return { kind: 'duplicate', source, itemId: existing.id, sha256: received.sha256 };
      return { kind: 'copy', source, sha256: received.sha256, first: earlier!.source, firstPrepared: earlier!.prepared };
    }
    register(received.sha256);

    const header = await readImageHeader(received.incomingPath, { source: shown, maxPixels: context.maxPixels });
    const cost = decodedSampleBytes(header);
    if (cost > context.budget.totalBytes) {
      throw new ImportFileError(
        'over-memory-budget',
        `${shown}: decoding this ${header.width} x ${header.height} image needs ${describeBytes(cost)} of memory, more than the import's decode budget of ${describeBytes(context.budget.totalBytes)}: not decoded`,
      );
    }
    const release = await context.budget.acquire(cost, signal);
    let facts: ExaminedEvidence;
    try {
      facts = await context.examine(received.incomingPath, {
        source: shown,
        maxPixels: context.maxPixels,
        recycle: cost > RECYCLE_WORKER_ABOVE_BYTES,
        ...(context.filterInput ? { filterInput: context.filterInput } : {}),
      });
    } finally {
      release();
    }
    return { kind: 'ready', source, received, facts };
  } catch (error) {
    if (received) await store.discard(received);
    const described = asImportFileError(describeFileError(error, source.path));
    if (described) return { kind: 'refused', source, problem: described };
    // An unexpected system error on one file (EIO on a failing disk...) must not end the import.
    const code = (error as NodeJS.ErrnoException | undefined)?.code;
    if (typeof code === 'string' && code !== 'ABORT_ERR') {
      return { kind: 'refused', source, problem: new ImportFileError('read-error', `${shown}: ${(error as Error).message}`) };
    }
    throw error;
  }
}

/** The header check words its refusals as UserInputError (main/io/image.ts); the import records a kind. */
function asImportFileError(error: unknown): ImportFileError | undefined {
  if (error instanceof ImportFileError) return error;
  if (error instanceof UserInputError && error.name === 'UserInputError') return new ImportFileError(decodeErrorKind(error.message), error.message);
  return undefined;
}

/** How a file with the same content as an earlier one of the job, which was refused, is recorded. */
export function sameContentRefusal(copy: ImportSource, first: ImportSource, problem: ImportFileError): ImportFileError {
  const firstShown = displayPath(first.path);
  const reason = problem.message.startsWith(`${firstShown}: `) ? problem.message.slice(firstShown.length + 2) : problem.message;
  return new ImportFileError(problem.kind, `${displayPath(copy.path)}: same content as ${firstShown}, refused for the same reason: ${reason}`);
}
