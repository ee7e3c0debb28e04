/**
 * `acsr case verify`: everything that can show the record was altered after the fact.
 *  1. The audit log's hash chain, entry by entry (checkAuditChain).
 *  2. The append-only triggers: an attacker who edits rows has to drop them first; that they are
 *     gone is evidence in itself, even if every hash was recomputed afterwards.
 *  3. Every evidence file against its recorded SHA-256 (and its content address), and every
 *     item against its own import entry in the audit log, so that a row edited to match a
 *     swapped file still disagrees with the chained record of what was imported.
 *  4. Purified outputs kept in the store (and the parts the image view shows), against their recorded hashes.
 * Problems are listed in that order; the first is the "first broken link".
 */
import { silentProgress, throwIfCancelled, type TaskControl } from '../progress/progress.ts';
import { checkAuditChain, type AuditChainCheck } from './audit-chain.ts';
import type { CaseDatabase } from './case-database.ts';
import type { EvidenceStore } from './evidence-store.ts';
import { APPEND_ONLY_TABLES } from './migrations.ts';
import { COMPONENT_NAMES, storedComponentsOf } from './purification-components.ts';

export interface VerificationProblem {
  kind: 'audit-chain' | 'append-only-guard' | 'evidence' | 'purified-output';
  /** e.g. 'audit entry 12', 'item 4 (evidence/ab/ab12...)'. */
  where: string;
  reason: string;
}

export interface CaseVerification {
  ok: boolean;
  auditChain: AuditChainCheck;
  itemsChecked: number;
  outputsChecked: number;
  problems: VerificationProblem[];
  /** The first problem as one line, or null when everything holds. */
  firstBrokenLink: string | null;
  /** Files in the store that no record names (left by an import killed before its commit): not a failure. */
  unrecordedStoreFiles: string[];
  /** Sequence of the audit entry that records this verification (absent when opened read-only). */
  auditSequence?: number;
}

export async function verifyCase(db: CaseDatabase, store: EvidenceStore, options: TaskControl & { examiner: string; record?: boolean }): Promise<CaseVerification> {
  const progress = options.progress ?? silentProgress;
  const problems: VerificationProblem[] = [];

  const auditChain = checkAuditChain(db.auditRows());
  if (auditChain.broken) {
    problems.push({ kind: 'audit-chain', where: `audit entry ${auditChain.broken.sequence}`, reason: auditChain.broken.reason });
  }

  const triggers = new Set(
    db.connection.prepare(`SELECT name FROM sqlite_master WHERE type = 'trigger'`).pluck().all() as string[],
  );
  for (const table of APPEND_ONLY_TABLES) {
    for (const guard of [`${table}_no_update`, `${table}_no_delete`]) {
      if (!triggers.has(guard)) {
        problems.push({ kind: 'append-only-guard', where: `table ${table}`, reason: `trigger ${guard} was removed: rows of ${table} may have been changed` });
      }
    }
  }

  const importEntries = new Map<string, Record<string, unknown>>();
  for (const row of db.auditRows()) {
    if (row.action !== 'import') continue;
    try {
      importEntries.set(row.subject, JSON.parse(row.parameters) as Record<string, unknown>);
    } catch {
      // Unparseable parameters are already reported by the chain check.
    }
  }

  const total = db.itemCount();
  const recordedFiles = new Set<string>();
  let itemsChecked = 0;
  for (const item of db.items()) {
    throwIfCancelled(options.signal);
    const where = `item ${item.id} (${item.storePath})`;
    recordedFiles.add(item.storePath);
    const entry = importEntries.get(`item:${item.id}`);
    if (!entry) {
      problems.push({ kind: 'evidence', where, reason: 'no import entry in the audit log records this item' });
    } else {
      for (const field of ['sha256', 'md5', 'sizeBytes', 'storePath', 'originalPath', 'pdqHash'] as const) {
        if (entry[field] !== item[field]) {
          problems.push({ kind: 'evidence', where, reason: `recorded ${field} ${JSON.stringify(item[field])} differs from the audit log's ${JSON.stringify(entry[field])}` });
        }
      }
    }
    if (item.storePath !== store.relativePathOf(item.sha256)) {
      problems.push({ kind: 'evidence', where, reason: `store path does not match the recorded SHA-256 ${item.sha256}` });
    }
    const actual = await store.hashStored(item.storePath).catch((error: NodeJS.ErrnoException) => (error.code === 'ENOENT' ? 'missing' : `unreadable (${error.message})`));
    if (actual !== item.sha256) {
      problems.push({
        kind: 'evidence',
        where,
        reason: /^[0-9a-f]{64}$/.test(actual) ? `file's SHA-256 is ${actual}, recorded ${item.sha256}: the evidence file was altered` : `stored file is ${actual}`,
      });
    }
    itemsChecked++;
    progress.report({ stage: 'verify', fraction: itemsChecked / Math.max(1, total), message: `${itemsChecked}/${total} evidence files` });
  }

  let outputsChecked = 0;
  for (const item of db.items()) {
    for (const run of db.purificationRuns(item.id)) {
      if (!run.outputStorePath) continue;
      recordedFiles.add(run.outputStorePath);
      const actual = await store.hashStored(run.outputStorePath).catch(() => 'missing or unreadable');
      if (actual !== run.outputSha256) {
        problems.push({ kind: 'purified-output', where: `purification run ${run.id} of item ${item.id} (${run.outputStorePath})`, reason: `file's SHA-256 is ${actual}, recorded ${run.outputSha256}` });
      }
      outputsChecked++;
      // The low/high parts the image view shows are outputs of the run too.
      const components = storedComponentsOf(run.parameters);
      for (const name of components ? COMPONENT_NAMES : []) {
        const part = components!.parts[name];
        recordedFiles.add(part.storePath);
        const partHash = await store.hashStored(part.storePath).catch(() => 'missing or unreadable');
        if (partHash !== part.sha256) {
          problems.push({ kind: 'purified-output', where: `purification run ${run.id} of item ${item.id}, part ${name} (${part.storePath})`, reason: `file's SHA-256 is ${partHash}, recorded ${part.sha256}` });
        }
      }
    }
  }

  const unrecordedStoreFiles: string[] = [];
  for await (const path of store.storedFiles()) if (!recordedFiles.has(path)) unrecordedStoreFiles.push(path);

  const first = problems[0];
  const result: CaseVerification = {
    ok: problems.length === 0,
    auditChain,
    itemsChecked,
    outputsChecked,
    problems,
    firstBrokenLink: first ? `${first.where}: ${first.reason}` : null,
    unrecordedStoreFiles,
  };
  if (options.record ?? true) {
    const entry = db.appendAudit({
      examiner: options.examiner,
      action: 'verify',
      subject: `case:${db.getCase().number}`,
      parameters: {
        ok: result.ok,
        auditEntriesChecked: auditChain.entries,
        auditHeadSha256: auditChain.headSha256,
        itemsChecked,
        outputsChecked,
        problemCount: problems.length,
        firstBrokenLink: result.firstBrokenLink,
      },
    });
    result.auditSequence = entry.sequence;
  }
  return result;
}
