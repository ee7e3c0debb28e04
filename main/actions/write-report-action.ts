/**
 * The case's audit report in one or more formats (main/case/report), each file recorded in the
 * case: `acsr case report` and the workstation's report job.
 */
import { z } from 'zod';
import { defaultReportPath, formatFromPath, REPORT_FORMATS, writeReports, type ReportTarget } from '../case/report/write-report.ts';
import { CATEGORY_CODES } from '../case/tag-categories.ts';
import { defineAction } from './define-action.ts';
import { withCaseFolder } from './with-case-folder.ts';

export const writeReportParameters = z.strictObject({
  caseFolder: z.string().min(1),
  examiner: z.string(),
  /** A format goes into the case's reports/ folder; a path's format follows its extension. Written in this order. */
  targets: z.array(z.union([z.strictObject({ format: z.enum(REPORT_FORMATS) }), z.strictObject({ path: z.string().min(1) })])).min(1),
  /** Thumbnails blurred and greyscale, or as they are. */
  blur: z.boolean().default(true),
  /** The whole audit log up to this many entries, else its latest ones; the report module's default otherwise. */
  auditEntries: z.number().int().min(1).optional(),
  /** The whole case unless given. */
  scope: z.strictObject({ itemIds: z.array(z.number().int().positive()).optional(), category: z.enum(CATEGORY_CODES).optional() }).optional(),
  /** Print GPS coordinates found in EXIF (by default only whether a position is recorded). */
  gpsCoordinates: z.boolean().default(false),
});

export const writeReportAction = defineAction({
  name: 'report',
  parameters: writeReportParameters,
  run: ({ caseFolder: folder, examiner, targets, blur, auditEntries, scope, gpsCoordinates }, { progress, signal, note }) =>
    withCaseFolder(folder, note, async (caseFolder) => {
      const now = new Date();
      const resolved: ReportTarget[] = targets.map((target) =>
        'path' in target
          ? { format: formatFromPath(target.path), path: target.path }
          : { format: target.format, path: defaultReportPath(caseFolder, target.format, now) },
      );
      return writeReports(caseFolder, resolved, {
        examiner,
        blur,
        scope,
        gpsCoordinates,
        progress,
        signal,
        ...(auditEntries !== undefined ? { auditExcerptLimit: auditEntries } : {}),
      });
    }),
  summary: (written) => ({
    reportId: written[0]?.reportId ?? null,
    reports: written.map((report) => ({ format: report.format, path: report.path, sha256: report.sha256, sizeBytes: report.sizeBytes })),
    verificationOk: written.every((report) => report.verificationOk),
  }),
});
