/** Worker thread: writes the case's audit report(s) (main/case/report) into the case's reports/ folder. */
import { CaseFolder } from '../case/case-folder.ts';
import type { ReportScopeRequest } from '../case/report/gather-report.ts';
import { defaultReportPath, writeReports, type ReportFormat } from '../case/report/write-report.ts';
import { runJobWorker } from './run-job-worker.ts';

export interface ReportJobParameters {
  caseFolder: string;
  formats: ReportFormat[];
  blur: boolean;
  examiner: string;
  /** The whole case unless given. */
  scope?: ReportScopeRequest;
  gpsCoordinates?: boolean;
}

runJobWorker<ReportJobParameters>(async ({ caseFolder, formats, blur, examiner, scope, gpsCoordinates }, { progress, signal }) => {
  const opened = await CaseFolder.open(caseFolder);
  try {
    const now = new Date();
    const targets = formats.map((format) => ({ format, path: defaultReportPath(opened, format, now) }));
    const written = await writeReports(opened, targets, { examiner, blur, scope, gpsCoordinates, progress, signal });
    return {
      reportId: written[0]?.reportId ?? null,
      reports: written.map((report) => ({ format: report.format, path: report.path, sha256: report.sha256, sizeBytes: report.sizeBytes })),
      verificationOk: written.every((report) => report.verificationOk),
    };
  } finally {
    opened.close();
  }
});
