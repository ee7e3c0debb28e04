/**
 * Every row that states a fact, compared with the audit entry that created it (chain-replay.ts):
 * a row no entry records was added behind the program's back, an entry whose row is gone had its
 * row deleted, and a field that differs from its entry was edited. Rows name their examiner by
 * id; the name is taken from the chain's own examiner registrations, so an edited examiners.name
 * is one finding (on the examiner) rather than a re-attribution of everything they did.
 */
import { canonicalJson } from './canonical-json.ts';
import { replayChain, sameName, subjectId, type ChainEntry, type ChainFacts } from './chain-replay.ts';
import type { StoredAuditRow } from './audit-chain.ts';
import type { CaseStores } from './stores/case-stores.ts';
import type { CaseRow } from './stores/case-store.ts';
import type { VerificationProblem } from './verification-problem.ts';
import { isSqliteError, unreadableProblem } from './verify-database.ts';
import { verifyHashMatchRecords } from './verify-hash-match-records.ts';
import type { CompareSpec, Field, Row } from './record-comparison.ts';

/** Row times are taken a moment apart from their entry's, in the same transaction. */
const SAME_MOMENT_MS = 5_000;

/** Each table is read as stored (every column, no joins) through its store's storedRows(). */
export function verifyRecords(stores: CaseStores, auditRows: Iterable<StoredAuditRow>): VerificationProblem[] {
  const facts = replayChain(auditRows);
  const problems: VerificationProblem[] = [];
  /** A table SQLite cannot read is named once, and its comparison skipped rather than every row called deleted. */
  const rows = <R extends Row>(table: string, read: () => R[]): Map<number, R> | null => {
    try {
      return new Map(read().map((row) => [row.id, row]));
    } catch (error) {
      if (!isSqliteError(error)) throw error;
      problems.push(unreadableProblem(error, `table ${table}`));
      return null;
    }
  };
  const items = rows('evidence_items', () => stores.items.storedRows());
  const examinerName = (id: unknown): string => {
    const name = facts.examiners.get(Number(id))?.parameters.name;
    return typeof name === 'string' ? name : `examiner ${String(id)}, whom the audit log never registered`;
  };
  const itemLabel = (id: unknown): string => {
    const name = facts.items.get(Number(id))?.parameters.originalName ?? items?.get(Number(id))?.original_name;
    return `item ${String(id)}${typeof name === 'string' ? ` (${name})` : ''}`;
  };
  const compare = <R extends Row>(spec: CompareSpec<R>) => {
    if (!spec.rows) return;
    /** The app marks the tile of the item a finding is on. */
    const onItem = (id: number, row?: R, entry?: ChainEntry): { itemId?: number } => {
      const itemId = spec.item?.(id, row, entry);
      return typeof itemId === 'number' && Number.isInteger(itemId) ? { itemId } : {};
    };
    for (const [id, row] of spec.rows) {
      const entry = spec.entries.get(id);
      if (!entry) {
        problems.push({
          kind: 'record',
          where: spec.where(id, row),
          reason: `no audit entry records this ${spec.what}: the row in ${spec.table} was added outside the program`,
          ...onItem(id, row),
        });
        continue;
      }
      for (const field of spec.fields(row, entry)) {
        if (field.expected === undefined || agrees(field)) continue;
        problems.push({
          kind: 'record',
          where: spec.where(id, row, entry),
          reason: `${field.label} is ${show(field.actual)} in ${spec.table}, but audit entry ${entry.sequence} recorded ${show(field.expected)}: the row was edited`,
          auditSequence: entry.sequence,
          ...onItem(id, row, entry),
        });
      }
    }
    for (const [id, entry] of spec.entries) {
      if (spec.rows.has(id)) continue;
      problems.push({
        kind: 'record',
        where: spec.where(id, undefined, entry),
        reason: `audit entry ${entry.sequence} records this ${spec.what}, but its row in ${spec.table} is gone: it was deleted`,
        auditSequence: entry.sequence,
        ...onItem(id, undefined, entry),
      });
    }
  };
  const common = (
    row: { examiner_id: unknown; created_at?: unknown; imported_at?: unknown },
    entry: ChainEntry,
    timeColumn: 'created_at' | 'imported_at' = 'created_at',
  ): Field[] => [
    { label: 'the examiner', actual: examinerName(row.examiner_id), expected: entry.examiner, compare: 'name' },
    { label: 'the time', actual: row[timeColumn], expected: entry.time, compare: 'time' },
  ];
  const p = (entry: ChainEntry, key: string) => entry.parameters[key];

  compare({
    what: 'examiner',
    table: 'examiners',
    rows: rows('examiners', () => stores.examiners.storedRows()),
    entries: facts.examiners,
    where: (id, row, entry) => `examiner ${id} (${show(entry?.parameters.name ?? row?.name)})`,
    fields: (row, entry) => [
      { label: 'the name', actual: row.name, expected: p(entry, 'name'), compare: 'name' },
      { label: 'the time', actual: row.created_at, expected: entry.time, compare: 'time' },
    ],
  });
  const cases = rows('cases', () => stores.cases.storedRows());
  if (cases) verifyCaseRow(cases, facts, examinerName, problems);
  compare({
    what: 'evidence item',
    table: 'evidence_items',
    rows: items,
    entries: facts.items,
    where: (id) => itemLabel(id),
    item: (id) => id,
    fields: (row, entry) => [
      ...(
        [
          ['original name', 'original_name', 'originalName'],
          ['original path', 'original_path', 'originalPath'],
          ['size in bytes', 'size_bytes', 'sizeBytes'],
          ['media type', 'media_type', 'mediaType'],
          ['width', 'width', 'width'],
          ['height', 'height', 'height'],
          ['SHA-256', 'sha256', 'sha256'],
          ['MD5', 'md5', 'md5'],
          ['PDQ hash', 'pdq_hash', 'pdqHash'],
          ['PDQ quality', 'pdq_quality', 'pdqQuality'],
          ['store path', 'store_path', 'storePath'],
          ['import job', 'import_job_id', 'jobId'],
        ] as const
      ).map(([label, column, key]): Field => ({ label: `the ${label}`, actual: row[column], expected: p(entry, key) })),
      { label: 'the decoder notes', actual: row.decode_notes, expected: p(entry, 'decodeNotes'), compare: 'json-text' },
      ...common(row, entry, 'imported_at'),
    ],
  });
  compare({
    what: 'tag',
    table: 'tags',
    rows: rows('tags', () => stores.tagsAndNotes.storedTagRows()),
    entries: facts.tags,
    item: itemOfRow,
    where: (id, row, entry) =>
      `${row?.kind === 'category' || p(entry ?? ({ parameters: {} } as ChainEntry), 'kind') === 'category' ? 'category' : 'tag'} ${id} on ${itemLabel(row?.item_id ?? subjectId(entry?.subject ?? '', 'item'))}`,
    fields: (row, entry) => [
      { label: 'the item', actual: row.item_id, expected: subjectId(entry.subject, 'item') },
      { label: 'the kind', actual: row.kind, expected: p(entry, 'kind') },
      { label: 'the value', actual: row.value, expected: p(entry, 'value') },
      { label: 'the comment', actual: row.comment, expected: p(entry, 'comment') },
      ...common(row, entry),
    ],
  });
  const reversalEntries = new Map([...facts.reversals].map(([id, reversal]) => [id, reversal.entry]));
  compare({
    what: 'undo of a tag',
    table: 'tag_reversals',
    rows: rows('tag_reversals', () => stores.tagReversals.storedRows()),
    entries: reversalEntries,
    where: (id, row) => `undo ${id}${row ? ` of tag ${String(row.tag_id)}` : ''}`,
    fields: (row, entry) => {
      const reversal = facts.reversals.get(row.id)!;
      return [
        { label: 'the tag taken back', actual: row.tag_id, expected: reversal.tagId },
        // The undo entry names the entry that made the tag: a tag the chain never made cannot be taken back.
        { label: "the tag's audit entry", actual: facts.tags.get(Number(row.tag_id))?.sequence ?? null, expected: reversal.reverses },
        ...common(row, entry),
      ];
    },
  });
  compare({
    what: 'note',
    table: 'notes',
    rows: rows('notes', () => stores.tagsAndNotes.storedNoteRows()),
    entries: facts.notes,
    item: itemOfRow,
    where: (id, row, entry) => {
      const itemId = row ? row.item_id : subjectId(entry?.subject ?? '', 'item');
      return `note ${id} on ${itemId === null || itemId === undefined ? 'the case' : itemLabel(itemId)}`;
    },
    fields: (row, entry) => [
      { label: 'the item', actual: row.item_id, expected: subjectId(entry.subject, 'item') },
      { label: 'the text', actual: row.text, expected: p(entry, 'text') },
      ...common(row, entry),
    ],
  });
  compare({
    what: 'purification run',
    table: 'purification_runs',
    rows: rows('purification_runs', () => stores.runs.storedRows()),
    entries: facts.runs,
    item: itemOfRow,
    where: (id, row, entry) => `purification run ${id} of ${itemLabel(row?.item_id ?? subjectId(entry?.subject ?? '', 'item'))}`,
    fields: (row, entry) => {
      const override = facts.overrides.get(row.id);
      return [
        { label: 'the item', actual: row.item_id, expected: subjectId(entry.subject, 'item') },
        ...(
          [
            ['bundle', 'bundle_id', 'bundleId'],
            ['bundle manifest SHA-256', 'bundle_manifest_sha256', 'bundleManifestSha256'],
            ['seed', 'seed', 'seed'],
            ['backend', 'backend', 'backend'],
            ['chosen cluster', 'chosen_cluster', 'chosenCluster'],
            ['output SHA-256', 'output_sha256', 'outputSha256'],
            ['output PDQ hash', 'output_pdq_hash', 'outputPdqHash'],
            ['PDQ distance', 'pdq_distance', 'pdqDistance'],
            ['job', 'job_id', 'jobId'],
            ['output store path', 'output_store_path', 'outputStorePath'],
            ['output PDQ quality', 'output_pdq_quality', 'outputPdqQuality'],
          ] as const
        ).map(([label, column, key]): Field => ({ label: `the ${label}`, actual: row[column], expected: p(entry, key) })),
        { label: 'the parameters', actual: row.parameters, expected: p(entry, 'parameters'), compare: 'json-text' },
        { label: 'the cluster distances', actual: row.cluster_distances, expected: p(entry, 'clusterDistances'), compare: 'json-text' },
        // Entries written before schema 6 have no evasion key, and their rows could have none: null either way.
        { label: 'the evasion score', actual: row.evasion ?? 'null', expected: p(entry, 'evasion') ?? null, compare: 'json-text' },
        { label: 'the cluster used', actual: row.override_cluster ?? row.chosen_cluster, expected: p(entry, 'usedCluster') },
        { label: 'the override', actual: row.override_cluster === null ? 'none' : 'present', expected: override ? 'present' : 'none' },
        ...(override && row.override_cluster !== null
          ? [
              { label: 'the override reason', actual: row.override_reason, expected: p(override, 'reason') },
              { label: 'the override examiner', actual: examinerName(row.override_examiner_id), expected: override.examiner, compare: 'name' as const },
            ]
          : []),
        ...common(row, entry),
      ];
    },
  });
  compare({
    what: 'classifier verdict',
    table: 'classifier_verdicts',
    rows: rows('classifier_verdicts', () => stores.verdicts.storedRows()),
    entries: facts.verdicts,
    item: itemOfRow,
    where: (id, row, entry) => `classifier verdict ${id} on ${itemLabel(row?.item_id ?? subjectId(entry?.subject ?? '', 'item'))}`,
    fields: (row, entry) => [
      { label: 'the item', actual: row.item_id, expected: subjectId(entry.subject, 'item') },
      ...(
        [
          ['purification run', 'purification_run_id', 'purificationRunId'],
          ['stage', 'stage', 'stage'],
          ['model', 'model_id', 'modelId'],
          ['model weights SHA-256', 'model_weights_sha256', 'modelWeightsSha256'],
          ['top class', 'top_class', 'topClass'],
        ] as const
      ).map(([label, column, key]): Field => ({ label: `the ${label}`, actual: row[column], expected: p(entry, key) })),
      { label: 'the scores', actual: row.scores, expected: p(entry, 'scores'), compare: 'json-text' },
      ...common(row, entry),
    ],
  });
  compare({
    what: 'report',
    table: 'reports',
    rows: rows('reports', () => stores.reports.storedRows()),
    entries: facts.reports,
    where: (id, row, entry) => `report ${id} (${show(row?.path ?? entry?.parameters.path)})`,
    fields: (row, entry) => [
      { label: 'the report id', actual: `report:${String(row.report_uid)}`, expected: entry.subject },
      { label: 'the format', actual: row.format, expected: p(entry, 'format') },
      { label: 'the path', actual: row.path, expected: p(entry, 'path') },
      { label: 'the SHA-256', actual: row.sha256, expected: p(entry, 'sha256') },
      ...common(row, entry),
    ],
  });
  compare({
    what: 'signing key',
    table: 'examiner_keys',
    rows: rows('examiner_keys', () => stores.examiners.storedKeyRows()),
    entries: facts.keys,
    where: (id, row, entry) => `signing key ${id} of ${examinerName(row?.examiner_id ?? subjectId(entry?.subject ?? '', 'examiner'))}`,
    fields: (row, entry) => [
      { label: 'the examiner', actual: row.examiner_id, expected: subjectId(entry.subject, 'examiner') },
      { label: 'the public key', actual: row.public_key, expected: p(entry, 'publicKey') },
      { label: 'the fingerprint', actual: row.fingerprint, expected: p(entry, 'fingerprint') },
      { label: 'the time', actual: row.created_at, expected: entry.time, compare: 'time' },
    ],
  });
  verifyHashMatchRecords(stores, { facts, compare, rows, itemLabel, common: (row, entry) => common(row, entry) });
  for (const duplicate of facts.duplicates) {
    problems.push({
      kind: 'record',
      where: `${duplicate.table} ${duplicate.id}`,
      reason: `audit entries ${duplicate.sequences[0]} and ${duplicate.sequences[1]} both claim to have created it`,
      auditSequence: duplicate.sequences[1],
    });
  }
  return problems;
}

