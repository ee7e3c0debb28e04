/**
 * The cases of a workspace: each case is a sub-folder (main/case's CaseFolder) named by its case
 * id. Opened cases stay open while the workstation runs, because the grid asks for thumbnails
 * one by one and reopening SQLite for each would be wasteful.
 */
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { CASE_DATABASE_FILE, CaseFolder } from '../case/case-folder.ts';
import { CASE_NUMBER_RULE, checkCaseNumber } from '../case/case-number.ts';
import { IMPORT_JOB_KIND } from '../case/import-evidence.ts';
import { PURIFY_JOB_KIND, recordedPurifyJobParameters } from '../case/purify-evidence.ts';
import { UserInputError } from '../errors/user-input-error.ts';
import { caseIdSchema, type CaseSummary } from '../ipc/contract/index.ts';
import { EVALUATIONS_FOLDER } from './evaluations.ts';
import { TRAINED_BUNDLES_FOLDER } from './purification-catalogue.ts';
import { latestVerification } from './verification-outcome.ts';

/** Folders the workspace keeps beside its cases: a case cannot be named like one of them. */
export const RESERVED_CASE_IDS: readonly string[] = [TRAINED_BUNDLES_FOLDER, EVALUATIONS_FOLDER];

export class CaseLibrary {
  readonly workspace: string;
  readonly #open = new Map<string, CaseFolder>();

  constructor(workspace: string) {
    this.workspace = workspace;
  }

  folderOf(caseId: string): string {
    // Ids arrive validated, but this is the line that turns them into paths: check again.
    if (!caseIdSchema.safeParse(caseId).success) throw new UserInputError(`'${caseId}' is not a case id`);
    return join(this.workspace, caseId);
  }

  async list(): Promise<CaseSummary[]> {
    const entries = await readdir(this.workspace, { withFileTypes: true });
    const summaries: CaseSummary[] = [];
    for (const entry of entries.filter((candidate) => candidate.isDirectory()).sort((a, b) => a.name.localeCompare(b.name))) {
      if (!caseIdSchema.safeParse(entry.name).success) continue;
      if (!(await stat(join(this.workspace, entry.name, CASE_DATABASE_FILE)).catch(() => null))?.isFile()) continue;
      summaries.push(await this.summary(entry.name));
    }
    return summaries;
  }

  async create(details: { number: string; title: string; requester?: string; examiner: string }): Promise<CaseSummary> {
    const caseId = caseIdFromNumber(details.number);
    const created = await CaseFolder.create(this.folderOf(caseId), details);
    this.#open.set(caseId, created);
    return this.summary(caseId);
  }

  async open(caseId: string): Promise<CaseFolder> {
    const cached = this.#open.get(caseId);
    if (cached) return cached;
    const opened = await CaseFolder.open(this.folderOf(caseId));
    this.#open.set(caseId, opened);
    return opened;
  }

  async summary(caseId: string): Promise<CaseSummary> {
    const opened = await this.open(caseId);
    const record = opened.db.getCase();
    return {
      caseId,
      number: record.number,
      title: record.title,
      requester: record.requester,
      createdAt: record.createdAt,
      createdBy: record.createdBy,
      itemCount: opened.db.itemCount(),
      unfinishedImports: opened.db
        .jobs({ kind: IMPORT_JOB_KIND, states: ['cancelled', 'failed', 'interrupted'] })
        .map((job) => ({ caseJobId: job.id, state: job.state as 'cancelled' | 'failed' | 'interrupted', done: job.progressDone, total: job.progressTotal })),
      unfinishedPurifications: opened.db
        .jobs({ kind: PURIFY_JOB_KIND, states: ['cancelled', 'failed', 'interrupted'] })
        .map((job) => {
          // A purify job counts what it did by the runs it recorded, not by a progress column.
          const itemIds = readableItemIds(job.id, job.parameters);
          const done = itemIds.filter((itemId) => opened.db.purificationRuns(itemId).some((run) => run.jobId === job.id)).length;
          return { caseJobId: job.id, state: job.state as 'cancelled' | 'failed' | 'interrupted', done, total: itemIds.length };
        })
        // A job whose every item was purified has nothing left to resume.
        .filter((job) => job.done < (job.total ?? 0)),
      lastVerification: latestVerification(opened.db),
    };
  }

  close(): void {
    for (const opened of this.#open.values()) opened.close();
    this.#open.clear();
  }
}

/** The folder name of a case: its number, refused (never rewritten) when it is not a safe folder name. */
export function caseIdFromNumber(number: string): string {
  const caseId = checkCaseNumber(number.trim());
  if (!caseIdSchema.safeParse(caseId).success) throw new UserInputError(`the case number '${caseId}' cannot be a folder name: ${CASE_NUMBER_RULE}`);
  // Compared without case: on macOS and Windows 'Bundles' is the same folder as 'bundles'.
  const reserved = RESERVED_CASE_IDS.find((name) => name.toLowerCase() === caseId.toLowerCase());
  if (reserved) {
    throw new UserInputError(
      `case number '${number}' is reserved: the workspace keeps its ${reserved === TRAINED_BUNDLES_FOLDER ? 'trained reference bundles' : 'evaluations'} in the folder '${reserved}', where this case would go; choose another number`,
    );
  }
  return caseId;
}

/** The items of a recorded purify job; none when the row cannot be read (then there is nothing to resume, and listing the case must not fail). */
function readableItemIds(jobId: number, recorded: unknown): number[] {
  try {
    return recordedPurifyJobParameters(jobId, recorded).itemIds;
  } catch {
    return [];
  }
}
