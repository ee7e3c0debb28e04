/**
 * The files an import could not take into the case, in words an investigator reads at a glance:
 * the file, a short reason ("not an image", "file too large"), and the full message for whoever
 * wants the detail. Read from the import outcomes the import jobs recorded (and chained in the
 * audit log), so the list is the same in the jobs panel, on the case screen and in
 * `acsr case show`.
 */
import { IMPORT_JOB_KIND } from './import-evidence.ts';
import type { CaseDatabase } from './case-database.ts';
import { displayPath } from './display-path.ts';
import type { ImportErrorKind } from './file-errors.ts';
import type { ImportOutcome } from './records.ts';

const PLAIN_REASONS: Record<ImportErrorKind, string> = {
  'empty-file': 'empty file',
  'not-a-regular-file': 'not a regular file',
  'permission-denied': 'no permission to read it',
  'not-found': 'file missing',
  'read-error': 'unreadable',
  'unsafe-name': 'unsafe file name',
  'symlink-outside-folder': 'link to a file outside the folder',
  'symlink-not-followed': 'link to a folder, not followed',
  'unsupported-format': 'not an image type this tool imports',
  'not-an-image': 'not an image',
  'damaged-image': 'damaged or truncated image',
  'too-many-pixels': 'too many pixels',
  'too-large': 'file too large',
  'over-memory-budget': 'too large to decode',
};

/** The short reason for a recorded error kind; kinds recorded by other versions read as "unreadable". */
export function plainImportReason(kind: string | null): string {
  return kind !== null && Object.hasOwn(PLAIN_REASONS, kind) ? PLAIN_REASONS[kind as ImportErrorKind] : 'unreadable';
}

export interface ImportFailure {
  /** The import job of the case that met the file. */
  caseJobId: number;
  /** The file as found, shown safely (display-path.ts). */
  file: string;
  /** A few plain words. */
  reason: string;
  /** The recorded message, with the specifics (sizes, limits, the decoder's words). */
  detail: string;
}

/** One outcome as a failure; undefined for an imported file or a duplicate. */
export function importFailureOf(caseJobId: number, outcome: ImportOutcome): ImportFailure | undefined {
  if (outcome.outcome !== 'error') return undefined;
  return { caseJobId, file: displayPath(outcome.sourcePath), reason: plainImportReason(outcome.errorKind), detail: outcome.message ?? '' };
}

/**
 * Every file the case's imports did not take in, one row per file with its latest outcome: a file
 * refused once and imported (or found a duplicate) by a later import is no longer listed, and a
 * file refused twice shows the later refusal. In the order the imports last met them.
 */
export function importFailures(db: CaseDatabase): ImportFailure[] {
  const latest = new Map<string, ImportFailure | undefined>();
  for (const job of db.jobs({ kind: IMPORT_JOB_KIND })) {
    for (const outcome of db.importOutcomes(job.id)) {
      latest.delete(outcome.sourcePath);
      latest.set(outcome.sourcePath, importFailureOf(job.id, outcome));
    }
  }
  return [...latest.values()].filter((failure) => failure !== undefined);
}
