/**
 * `acsr case verify`: everything that can show the record was altered after the fact.
 *  1. The database file itself: SQLite's integrity check; a damaged page is a finding, never a
 *     crash of the check (verify-database.ts).
 *  2. The audit log's hash chain, entry by entry (audit-chain.ts).
 *  3. The schema, text for text against what the migrations create: the append-only triggers
 *     and every table and index (verify-database.ts).
 *  4. Every fact row against the audit entry that created it, both ways (verify-records.ts).
 *  5. The signed checkpoints: a chain cut short or rebuilt under a signature (verify-checkpoints.ts).
 *  6. Every evidence file against its recorded SHA-256 and content address; purified outputs
 *     and their parts; every report file against the hash its report entry recorded.
 * Problems are listed in that order; the first is the "first broken link".
 */
import { readFile } from 'node:fs/promises';
import { isAbsolute, join, relative } from 'node:path';
import { sha256Hex } from '../io/hashing.ts';
import { silentProgress, throwIfCancelled, type TaskControl } from '../progress/progress.ts';
import { checkAuditChain, type AuditChainCheck, type StoredAuditRow } from './audit-chain.ts';
import type { CaseDatabase } from './case-database.ts';
import { journalCheckpoints } from './checkpoints.ts';
import type { EvidenceStore } from './evidence-store.ts';
import type { EvidenceItem, ReportRecord } from './records.ts';
import { COMPONENT_NAMES, storedComponentsOf } from './purification-components.ts';
import { configHome } from './signing-keys.ts';
import type { VerificationProblem } from './verification-problem.ts';
import { verifyCheckpoints, type CheckpointSummary } from './verify-checkpoints.ts';
import { checkDatabaseIntegrity, checkSchema, isSqliteError, unreadableProblem } from './verify-database.ts';
import { verifyRecords } from './verify-records.ts';

export type { VerificationProblem } from './verification-problem.ts';

export interface CaseVerification {
  ok: boolean;
  auditChain: AuditChainCheck;
  itemsChecked: number;
  outputsChecked: number;
  reportsChecked: number;
  /** The latest checkpoint whose signature and head hold, and how many entries came after it. */
  checkpoints: { valid: number; latest: CheckpointSummary | null; entriesAfterLatest: number };
  problems: VerificationProblem[];
  /** The first problem as one line, or null when everything holds. */
  firstBrokenLink: string | null;
  /** Files in the store that no record names (left by an import killed before its commit): not a failure. */
  unrecordedStoreFiles: string[];
  /** Report files written outside the case folder and not reachable from here (a removed medium): not a failure. */
  reportsNotFound: string[];
  /** Sequence of the audit entry that records this verification (absent when opened read-only or not recorded). */
  auditSequence?: number;
}

export interface VerifyCaseOptions extends TaskControl {
  examiner: string;
  record?: boolean;
  /** Where signers' checkpoint journals are (default: this user's configuration folder). */
  home?: string;
}

