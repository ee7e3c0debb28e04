/**
 * `acsr case report`: gather once, render each requested format, write each file atomically,
 * then record its SHA-256 in the case (reports table + a 'report' audit entry). One export is one
 * report with one id, printed in each of its files; each file is recorded as '<id>.<format>' so
 * that a copy of any of them is traced to its own hash.
 */
import { randomUUID } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { basename, extname, join, resolve } from 'node:path';
import { UserInputError } from '../../errors/user-input-error.ts';
import { writeFileAtomic } from '../../io/atomic-write.ts';
import { sha256Hex } from '../../io/hashing.ts';
import { silentProgress, throwIfCancelled, type TaskControl } from '../../progress/progress.ts';
import type { CaseFolder } from '../case-folder.ts';
import type { ReportRecord } from '../records.ts';
import { reportFileUid } from './audit-subjects.ts';
import { gatherReport, type ReportScopeRequest } from './gather-report.ts';
import type { CaseReport } from './report-model.ts';
import { renderHtml } from './render-html.ts';
import { renderJson } from './render-json.ts';
import { renderPdf } from './render-pdf.ts';

export const REPORT_FORMATS = ['html', 'pdf', 'json'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

export interface ReportTarget {
  format: ReportFormat;
  path: string;
}

export interface WriteReportsOptions extends TaskControl {
  examiner: string;
  /** Blurred greyscale thumbnails unless false. */
  blur?: boolean;
  auditExcerptLimit?: number;
  /** The whole case unless given. */
  scope?: ReportScopeRequest;
  /** Print GPS coordinates from EXIF; by default a report says only whether a position is recorded. */
  gpsCoordinates?: boolean;
}

export interface WrittenReport {
  /** The export's report id, the same for each of its files. */
  reportId: string;
  /** This file's key in the reports table and its audit entry ('<report id>.<format>'). */
  recordUid: string;
  format: ReportFormat;
  path: string;
  sha256: string;
  sizeBytes: number;
  record: ReportRecord;
  verificationOk: boolean;
  /** The checkpoint signed after every report of this run was recorded: it covers their entries. */
  checkpoint: { sequence: number; headSha256: string; keyFingerprint: string };
}

export function formatFromPath(path: string): ReportFormat {
  const extension = extname(path).slice(1).toLowerCase();
  const format = extension === 'htm' ? 'html' : extension;
  if (!(REPORT_FORMATS as readonly string[]).includes(format)) {
    throw new UserInputError(`${path}: cannot tell the report format from the extension '.${extension}' (use .html, .pdf or .json)`);
  }
  return format as ReportFormat;
}

/** reports/<case number>-<UTC time>.<format> inside the case folder. */
export function defaultReportPath(caseFolder: CaseFolder, format: ReportFormat, now = new Date()): string {
  const number = caseFolder.db.getCase().number.replace(/[^A-Za-z0-9._-]+/g, '_');
  const stamp = now.toISOString().replace(/[:.]/g, '').replace('T', '-');
  return join(caseFolder.folder, 'reports', `report-${number}-${stamp}.${format}`);
}

export async function writeReports(caseFolder: CaseFolder, targets: readonly ReportTarget[], options: WriteReportsOptions): Promise<WrittenReport[]> {
  if (targets.length === 0) throw new UserInputError('no report to write: give --format or --out');
  const paths = new Set<string>();
  for (const target of targets) {
    const absolute = resolve(target.path);
    if (paths.has(absolute)) throw new UserInputError(`${target.path} is named twice`);
    paths.add(absolute);
  }
  const formats = targets.map((target) => target.format);
  const repeated = formats.find((format, index) => formats.indexOf(format) !== index);
  // One export is one report: its files are the same report in different formats.
  if (repeated)
    throw new UserInputError(`one report is written once per format: ${repeated.toUpperCase()} is asked for twice (make a second report for a second copy)`);
  const progress = options.progress ?? silentProgress;
  const needsPictures = targets.some((target) => target.format !== 'json');
  const { content, thumbnails } = await gatherReport(caseFolder, {
    examiner: options.examiner,
    thumbnails: needsPictures ? (options.blur === false ? 'revealed' : 'blurred') : 'none',
    auditExcerptLimit: options.auditExcerptLimit,
    scope: options.scope,
    gpsCoordinates: options.gpsCoordinates,
    progress: progress.sub(0, 0.8, 'gather'),
    signal: options.signal,
  });
  const written: WrittenReport[] = [];
  const reportId = randomUUID();
  const files = targets.map((target) => ({ format: target.format, name: basename(target.path) }));
  const scope = content.scope.kind === 'case' ? undefined : { ...content.scope };
  for (const [index, target] of targets.entries()) {
    throwIfCancelled(options.signal);
    const report: CaseReport = {
      ...content,
      reportId,
      renderedAs: target.format,
      files,
      thumbnails: target.format === 'json' ? 'none' : content.thumbnails,
    };
    const bytes = await render(report, thumbnails);
    const path = resolve(target.path);
    if (path.startsWith(join(caseFolder.folder, 'reports'))) await mkdir(join(caseFolder.folder, 'reports'), { recursive: true });
    await writeFileAtomic(path, bytes);
    const sha256 = sha256Hex(bytes);
    const recordUid = reportFileUid(reportId, target.format);
    const record = caseFolder.db.recordReport({
      reportUid: recordUid,
      format: target.format,
      path,
      sha256,
      examiner: options.examiner,
      ...(scope ? { scope } : {}),
    });
    written.push({
      reportId,
      recordUid,
      format: target.format,
      path,
      sha256,
      sizeBytes: bytes.length,
      record,
      verificationOk: report.verification.ok,
      checkpoint: { sequence: 0, headSha256: '', keyFingerprint: '' },
    });
    progress.report({ stage: 'write', fraction: 0.8 + (0.2 * (index + 1)) / targets.length, message: path });
  }
  const { sequence, headSha256, keyFingerprint } = caseFolder.checkpoint(options.examiner);
  return written.map((report) => ({ ...report, checkpoint: { sequence, headSha256, keyFingerprint } }));
}

async function render(report: CaseReport, thumbnails: Parameters<typeof renderHtml>[1]): Promise<Buffer> {
  switch (report.renderedAs) {
    case 'html':
      return renderHtml(report, thumbnails);
    case 'pdf':
      return renderPdf(report, thumbnails);
    default:
      return renderJson(report);
  }
}
