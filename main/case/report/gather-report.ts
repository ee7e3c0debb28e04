/**
 * Collects everything a report states from a case, checking as it goes: the case is verified
 * first (audit chain, append-only guards, every stored file; the check is itself recorded in the
 * audit log), and each evidence file is read back through the verifying reader, so a report can
 * never print a hash or a thumbnail for a file that no longer matches its record.
 */
import { UserInputError } from '../../errors/user-input-error.ts';
import { PDQ_MATCH_THRESHOLD, PDQ_QUALITY_DISCARD_AT_OR_BELOW } from '../../pdq/pdq.ts';
import { silentProgress, throwIfCancelled, type TaskControl } from '../../progress/progress.ts';
import { EvidenceIntegrityError, type CaseFolder } from '../case-folder.ts';
import type { PurificationRun, Verdict } from '../records.ts';
import { CATEGORY_LABELS, type CategoryCode } from '../tag-categories.ts';
import type { ItemSummary } from '../records.ts';
import { auditSubjectNames } from './audit-subjects.ts';
import { environmentInfo, toolInfo } from './build-info.ts';
import { readExifSummary } from './exif-summary.ts';
import { reportLimitations } from './limitations.ts';
import { gatherTriage } from './report-triage.ts';
import type {
  CaseReport,
  ReportAuditEntry,
  ReportCluster,
  ReportItem,
  ReportPurificationRun,
  ReportScope,
  ReportVerdict,
  ThumbnailMode,
} from './report-model.ts';
import { REPORT_FORMAT, REPORT_FORMAT_VERSION } from './report-model.ts';
import { makeThumbnail, type Thumbnail } from './thumbnails.ts';

export const DEFAULT_AUDIT_EXCERPT_LIMIT = 500;

export type ReportContent = Omit<CaseReport, 'reportId' | 'renderedAs' | 'files'>;

/** Which items a report covers: chosen items, or those whose current category is one code. */
export interface ReportScopeRequest {
  itemIds?: readonly number[];
  category?: CategoryCode;
}

export interface GatheredReport {
  content: ReportContent;
  /** Keyed 'item:<id>' (the evidence) and 'run:<id>' (a purified output); empty for mode 'none'. */
  thumbnails: Map<string, Thumbnail>;
}

export interface GatherReportOptions extends TaskControl {
  examiner: string;
  thumbnails: ThumbnailMode;
  /** The audit log is printed in full up to this many entries, else its latest entries. */
  auditExcerptLimit?: number;
  /** The whole case unless given. */
  scope?: ReportScopeRequest;
  /** Print GPS coordinates found in EXIF (otherwise only whether a position is recorded). */
  gpsCoordinates?: boolean;
}