export async function verifyCase(db: CaseDatabase, store: EvidenceStore, options: VerifyCaseOptions): Promise<CaseVerification> {
  const progress = options.progress ?? silentProgress;
  const problems: VerificationProblem[] = [];
  /** Runs a read; a damaged database becomes a finding and the check goes on with what it has. */
  const read = <T>(what: string, work: () => T, fallback: T): T => {
    try {
      return work();
    } catch (error) {
      if (!isSqliteError(error)) throw error;
      problems.push(unreadableProblem(error, what));
      return fallback;
    }
  };

  // The file beneath the stores (integrity, schema) through its narrow read-only view; every
  // table through its store's reads.
  problems.push(...checkDatabaseIntegrity(db.stores.file));
  const auditRows = read('the audit log', () => [...db.auditRows()], [] as StoredAuditRow[]);
  const auditChain = checkAuditChain(auditRows);
  if (auditChain.broken) {
    problems.push({
      kind: 'audit-chain',
      where: `audit entry ${auditChain.broken.sequence}`,
      reason: auditChain.broken.reason,
      auditSequence: auditChain.broken.sequence,
    });
  }
  problems.push(...read('the schema', () => checkSchema(db.stores.file), []));
  problems.push(...read('the records', () => verifyRecords(db.stores, auditRows), []));

  const caseNumber = read('the case', () => db.getCase().number, '');
  const chain = new Map(auditRows.map((row) => [row.sequence, row.sha256]));
  const checkpointCheck = verifyCheckpoints({
    caseNumber,
    chain,
    checkpoints: read('the checkpoints', () => db.checkpoints(), []),
    keys: read('the signing keys', () => db.examinerKeys(), []),
    journal: auditRows[0] ? journalCheckpoints(auditRows[0].sha256, options.home ?? configHome()) : [],
  });
  problems.push(...checkpointCheck.problems);

  const items = read('the evidence items', () => [...db.items()], [] as EvidenceItem[]);
  const importEntries = new Map<string, Record<string, unknown>>();
  for (const row of auditRows) {
    if (row.action !== 'import') continue;
    try {
      importEntries.set(row.subject, JSON.parse(row.parameters) as Record<string, unknown>);
    } catch {
      // Unparseable parameters are already reported by the chain check.
    }
  }
  const recordedFiles = new Set<string>();
  let itemsChecked = 0;
  for (const item of items) {
    throwIfCancelled(options.signal);
    const where = `item ${item.id} (${item.storePath})`;
    recordedFiles.add(item.storePath);
    const entry = importEntries.get(`item:${item.id}`);
    if (entry) {
      for (const field of ['sha256', 'md5', 'sizeBytes', 'storePath', 'originalPath', 'pdqHash'] as const) {
        if (entry[field] !== item[field]) {
          problems.push({
            kind: 'evidence',
            where,
            reason: `recorded ${field} ${JSON.stringify(item[field])} differs from the audit log's ${JSON.stringify(entry[field])}`,
            itemId: item.id,
          });
        }
      }
    }
    if (item.storePath !== store.relativePathOf(item.sha256)) {
      problems.push({ kind: 'evidence', where, reason: `store path does not match the recorded SHA-256 ${item.sha256}`, itemId: item.id });
    }
    const actual = await store
      .hashStored(item.storePath)
      .catch((error: NodeJS.ErrnoException) => (error.code === 'ENOENT' ? 'missing' : `unreadable (${error.message})`));
    if (actual !== item.sha256) {
      problems.push({
        kind: 'evidence',
        where,
        itemId: item.id,
        reason: /^[0-9a-f]{64}$/.test(actual)
          ? `file's SHA-256 is ${actual}, recorded ${item.sha256}: the evidence file was altered`
          : `stored file is ${actual}`,
      });
    }
    itemsChecked++;
    progress.report({ stage: 'verify', fraction: itemsChecked / Math.max(1, items.length), message: `${itemsChecked}/${items.length} evidence files` });
  }

  let outputsChecked = 0;
  for (const item of items) {
    for (const run of read(`the purification runs of item ${item.id}`, () => db.purificationRuns(item.id), [])) {
      if (!run.outputStorePath) continue;
      recordedFiles.add(run.outputStorePath);
      const actual = await store.hashStored(run.outputStorePath).catch(() => 'missing or unreadable');
      if (actual !== run.outputSha256) {
        problems.push({
          kind: 'purified-output',
          where: `purification run ${run.id} of item ${item.id} (${run.outputStorePath})`,
          reason: `file's SHA-256 is ${actual}, recorded ${run.outputSha256}`,
          itemId: item.id,
        });
      }
      outputsChecked++;
      // The low/high parts the image view shows are outputs of the run too.
      const components = storedComponentsOf(run.parameters);
      for (const name of components ? COMPONENT_NAMES : []) {
        const part = components!.parts[name];
        recordedFiles.add(part.storePath);
        const partHash = await store.hashStored(part.storePath).catch(() => 'missing or unreadable');
        if (partHash !== part.sha256) {
          problems.push({
            kind: 'purified-output',
            where: `purification run ${run.id} of item ${item.id}, part ${name} (${part.storePath})`,
            reason: `file's SHA-256 is ${partHash}, recorded ${part.sha256}`,
            itemId: item.id,
          });
        }
      }
    }
  }

  const reportCheck = await verifyReportFiles(
    read('the reports', () => db.reports(), [] as ReportRecord[]),
    auditRows,
    store.caseFolder,
  );
  problems.push(...reportCheck.problems);

  const unrecordedStoreFiles: string[] = [];
  for await (const path of store.storedFiles()) if (!recordedFiles.has(path)) unrecordedStoreFiles.push(path);

  const first = problems[0];
  const lastSequence = auditRows.at(-1)?.sequence ?? 0;
  const result: CaseVerification = {
    ok: problems.length === 0,
    auditChain,
    itemsChecked,
    outputsChecked,
    reportsChecked: reportCheck.checked,
    checkpoints: {
      valid: checkpointCheck.valid,
      latest: checkpointCheck.latest,
      entriesAfterLatest: lastSequence - (checkpointCheck.latest?.sequence ?? 0),
    },
    problems,
    firstBrokenLink: first ? `${first.where}: ${first.reason}` : null,
    unrecordedStoreFiles,
    reportsNotFound: reportCheck.notFound,
  };
  if (options.record ?? true) {
    const entry = read(
      'nothing (recording the check)',
      () =>
        db.appendAudit({
          examiner: options.examiner,
          action: 'verify',
          subject: `case:${caseNumber}`,
          parameters: {
            ok: result.ok,
            auditEntriesChecked: auditChain.entries,
            auditHeadSha256: auditChain.headSha256,
            itemsChecked,
            outputsChecked,
            reportsChecked: reportCheck.checked,
            problemCount: problems.length,
            firstBrokenLink: result.firstBrokenLink,
            // The items whose tiles the app marks until a later verification passes.
            affectedItemIds: affectedItemIds(problems),
          },
        }),
      null,
    );
    if (entry) result.auditSequence = entry.sequence;
  }
  return result;
}

