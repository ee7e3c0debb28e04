/**
 * What the audit chain says the tables should hold: every entry that records a fact (an
 * examiner, the case, an item, a tag, a note, a purification run and its override, a verdict, a
 * report, a signing key, a tag taken back) is replayed into the row it created, keyed by that
 * row's id.
 */
import type { StoredAuditRow } from './audit-chain.ts';

export interface ChainEntry {
  sequence: number;
  time: string;
  /** NFC-normalised and trimmed, as rows store it. */
  examiner: string;
  subject: string;
  parameters: Record<string, unknown>;
}

export interface ChainFacts {
  examiners: Map<number, ChainEntry>;
  caseCreate: ChainEntry[];
  caseClose: ChainEntry[];
  items: Map<number, ChainEntry>;
  tags: Map<number, ChainEntry>;
  notes: Map<number, ChainEntry>;
  runs: Map<number, ChainEntry>;
  overrides: Map<number, ChainEntry>;
  verdicts: Map<number, ChainEntry>;
  reports: Map<number, ChainEntry>;
  keys: Map<number, ChainEntry>;
  /** Reversal row id -> the tag-reverse entry that made it and the tag it takes back (one entry makes many rows). */
  reversals: Map<number, { entry: ChainEntry; tagId: unknown; reverses: unknown }>;
  /** Hash match row id -> the hashlist-match entry that added it and the row it recorded (one entry adds many rows). */
  hashMatches: Map<number, { entry: ChainEntry; match: Record<string, unknown> }>;
  /** Two entries claiming to have created the same row: one of them is forged. */
  duplicates: { table: string; id: number; sequences: [number, number] }[];
}

/** Entry action -> [facts map, the parameter or subject that holds the row id]. */
const ID_OF: Record<string, { table: keyof ChainFacts; id: (entry: ChainEntry) => unknown }> = {
  'examiner-register': { table: 'examiners', id: (entry) => subjectId(entry.subject, 'examiner') },
  import: { table: 'items', id: (entry) => subjectId(entry.subject, 'item') },
  tag: { table: 'tags', id: (entry) => entry.parameters.tagId },
  note: { table: 'notes', id: (entry) => entry.parameters.noteId },
  purify: { table: 'runs', id: (entry) => entry.parameters.runId },
  override: { table: 'overrides', id: (entry) => entry.parameters.runId },
  classify: { table: 'verdicts', id: (entry) => entry.parameters.verdictId },
  report: { table: 'reports', id: (entry) => entry.parameters.reportId },
  'examiner-key': { table: 'keys', id: (entry) => entry.parameters.keyId },
};

export function subjectId(subject: string, prefix: string): number | null {
  const match = new RegExp(`^${prefix}:(\\d+)$`).exec(subject);
  return match ? Number(match[1]) : null;
}

export function sameName(a: string | null | undefined, b: string | null | undefined): boolean {
  return (a ?? '').normalize('NFC').trim() === (b ?? '').normalize('NFC').trim();
}

export function replayChain(rows: Iterable<StoredAuditRow>): ChainFacts {
  const facts: ChainFacts = {
    examiners: new Map(),
    caseCreate: [],
    caseClose: [],
    items: new Map(),
    tags: new Map(),
    notes: new Map(),
    runs: new Map(),
    overrides: new Map(),
    verdicts: new Map(),
    reports: new Map(),
    keys: new Map(),
    reversals: new Map(),
    hashMatches: new Map(),
    duplicates: [],
  };
  for (const row of rows) {
    let parameters: unknown;
    try {
      parameters = JSON.parse(row.parameters);
    } catch {
      continue; // reported by the chain check
    }
    const entry: ChainEntry = {
      sequence: row.sequence,
      time: row.time,
      examiner: row.examiner.normalize('NFC').trim(),
      subject: row.subject,
      parameters: parameters !== null && typeof parameters === 'object' ? (parameters as Record<string, unknown>) : {},
    };
    if (row.action === 'case-create') facts.caseCreate.push(entry);
    if (row.action === 'case-close') facts.caseClose.push(entry);
    if (row.action === 'tag-reverse') replayReversal(entry, facts);
    if (row.action === 'hashlist-match') replayHashMatches(entry, facts);
    const target = ID_OF[row.action];
    if (!target) continue;
    const id = target.id(entry);
    if (typeof id !== 'number' || !Number.isInteger(id)) continue;
    const map = facts[target.table] as Map<number, ChainEntry>;
    const earlier = map.get(id);
    if (earlier) facts.duplicates.push({ table: target.table, id, sequences: [earlier.sequence, entry.sequence] });
    else map.set(id, entry);
  }
  return facts;
}

/** One undo entry lists its reversal rows with, at the same positions, the tags and tag entries they reverse. */
function replayReversal(entry: ChainEntry, facts: ChainFacts): void {
  const { reversalIds, tagIds, reverses } = entry.parameters;
  if (!Array.isArray(reversalIds)) return;
  reversalIds.forEach((id: unknown, index) => {
    if (typeof id !== 'number' || !Number.isInteger(id)) return;
    const earlier = facts.reversals.get(id);
    if (earlier) facts.duplicates.push({ table: 'tag_reversals', id, sequences: [earlier.entry.sequence, entry.sequence] });
    else
      facts.reversals.set(id, {
        entry,
        tagId: Array.isArray(tagIds) ? tagIds[index] : undefined,
        reverses: Array.isArray(reverses) ? reverses[index] : undefined,
      });
  });
}

/** A matching run's entry lists the rows it added (entries of older versions list none). */
function replayHashMatches(entry: ChainEntry, facts: ChainFacts): void {
  const { added } = entry.parameters;
  if (!Array.isArray(added)) return;
  for (const match of added as unknown[]) {
    if (match === null || typeof match !== 'object') continue;
    const id = (match as Record<string, unknown>).matchId;
    if (typeof id !== 'number' || !Number.isInteger(id)) continue;
    const earlier = facts.hashMatches.get(id);
    if (earlier) facts.duplicates.push({ table: 'hash_matches', id, sequences: [earlier.entry.sequence, entry.sequence] });
    else facts.hashMatches.set(id, { entry, match: match as Record<string, unknown> });
  }
}