export async function gatherReport(caseFolder: CaseFolder, options: GatherReportOptions): Promise<GatheredReport> {
  const progress = options.progress ?? silentProgress;
  const { db } = caseFolder;
  const generatedAt = new Date().toISOString();

  const check = await caseFolder.verify({ examiner: options.examiner, progress: progress.sub(0, 0.4, 'verify'), signal: options.signal });
  const verification: CaseReport['verification'] = {
    ok: check.ok,
    checkedAt: new Date().toISOString(),
    auditSequence: check.auditSequence ?? null,
    auditEntriesChecked: check.auditChain.entries,
    auditHeadSha256: check.auditChain.headSha256,
    itemsChecked: check.itemsChecked,
    outputsChecked: check.outputsChecked,
    reportsChecked: check.reportsChecked,
    latestCheckpoint: check.checkpoints.latest,
    entriesAfterCheckpoint: check.checkpoints.entriesAfterLatest,
    firstBrokenLink: check.firstBrokenLink,
    problems: check.problems.map(({ kind, where, reason }) => ({ kind, where, reason })),
  };

  const thumbnails = new Map<string, Thumbnail>();
  const allItems = db.listItems();
  const { scope, summaries } = selectItems(allItems, options.scope);
  const items: ReportItem[] = [];
  const itemProgress = progress.sub(0.4, 0.95, 'items');
  for (const [index, summary] of summaries.entries()) {
    throwIfCancelled(options.signal);
    const integrity = await reverifyEvidence(caseFolder, summary.id, options.examiner);
    const exif = integrity.bytes ? await readExifSummary(integrity.bytes, { coordinates: options.gpsCoordinates === true }) : null;
    if (integrity.bytes && options.thumbnails !== 'none') await addThumbnail(thumbnails, `item:${summary.id}`, integrity.bytes, options.thumbnails);
    const verdicts = db.verdicts(summary.id).map(reportVerdict);
    const runs: ReportPurificationRun[] = [];
    for (const run of db.purificationRuns(summary.id)) {
      const output = await readOutput(caseFolder, run);
      if (output.bytes && options.thumbnails !== 'none') await addThumbnail(thumbnails, `run:${run.id}`, output.bytes, options.thumbnails);
      runs.push(reportRun(run, verdicts, output.integrityOk));
    }
    const runIds = new Set(runs.map((run) => run.id));
    items.push({
      id: summary.id,
      originalName: summary.originalName,
      originalPath: summary.originalPath,
      storePath: summary.storePath,
      mediaType: summary.mediaType,
      width: summary.width,
      height: summary.height,
      sizeBytes: summary.sizeBytes,
      importedAt: summary.importedAt,
      importedBy: summary.examiner,
      decodeNotes: summary.decodeNotes,
      exif,
      sha256: summary.sha256,
      md5: summary.md5,
      pdq: { hash: summary.pdqHash, quality: summary.pdqQuality, reliable: summary.pdqQuality > PDQ_QUALITY_DISCARD_AT_OR_BELOW },
      integrity: { ok: integrity.problem === null, checkedAt: integrity.checkedAt, problem: integrity.problem },
      category: summary.category === null ? null : { code: summary.category, label: CATEGORY_LABELS[summary.category] },
      tags: db.tagsOf(summary.id).map(({ kind, value, comment, examiner, createdAt, reversed }) => ({
        kind,
        value,
        comment,
        examiner,
        createdAt,
        ...(reversed ? { undone: true as const } : {}),
      })),
      notes: db.notes({ itemId: summary.id }).map(({ id, text, examiner, createdAt }) => ({ id, text, examiner, createdAt })),
      purificationRuns: runs,
      otherVerdicts: verdicts.filter((verdict) => verdict.purificationRunId === null || !runIds.has(verdict.purificationRunId)).map(stripRunId),
    });
    itemProgress.report({ stage: 'items', fraction: (index + 1) / summaries.length, message: `${index + 1}/${summaries.length} items` });
  }

  const record = db.getCase();
  const sqliteVersion = db.stores.file.sqliteVersion();
  const content: ReportContent = {
    format: REPORT_FORMAT,
    formatVersion: REPORT_FORMAT_VERSION,
    generatedAt,
    scope,
    thumbnails: options.thumbnails,
    examiner: options.examiner.trim(),
    case: {
      number: record.number,
      title: record.title,
      requester: record.requester,
      createdAt: record.createdAt,
      createdBy: record.createdBy,
      closedAt: record.closedAt,
      folder: caseFolder.folder,
      notes: db.notes({ itemId: null }).map(({ id, text, examiner, createdAt }) => ({ id, text, examiner, createdAt })),
    },
    tool: toolInfo(),
    environment: environmentInfo(sqliteVersion),
    verification,
    summary: {
      items: items.length,
      itemsInCase: allItems.length,
      itemsFailingIntegrity: items.filter((item) => !item.integrity.ok).length,
      purificationRuns: items.reduce((n, item) => n + item.purificationRuns.length, 0),
      overriddenRuns: items.reduce((n, item) => n + item.purificationRuns.filter((run) => run.overridden).length, 0),
      verdicts: items.reduce(
        (n, item) => n + item.otherVerdicts.length + item.purificationRuns.reduce((m, run) => m + run.verdictsBefore.length + run.verdictsAfter.length, 0),
        0,
      ),
    },
    bundles: countBy(
      items.flatMap((item) => item.purificationRuns.map((run) => run.bundle)),
      (bundle) => `${bundle.id}\n${bundle.manifestSha256}`,
    ).map(([bundle, runs]) => ({ id: bundle.id, manifestSha256: bundle.manifestSha256, runs })),
    models: countBy(
      items.flatMap((item) => [...item.otherVerdicts, ...item.purificationRuns.flatMap((run) => [...run.verdictsBefore, ...run.verdictsAfter])]),
      (verdict) => `${verdict.modelId}\n${verdict.modelWeightsSha256}`,
    ).map(([verdict, verdicts]) => ({ id: verdict.modelId, weightsSha256: verdict.modelWeightsSha256, verdicts })),
    items,
    ...gatherTriage(db, new Set(items.map((item) => item.id))),
    audit: auditExcerpt(
      caseFolder,
      options.auditExcerptLimit ?? DEFAULT_AUDIT_EXCERPT_LIMIT,
      scope.kind === 'case' ? null : new Set(items.map((item) => item.id)),
    ),
    limitations: reportLimitations(),
    selfVerification:
      "A file cannot contain its own hash. When this report was written, the SHA-256 of each of its files was recorded in the case database's reports table and in an audit-log entry (action 'report', naming this report id and the file's format) that follows the entries printed here. To check a copy: compute its SHA-256 (sha256sum FILE) and compare it with 'acsr case show --case DIR', which lists every report file with its hash.",
  };
  progress.report({ stage: 'gathered', fraction: 1 });
  return { content, thumbnails };
}