/** Enough to mark every tile of a large case, bounded so that one entry stays small. */
const MAX_AFFECTED_ITEMS_RECORDED = 10_000;

function affectedItemIds(problems: VerificationProblem[]): number[] {
  const ids = new Set<number>();
  for (const problem of problems) if (problem.itemId !== undefined) ids.add(problem.itemId);
  return [...ids].sort((a, b) => a - b).slice(0, MAX_AFFECTED_ITEMS_RECORDED);
}

/**
 * Each report file re-hashed against its report entry. Reports written inside the case folder
 * are found there even when the folder was moved or copied since (their paths were recorded
 * absolute, under the folder named in the case-create entry).
 */
async function verifyReportFiles(
  reports: ReportRecord[],
  auditRows: StoredAuditRow[],
  caseFolder: string,
): Promise<{ problems: VerificationProblem[]; checked: number; notFound: string[] }> {
  const problems: VerificationProblem[] = [];
  const notFound: string[] = [];
  const recordedFolder = caseFolderAtCreation(auditRows);
  const entries = new Map<string, { sequence: number; sha256: unknown }>();
  for (const row of auditRows) {
    if (row.action !== 'report') continue;
    try {
      entries.set(row.subject, { sequence: row.sequence, sha256: (JSON.parse(row.parameters) as { sha256?: unknown }).sha256 });
    } catch {
      // reported by the chain check
    }
  }
  let checked = 0;
  for (const report of reports) {
    const entry = entries.get(`report:${report.reportUid}`);
    // A report row without its entry is named by the record check; its file proves nothing.
    if (!entry || typeof entry.sha256 !== 'string') continue;
    const inside = recordedFolder ? relative(recordedFolder, report.path) : '..';
    const insideCase = !inside.startsWith('..') && !isAbsolute(inside);
    const path = insideCase ? join(caseFolder, inside) : report.path;
    const where = `report ${report.id} (${report.format}, ${path})`;
    let bytes: Buffer;
    try {
      bytes = await readFile(path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT' && !insideCase) {
        notFound.push(path);
        continue;
      }
      problems.push({
        kind: 'report-file',
        where,
        reason: `the report file is ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'gone from the case folder' : `unreadable (${(error as Error).message})`}`,
        auditSequence: entry.sequence,
      });
      continue;
    }
    checked++;
    const actual = sha256Hex(bytes);
    if (actual !== entry.sha256) {
      problems.push({
        kind: 'report-file',
        where,
        reason: `the file's SHA-256 is ${actual}, but audit entry ${entry.sequence} recorded ${entry.sha256} when it was written: the report was edited afterwards`,
        auditSequence: entry.sequence,
      });
    }
  }
  return { problems, checked, notFound };
}

function caseFolderAtCreation(auditRows: StoredAuditRow[]): string | null {
  const created = auditRows.find((row) => row.action === 'case-create');
  try {
    const folder = created ? (JSON.parse(created.parameters) as { folder?: unknown }).folder : null;
    return typeof folder === 'string' ? folder : null;
  } catch {
    return null;
  }
}