function verifyCaseRow(rows: Map<number, CaseRow>, facts: ChainFacts, examinerName: (id: unknown) => string, problems: VerificationProblem[]): void {
  const [entry, ...extraEntries] = facts.caseCreate;
  const [row, ...extraRows] = rows.values();
  const where = `the case ${show(entry?.parameters.number ?? row?.number)}`;
  if (!entry) problems.push({ kind: 'record', where, reason: 'no case-create entry in the audit log records this case' });
  if (!row) problems.push({ kind: 'record', where, reason: `audit entry ${entry?.sequence} created the case, but its row in cases is gone` });
  for (const extra of extraEntries)
    problems.push({ kind: 'record', where, reason: `audit entry ${extra.sequence} creates a second case in one case folder`, auditSequence: extra.sequence });
  for (const extra of extraRows)
    problems.push({ kind: 'record', where: `case row ${extra.id} (${show(extra.number)})`, reason: 'a second case row that no audit entry created' });
  if (!entry || !row) return;
  const closed = facts.caseClose.length > 0;
  const fields: Field[] = [
    { label: 'the case number', actual: row.number, expected: entry.parameters.number, compare: 'name' },
    { label: 'the title', actual: row.title, expected: entry.parameters.title, compare: 'name' },
    { label: 'the requester', actual: row.requester, expected: entry.parameters.requester ?? null },
    { label: 'the examiner who opened it', actual: examinerName(row.created_by), expected: entry.examiner, compare: 'name' },
    { label: 'the time', actual: row.created_at, expected: entry.time, compare: 'time' },
    { label: 'whether it is closed', actual: row.closed_at === null ? 'open' : 'closed', expected: closed ? 'closed' : 'open' },
  ];
  for (const field of fields) {
    if (field.expected === undefined || agrees(field)) continue;
    problems.push({
      kind: 'record',
      where,
      reason: `${field.label} is ${show(field.actual)} in cases, but audit entry ${entry.sequence} recorded ${show(field.expected)}: the row was edited`,
      auditSequence: entry.sequence,
    });
  }
}

/** A row about an item names it in item_id; a deleted one is known only by its entry's subject. */
function itemOfRow(_id: number, row?: { item_id?: unknown }, entry?: ChainEntry): unknown {
  return row?.item_id ?? subjectId(entry?.subject ?? '', 'item');
}

function agrees(field: Field): boolean {
  switch (field.compare) {
    case 'name':
      return typeof field.actual === 'string' && typeof field.expected === 'string' && sameName(field.actual, field.expected);
    case 'time': {
      const difference = Math.abs(Date.parse(String(field.actual)) - Date.parse(String(field.expected)));
      return Number.isFinite(difference) && difference <= SAME_MOMENT_MS;
    }
    case 'json-text':
      try {
        return canonicalJson(JSON.parse(String(field.actual))) === canonicalJson(field.expected);
      } catch {
        return false;
      }
    default:
      return (field.actual ?? null) === (field.expected ?? null);
  }
}

function show(value: unknown): string {
  return value === undefined ? 'nothing' : JSON.stringify(value);
}