/** A preview is a convenience: a file sharp cannot preview gets none rather than no report. */
async function addThumbnail(thumbnails: Map<string, Thumbnail>, key: string, bytes: Buffer, mode: Exclude<ThumbnailMode, 'none'>): Promise<void> {
  const thumbnail = await makeThumbnail(bytes, mode).catch(() => null);
  if (thumbnail) thumbnails.set(key, thumbnail);
}

/** The item's bytes when they still match the record; otherwise the reason (also in the audit log). */
async function reverifyEvidence(
  caseFolder: CaseFolder,
  itemId: number,
  examiner: string,
): Promise<{ bytes: Buffer | null; problem: string | null; checkedAt: string }> {
  try {
    const { bytes } = await caseFolder.readEvidence(itemId, { examiner });
    return { bytes, problem: null, checkedAt: new Date().toISOString() };
  } catch (error) {
    if (!(error instanceof EvidenceIntegrityError)) throw error;
    return { bytes: null, problem: error.message, checkedAt: new Date().toISOString() };
  }
}

async function readOutput(caseFolder: CaseFolder, run: PurificationRun): Promise<{ bytes: Buffer | null; integrityOk: boolean | null }> {
  if (!run.outputStorePath) return { bytes: null, integrityOk: null };
  const read = await caseFolder.store.read(run.outputStorePath).catch(() => null);
  if (!read || read.sha256 !== run.outputSha256) return { bytes: null, integrityOk: false };
  return { bytes: read.bytes, integrityOk: true };
}

function reportRun(
  run: PurificationRun,
  verdicts: (ReportVerdict & { purificationRunId: number | null })[],
  outputIntegrityOk: boolean | null,
): ReportPurificationRun {
  const ids = Array.isArray(run.parameters.clusterIds) ? (run.parameters.clusterIds as unknown[]).map(String) : [];
  const cluster = (index: number): ReportCluster => ({ index, id: ids[index] ?? null });
  const used = run.override?.cluster ?? run.chosenCluster;
  const mine = verdicts.filter((verdict) => verdict.purificationRunId === run.id);
  return {
    id: run.id,
    createdAt: run.createdAt,
    examiner: run.examiner,
    jobId: run.jobId,
    bundle: { id: run.bundleId, manifestSha256: run.bundleManifestSha256 },
    backend: run.backend,
    seed: run.seed,
    parameters: run.parameters,
    chosenCluster: cluster(run.chosenCluster),
    usedCluster: cluster(used),
    overridden: run.override !== null,
    override: run.override === null ? null : { examiner: run.override.examiner, reason: run.override.reason },
    clusterDistances: run.clusterDistances.map((distance, index) => ({ ...cluster(index), distance })),
    output: {
      sha256: run.outputSha256,
      storePath: run.outputStorePath,
      pdqHash: run.outputPdqHash,
      pdqQuality: run.outputPdqQuality,
      integrityOk: outputIntegrityOk,
    },
    pdqDistance: run.pdqDistance,
    pdqSamePicture: run.pdqDistance <= PDQ_MATCH_THRESHOLD,
    timingsMs: run.timingsMs,
    verdictsBefore: mine.filter((verdict) => verdict.stage === 'before').map(stripRunId),
    verdictsAfter: mine.filter((verdict) => verdict.stage === 'after').map(stripRunId),
    ...(run.evasion ? { evasion: run.evasion } : {}),
  };
}

