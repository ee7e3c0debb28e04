/**
 * The hash chain of the audit log. Each entry's hash covers its own fields and the previous
 * entry's hash, so changing, inserting or deleting any entry breaks every link after it.
 *
 * An entry's hash is SHA-256 (lowercase hex) of the UTF-8 bytes of
 *   canonicalJson({ sequence, time, examiner, osUser, action, subject, parameters, previousSha256 })
 * (see canonical-json.ts), where osUser (the operating-system account that wrote the entry) is
 * left out when the entry has none (entries written before it was recorded), and the first
 * entry's previousSha256 is 64 zeros. This is written out
 * here because anyone holding a copy of case.sqlite must be able to check it without this code.
 */
import { sha256Hex } from '../io/hashing.ts';
import { canonicalJson } from './canonical-json.ts';

export const GENESIS_SHA256 = '0'.repeat(64);

export interface AuditEntryContent {
  sequence: number;
  /** UTC, ISO-8601 with milliseconds, e.g. 2026-11-25T12:00:00.000Z. */
  time: string;
  examiner: string;
  /** The OS account that wrote the entry; null in entries written before it was recorded. */
  osUser?: string | null;
  action: string;
  /** What the action is about, e.g. 'item:12', 'job:3', 'case:2026-0042'. */
  subject: string;
  parameters: unknown;
  previousSha256: string;
}

export interface AuditEntry extends AuditEntryContent {
  sha256: string;
}

export function auditEntryHash(entry: AuditEntryContent): string {
  const { sequence, time, examiner, action, subject, parameters, previousSha256 } = entry;
  const osUser = entry.osUser ?? undefined;
  const serialised = canonicalJson({ sequence, time, examiner, osUser, action, subject, parameters, previousSha256 });
  return sha256Hex(serialised);
}

/** An entry as stored: parameters are still text, so that unparseable text can be reported. */
export interface StoredAuditRow {
  sequence: number;
  time: string;
  examiner: string;
  osUser?: string | null;
  action: string;
  subject: string;
  parameters: string;
  previousSha256: string;
  sha256: string;
}

export interface BrokenAuditLink {
  sequence: number;
  reason: string;
}

export interface AuditChainCheck {
  entries: number;
  /** The last entry's hash: quoting it elsewhere (a report, a ticket) pins the log up to there. */
  headSha256: string;
  broken: BrokenAuditLink | null;
}

/**
 * Walks the rows in sequence order and stops at the first link that does not hold; later links
 * are not reported because after a break they only repeat the same fact.
 */
export function checkAuditChain(rows: Iterable<StoredAuditRow>): AuditChainCheck {
  let expectedSequence = 1;
  let previousSha256 = GENESIS_SHA256;
  let entries = 0;
  for (const row of rows) {
    entries++;
    const broken = (reason: string): AuditChainCheck => ({ entries, headSha256: previousSha256, broken: { sequence: row.sequence, reason } });
    if (row.sequence !== expectedSequence) {
      return broken(
        row.sequence > expectedSequence
          ? `entries ${expectedSequence}..${row.sequence - 1} are missing (deleted)`
          : `entry sequence ${row.sequence} is out of order (expected ${expectedSequence})`,
      );
    }
    if (row.previousSha256 !== previousSha256) {
      return broken(`previous-entry hash ${row.previousSha256} does not match entry ${row.sequence - 1}'s hash ${previousSha256}`);
    }
    let parameters: unknown;
    try {
      parameters = JSON.parse(row.parameters);
    } catch {
      return broken('parameters are not valid JSON');
    }
    const recomputed = auditEntryHash({ ...row, parameters });
    if (recomputed !== row.sha256) {
      return broken(`content does not match its hash (stored ${row.sha256}, recomputed ${recomputed}): the entry was altered`);
    }
    previousSha256 = row.sha256;
    expectedSequence++;
  }
  return { entries, headSha256: previousSha256, broken: null };
}