function reportVerdict(verdict: Verdict): ReportVerdict & { purificationRunId: number | null } {
  const { id, stage, modelId, modelWeightsSha256, topClass, scores, examiner, createdAt, purificationRunId } = verdict;
  return { id, stage, modelId, modelWeightsSha256, topClass, scores, examiner, createdAt, purificationRunId };
}

function stripRunId({ purificationRunId: _unused, ...verdict }: ReportVerdict & { purificationRunId: number | null }): ReportVerdict {
  return verdict;
}

/**
 * The items a report covers, in the case's order. A scoped report names its scope; chosen item
 * numbers that are not in the case are refused rather than silently left out.
 */
function selectItems(all: ItemSummary[], request: ReportScopeRequest | undefined): { scope: ReportScope; summaries: ItemSummary[] } {
  const itemIds = request?.itemIds ?? [];
  if (itemIds.length > 0 && request?.category !== undefined) throw new UserInputError('choose items or a category for the report, not both');
  if (itemIds.length > 0) {
    const known = new Set(all.map((item) => item.id));
    const missing = itemIds.filter((id) => !known.has(id));
    if (missing.length > 0) throw new UserInputError(`the case has no evidence item ${missing.join(', ')}: choose items listed by acsr case show`);
    const chosen = new Set(itemIds);
    const summaries = all.filter((item) => chosen.has(item.id));
    const names = summaries.map((item) => item.originalName);
    const listed = names.length <= 5 ? names.join(', ') : `${names.slice(0, 5).join(', ')} and ${names.length - 5} more`;
    return {
      scope: {
        kind: 'items',
        itemIds: summaries.map((item) => item.id),
        description: `${summaries.length} chosen item${summaries.length === 1 ? '' : 's'} of ${all.length}: ${listed}`,
      },
      summaries,
    };
  }
  if (request?.category !== undefined) {
    const { category } = request;
    const summaries = all.filter((item) => item.category === category);
    return {
      scope: {
        kind: 'category',
        category,
        description: `the ${summaries.length} item${summaries.length === 1 ? '' : 's'} of ${all.length} in category ${category} (${CATEGORY_LABELS[category]})`,
      },
      summaries,
    };
  }
  return { scope: { kind: 'case', description: `the whole case (${all.length} item${all.length === 1 ? '' : 's'})` }, summaries: all };
}

/**
 * The audit log as printed. A scoped report leaves out entries about items outside its scope
 * (their file names are not the reader's business); the chain is verified whole either way.
 */
function auditExcerpt(caseFolder: CaseFolder, limit: number, inScope: ReadonlySet<number> | null): CaseReport['audit'] {
  // A ring of the latest entries: a case of 10,000 imports has more entries than a report can print.
  const latest: ReportAuditEntry[] = [];
  let total = 0;
  let leftOut = 0;
  for (const row of caseFolder.db.auditRows()) {
    total++;
    const item = /^item:(\d+)$/.exec(row.subject);
    if (inScope && item && !inScope.has(Number(item[1]))) {
      leftOut++;
      continue;
    }
    let parameters: unknown;
    try {
      parameters = JSON.parse(row.parameters);
    } catch {
      parameters = row.parameters;
    }
    latest.push({ ...row, parameters });
    if (latest.length > limit) latest.shift();
  }
  const shown = total - leftOut;
  const policy = shown <= limit ? `all ${shown} entries` : `the latest ${limit} of ${shown} entries`;
  return {
    totalEntries: total,
    headSha256: caseFolder.db.auditHead()?.sha256 ?? null,
    excerptPolicy:
      leftOut === 0 && shown > limit
        ? `${policy} (entries ${total - limit + 1} to ${total})`
        : leftOut === 0
          ? policy
          : `${policy} about this report's items and the case (${leftOut} entries about other items left out)`,
    excerpt: latest,
    subjectNames: auditSubjectNames(
      caseFolder.db,
      latest.map((entry) => entry.subject),
    ),
  };
}

function countBy<T>(values: T[], key: (value: T) => string): [T, number][] {
  const counts = new Map<string, [T, number]>();
  for (const value of values) {
    const k = key(value);
    const entry = counts.get(k);
    if (entry) entry[1]++;
    else counts.set(k, [value, 1]);
  }
  return [...counts.values()];
}
